"""Downloads on the results page: the leadership report, its appendix, the bidders'
letters and the spreadsheet export.

Who may download is who may read the results (`access.results_tender`): the chair once
scoring is closed, observers once the tender is final. The files are built from the same
`Result` the page shows, so they never disagree.

PDFs are rendered by the task queue (`selector.queue`), never in the request: a download
whose document is in the report cache is served from it; otherwise the render is queued and
a progress page (202) polls `…/status` (static/js/report-progress.js) until it is ready.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from selector.queue import get_queue
from selector.reports.fonts import CANNOT_RENDER, missing_font
from selector.reports.labels import labels
from selector.reports.letters import letter_from_zip
from selector.scoring.model import ScoringError, Text
from selector.services import access, auditlog, rendering, results
from selector.store.db import get_session
from selector.store.models import TenderState
from selector.web.auth import user
from selector.web.i18n import current_lang

bp = Blueprint("downloads", __name__, url_prefix="/tenders")
# The status the progress page polls: its own blueprint, outside the downloads' rate limits
# and report slots (selector/web/throttle.py), as it renders nothing.
status_bp = Blueprint("report_status", __name__, url_prefix="/tenders")


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


def attachment(filename: str, mimetype: str, data: bytes) -> Response:
    """`data` as a download named `filename` (a tender's name may be Chinese: RFC 6266's
    `filename*` carries it, `filename` an ASCII fallback). The audit log's export uses it too."""
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
    """The leadership report (the decision), in the page's language (or ?lang=zh|en).

    Where no installed font can draw it, an error page (503) says what to install instead.
    """
    return _pdf(tender_id, appendix=False)


@bp.get("/<int:tender_id>/appendix.pdf")
@login_required
def appendix_pdf(tender_id: int) -> Any:
    """The report's appendix: every evaluator's input, comments and consensus reasons."""
    return _pdf(tender_id, appendix=True)


def _pdf(tender_id: int, *, appendix: bool) -> Any:
    return _document(tender_id, "appendix" if appendix else "report")


def _document(tender_id: int, kind: str, *, record: bool = True) -> Response:
    """The cached document, else queue its render and show the progress page (202).

    A document handed out is recorded (`report.download`) unless `record` is False (a
    single letter, which its caller records once it has found it).

    A failure that the data decide (a tender that cannot be scored) stays until the data
    change, which gives another key; a missing font (installed since: the check above
    passed) or an unexpected error is shown once and then tried again."""
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    lang = _lang()
    job = rendering.job_for(session, tender.id, lang, kind)
    problem = missing_font(lang, job.names)
    if problem is not None:
        return make_response(_cannot_render(problem))
    reports = get_queue(current_app)
    earlier = reports.status(job)
    if earlier.state == "failed" and earlier.reason != "scoring":
        reports.cache.forget(job.key)
        if earlier.reason == "error":
            return make_response(_failed(tender.id, earlier))
    if reports.cache.get(job.key) is None:
        reports.submit(job)  # in immediate mode this renders it now
    data = reports.cache.get(job.key)
    if data is not None:
        if record:
            auditlog.record_download(session, tender.id, actor=user(), document=kind, lang=lang)
        return attachment(_filename(tender.id, kind, lang), _MIME[kind], data)
    status = reports.status(job)
    if status.state == "failed":
        return make_response(_failed(tender.id, status))
    words = labels(current_lang())
    return make_response(render_template(
        "downloads/rendering.html", tender=tender, lang=lang, kind=kind, words=words,
        status_url=url_for("report_status.status", tender_id=tender.id, kind=kind, lang=lang),
        download_url=request.full_path.rstrip("?"),
    ), 202)


@bp.get("/<int:tender_id>/letters.zip")
@login_required
def letters_zip(tender_id: int) -> Any:
    """Every bidder's letter (a one-page PDF each) in one zip, once the tender is final."""
    return _letters(tender_id, None)


@bp.get("/<int:tender_id>/letters/<int:number>.pdf")
@login_required
def letter_pdf(tender_id: int, number: int) -> Any:
    """One bidder's letter: the `number`-th vendor of the tender (from 1)."""
    return _letters(tender_id, number)


