"""The report as HTML: the Jinja template, autoescaped, rendered from a `ReportContext`.

Kept apart from `pdf` so that building the HTML does not import WeasyPrint (the command
line imports that in a helper process meanwhile). The other way round, `pdf` needs only
`STATIC_DIR` from here: Jinja and the context are imported when the HTML is rendered, so
that the helper, whose import of WeasyPrint is what the command waits for, loads neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from selector.paths import STATIC_DIR, TEMPLATES_DIR

if TYPE_CHECKING:
    import jinja2

    from selector.reports.context import ReportContext

__all__ = ["STATIC_DIR", "environment", "render_html"]

REPORT_TEMPLATE = "reports/report.html"
TEMPLATES = {"report": REPORT_TEMPLATE, "appendix": "reports/appendix.html"}

_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    """The report's Jinja environment, autoescaping every template, built once per process."""
    import jinja2  # not in the WeasyPrint helper process, which imports this module

    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # Compiling the template costs a command-line run ~50 ms; keep the bytecode
            # in Jinja's per-user temporary directory.
            bytecode_cache=jinja2.FileSystemBytecodeCache(),
        )
    return _ENV


def render_html(context: ReportContext) -> str:
    """The report (or its appendix, by `context.kind`) as one HTML document; user text is
    escaped, the SVG chart is our markup."""
    template = environment().get_template(TEMPLATES[context.kind])
    return template.render(report=context, L=context.labels)
