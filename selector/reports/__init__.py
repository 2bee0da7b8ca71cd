"""The ranked PDF report and the spreadsheet export, both read from a scoring `Result`.

- `context.build_context(result, lang, extras)` -> a plain `ReportContext` of display strings;
- `pdf.render_pdf(context)` -> PDF bytes (Jinja + WeasyPrint through a fetcher that serves
  only our own `static/` files and `data:` URLs);
- `workbook.build_workbook(...)` (the live xlsx) / `export.export_csv(...)` (one sheet) ->
  `(filename, mimetype, bytes)`; `fonts.missing_font(...)` before any PDF is laid out.

Nothing here imports Flask or SQLAlchemy: the CLI, the web application and the tests build
reports the same way.
"""
