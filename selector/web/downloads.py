"""Downloads on the results page: the ranked PDF report and the spreadsheet export.

Who may download is who may read the results (`access.results_tender`): the chair once
scoring is closed, observers once the tender is final. The files are built from the same
`Result` the page shows, so the three never disagree.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from selector.reports.fonts import CANNOT_RENDER, missing_font
from selector.reports.labels import labels
from selector.scoring.model import ScoringError, Text
from selector.services import access, results
from selector.store.db import get_session
from selector.web import user
from selector.web.i18n import current_lang

bp = Blueprint("downloads", __name__, url_prefix="/tenders")


@bp.app_context_processor
def report_words() -> dict[str, Any]:
    """The report's own zh/en labels (its download buttons), for the results page."""
    try:
        lang = current_lang()
    except RuntimeError:  # a template rendered outside a request
        lang = "en"
    return {"report_words": labels(lang)}


def _scored(tender_id: int) -> tuple[Any, dict[str, Any]] | None:
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    try:
        return results.result_for(session, tender.id), results.report_context_extras(
            session, tender.id)
    except ScoringError:
        flash(labels(current_lang())["cannot_score"], "warning")
        return None


def _attachment(filename: str, mimetype: str, data: bytes) -> Response:
    """`data` as a download named `filename` (a tender's name may be Chinese: RFC 6266's
    `filename*` carries it, `filename` an ASCII fallback)."""
    response = Response(data, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "download"
    if ascii_name == filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response.headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    return response


def _lang() -> str:
    lang = request.args.get("lang", "")
    return lang if lang in ("zh", "en") else current_lang()


@bp.get("/<int:tender_id>/report.pdf")
@login_required
def report_pdf(tender_id: int) -> Any:
    """The ranked PDF report, in the page's language (or ?lang=zh|en).

    Where no installed font can draw it, an error page (503) says what to install instead.
    """
    from selector.reports.context import build_context
    from selector.reports.html import render_html

    scored = _scored(tender_id)
    if scored is None:
        return redirect(url_for("results.show", tender_id=tender_id))
    result, extras = scored
    lang = _lang()
    html = render_html(build_context(result, lang, extras))
    problem = missing_font(lang, html)
    if problem is not None:
        return _cannot_render(problem)
    from selector.reports.pdf import html_to_pdf  # WeasyPrint: only once a font is there

    pdf = html_to_pdf(html)
    return _attachment(f"tender-{tender_id}-report-{lang}.pdf", "application/pdf", pdf)


def _cannot_render(problem: Text) -> tuple[str, int]:
    """The error page for a report that would be drawn without its glyphs, in the page's
    language."""
    lang = current_lang()
    return render_template("error.html", code=503, title=CANNOT_RENDER.get(lang),
                           message=problem.get(lang)), 503


@bp.get("/<int:tender_id>/export.xlsx")
@login_required
def export_xlsx(tender_id: int) -> Any:
    """The live workbook (`selector.reports.workbook`), named after the tender and its
    language: totals and ranks as formulas over the Points and Weights sheets, and the
    inputs that `selector score --workbook` reads back."""
    from selector.reports.workbook import build_workbook

    scored = _scored(tender_id)
    if scored is None:
        return redirect(url_for("results.show", tender_id=tender_id))
    result, extras = scored
    name, mimetype, data = build_workbook(result, _lang(), extras)
    return _attachment(name, mimetype, data)


@bp.get("/<int:tender_id>/export/<sheet>.csv")
@login_required
def export_csv(tender_id: int, sheet: str) -> Any:
    """One sheet as CSV (UTF-8 with BOM); 404 for a sheet that does not exist."""
    from selector.reports.export import SHEETS
    from selector.reports.export import export_csv as build

    name = next((s for s in SHEETS if s.lower() == sheet.lower()), None)
    if name is None:
        return Response(labels(current_lang())["no_such_sheet"], status=404,
                        mimetype="text/plain")
    scored = _scored(tender_id)
    if scored is None:
        return redirect(url_for("results.show", tender_id=tender_id))
    result, extras = scored
    _name, mimetype, data = build(result, name, _lang(), extras)
    return _attachment(f"tender-{tender_id}-{name.lower()}.csv", mimetype, data)