def _letters(tender_id: int, number: int | None) -> Any:
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    if tender.state != TenderState.FINALISED:
        flash(labels(current_lang())["letters_after_final"], "warning")
        return redirect(url_for("results.show", tender_id=tender.id))
    vendor = None
    if number is not None:
        vendors = [v.name for v in tender.vendors]
        if not 1 <= number <= len(vendors):
            abort(404)
        vendor = vendors[number - 1]
    response = _document(tender.id, "letters", record=vendor is None)
    if vendor is None or response.status_code != 200 or response.mimetype != _MIME["letters"]:
        return response
    found = letter_from_zip(response.get_data(), vendor)
    if found is None:
        abort(404)
    name, pdf = found
    auditlog.record_download(session, tender.id, actor=user(), document="letter", lang=_lang(),
                             vendor=vendor)
    return attachment(name, "application/pdf", pdf)


@status_bp.get("/<int:tender_id>/<any(report, appendix, letters):kind>/status")
@login_required
def status(tender_id: int, kind: str) -> Any:
    """Where a queued document stands, as JSON: {state: ready | rendering | failed,
    message}; the progress page polls it."""
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    reports = get_queue(current_app)
    job = rendering.job_for(session, tender.id, _lang(), kind)
    state = reports.status(job)
    if state.state == "rendering" and reports.cache.queued_for(job.key) == float("inf"):
        reports.submit(job)  # the tender changed since the page asked: queue the new one
    message = state.message.get(current_lang()) if state.message is not None else ""
    response = jsonify(state=state.state, message=message)
    response.headers["Cache-Control"] = "no-store"
    return response


FINAL_KINDS = ("report", "letters")


def queue_final_reports(session: Any, tender_id: int) -> None:
    """Queue what a finalised tender hands out, in both languages: the leadership report
    and the bidders' letters (a failure is logged; the download asks again)."""
    reports = get_queue(current_app)
    for lang in ("zh", "en"):
        for kind in FINAL_KINDS:
            try:
                reports.submit(rendering.job_for(session, tender_id, lang, kind))
            except Exception:  # the finalising itself succeeded: never undo it for this
                current_app.logger.exception("queueing the %s %s of tender %s failed",
                                             lang, kind, tender_id)


_MIME = {"report": "application/pdf", "appendix": "application/pdf",
         "letters": "application/zip"}


def _filename(tender_id: int, kind: str, lang: str) -> str:
    return f"tender-{tender_id}-{kind}-{lang}{'.zip' if kind == 'letters' else '.pdf'}"


def _failed(tender_id: int, status: Any) -> Any:
    """A render that failed: the results page for a tender that cannot be scored, an error
    page naming the font to install, or a plain error page."""
    lang = current_lang()
    if status.reason == "scoring":
        flash(labels(lang)["cannot_score"], "warning")
        return redirect(url_for("results.show", tender_id=tender_id))
    return _cannot_render(status.message)


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
    from selector.reports.workbook import build_workbook  # openpyxl: on the first download

    scored = _scored(tender_id)
    if scored is None:
        return redirect(url_for("results.show", tender_id=tender_id))
    result, extras = scored
    name, mimetype, data = build_workbook(
        result, _lang(), extras, checks=results.checks_for(result))
    auditlog.record_download(get_session(), tender_id, actor=user(), document="workbook",
                             lang=_lang())
    return attachment(name, mimetype, data)


@bp.get("/<int:tender_id>/export/<sheet>.csv")
@login_required
def export_csv(tender_id: int, sheet: str) -> Any:
    """One sheet as CSV (UTF-8 with BOM); 404 for a sheet that does not exist."""
    # pandas: on the first download, not when a worker starts
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
    checks = results.checks_for(result) if name == "Flags" else None
    _name, mimetype, data = build(result, name, _lang(), extras, checks=checks)
    auditlog.record_download(get_session(), tender_id, actor=user(), document="csv",
                             lang=_lang(), sheet=name)
    return attachment(f"tender-{tender_id}-{name.lower()}.csv", mimetype, data)
