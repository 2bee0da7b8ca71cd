"""The audit log pages: a tender's (its chair and observers) and the system's (admins), each
filterable by person, kind and dates, paginated, and exported as CSV or xlsx."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import login_required

from selector.services import auditlog, views
from selector.store.db import get_session
from selector.web.auth import roles_required, user
from selector.web.downloads import attachment
from selector.web.forms import LogFilterForm
from selector.web.i18n import current_lang, text

bp = Blueprint("auditlog", __name__)

FILTERS = ("person", "kind", "since", "until")


def _form(choices: auditlog.LogChoices) -> LogFilterForm:
    form = LogFilterForm(formdata=request.args)
    form.person.choices = [("", "—")] + [(str(uid), name) for uid, name in choices.people]
    form.kind.choices = [("", "—")] + [(key, text(name)) for key, name in choices.kinds]
    return form


def _query(form: LogFilterForm) -> auditlog.LogQuery:
    """The form's filters; dates are days in the configured time zone, the end day included."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")

    def start(day: str | None, shift: int = 0) -> datetime | None:
        if not day:
            return None
        return datetime.combine(date.fromisoformat(day) + timedelta(days=shift), time.min, zone)

    return auditlog.LogQuery(
        person=int(form.person.data) if form.person.data else None,
        kind=form.kind.data or None,
        since=start(form.since.data),
        before=start(form.until.data, 1),
        page=int(form.page.data or 1),
    )


def _rows(lines: Any) -> list[dict[str, Any]]:
    lang = current_lang()
    return [
        {"seq": line.seq, "at": line.at, "person": line.person.get(lang),
         "kind": line.kind.get(lang), "sentence": line.sentence.get(lang),
         "details": tuple(d.get(lang) for d in line.details), "from": line.remote_addr}
        for line in lines
    ]


def _show(tender_id: int | None, heading: Any, status: int = 200) -> Any:
    """The page of a log; bad filters are a 422 naming them, with no events listed."""
    session = get_session()
    form = _form(auditlog.log_choices(session, user(), tender_id))
    valid = form.validate()
    query = _query(form) if valid else auditlog.LogQuery()
    if tender_id is None:
        page = auditlog.system_log(session, user(), query)
    else:
        page = auditlog.tender_log(session, tender_id, user(), query)
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    args = {"tender_id": tender_id} if tender_id is not None else {}
    page_endpoint = "auditlog.tender_log" if tender_id is not None else "auditlog.system_log"
    export_endpoint = (
        "auditlog.tender_export" if tender_id is not None else "auditlog.system_export")
    return render_template(
        "auditlog/log.html",
        heading=heading,
        form=form,
        page=page,
        events=_rows(page.lines) if valid else [],
        valid=valid,
        page_url=lambda number: url_for(page_endpoint, **args, **filters, page=number),
        export_url=lambda fmt: url_for(export_endpoint, **args, fmt=fmt, **filters),
    ), (200 if valid else 422)


def _export(tender_id: int | None, heading: Any, fmt: str) -> Any:
    # openpyxl: loaded on the first export, not when a worker starts
    from selector.reports.auditlog import LogRow, log_csv, log_xlsx

    session = get_session()
    form = _form(auditlog.log_choices(session, user(), tender_id))
    if not form.validate():
        return _show(tender_id, heading)
    query = _query(form)
    name, lines = auditlog.export_lines(session, user(), query, tender_id)
    lang = current_lang()
    rows = [LogRow(line.seq, line.at, line.person.get(lang), line.kind.get(lang),
                   line.sentence.get(lang), tuple(d.get(lang) for d in line.details),
                   line.remote_addr) for line in lines]
    filename, mimetype, data = (log_csv if fmt == "csv" else log_xlsx)(rows, lang, name)
    auditlog.record_export(session, user(), query, fmt, tender_id)
    return attachment(filename, mimetype, data)


def _heading(tender_id: int) -> Any:
    session = get_session()
    return views.tender_heading(auditlog.log_tender(session, tender_id, user()))


@bp.get("/tenders/<int:tender_id>/history")
@login_required
def tender_log(tender_id: int) -> Any:
    """The tender's audit log, for its chair and (once final) its observers."""
    return _show(tender_id, _heading(tender_id))


@bp.get("/tenders/<int:tender_id>/history.<any(csv, xlsx):fmt>")
@login_required
def tender_export(tender_id: int, fmt: str) -> Any:
    """The tender's audit log (with the page's filters, every page) as CSV or xlsx."""
    return _export(tender_id, _heading(tender_id), fmt)


@bp.get("/admin/log")
@roles_required("admin")
def system_log() -> Any:
    """Logins, failed logins, user changes and refusals outside any tender (admins)."""
    return _show(None, None)


@bp.get("/admin/log.<any(csv, xlsx):fmt>")
@roles_required("admin")
def system_export(fmt: str) -> Any:
    """The system's log (with the page's filters, every page) as CSV or xlsx."""
    return _export(None, None, fmt)
