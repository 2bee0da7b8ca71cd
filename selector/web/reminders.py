"""The chair's deadline pages: set the due date, remind who has not submitted, read the
outbox (every message, sent or kept because no mail server is configured)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from selector.mail import base_url_of, mailer_from_config, today_of
from selector.services import ServiceError, access, reminders, views
from selector.store.db import get_session
from selector.store.models import Tender, TenderState
from selector.web.auth import roles_required, user
from selector.web.forms import ActionForm, DueDateForm, apply_error, flash_error
from selector.web.i18n import text

bp = Blueprint("reminders", __name__, url_prefix="/tenders")


def today() -> date:
    """Today in the app's TIMEZONE (due dates are days there)."""
    return today_of(current_app.config)


def deadline_section(tender: Tender, form: DueDateForm | None = None) -> dict[str, Any]:
    """What the tender page's deadline block needs: the due date, time left, who is missing."""
    if form is None:
        form = DueDateForm(formdata=None, due_on=tender.due_on.isoformat() if tender.due_on else "")
    return {
        "deadline": reminders.time_left(tender.due_on, today()),
        "missing": [
            m for m in reminders.missing_by_evaluator(get_session(), tender) if not m.done
        ],
        "due_form": form,
        "mail_configured": mailer_from_config(current_app.config) is not None,
    }


def _chaired(tender_id: int) -> Tender:
    return access.chaired_tender(get_session(), tender_id, user())


def _deadline_page(tender: Tender, form: DueDateForm | None = None, status: int = 200) -> Any:
    return render_template(
        "reminders/deadline.html",
        tender=views.tender_heading(tender),
        action_form=ActionForm(formdata=None),
        **deadline_section(tender, form),
    ), status


@bp.get("/<int:tender_id>/deadline")
@roles_required("chair")
def deadline(tender_id: int) -> Any:
    """The due date, time left, who still has sheets to submit, and the reminder button."""
    return _deadline_page(_chaired(tender_id))


@bp.post("/<int:tender_id>/deadline")
@roles_required("chair")
def set_due(tender_id: int) -> Any:
    """Set or clear the day scoring is due."""
    tender = _chaired(tender_id)
    form = DueDateForm()
    if not form.validate_on_submit():
        return _deadline_page(tender, form, 422)
    try:
        reminders.set_due_date(
            get_session(),
            tender.id,
            actor=user(),
            due_on=None if form.clear.data else form.day(),
            today=today(),
        )
    except ServiceError as error:
        apply_error(form, error)
        return _deadline_page(_chaired(tender_id), form, 422)
    flash(_("Due date cleared.") if form.clear.data else _("Due date saved."), "success")
    return redirect(url_for("reminders.deadline", tender_id=tender_id))


@bp.post("/<int:tender_id>/remind")
@roles_required("chair")
def remind(tender_id: int) -> Any:
    """Send a reminder to every evaluator with sheets left (the page asked to confirm)."""
    tender = _chaired(tender_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form has expired: reload the page and try again."), "error")
        return _deadline_page(tender, status=400)
    config = current_app.config
    try:
        done = reminders.send_reminders(
            get_session(),
            tender.id,
            actor=user(),
            mailer=mailer_from_config(config),
            base_url=base_url_of(config),
            today=today(),
        )
    except ServiceError as error:
        flash_error(error)
        return _deadline_page(_chaired(tender_id), status=422)
    flash(
        _(
            "Reminder sent to %(names)s: %(sent)d by e-mail, %(kept)d kept in the outbox.",
            names=", ".join(done.recipients),
            sent=done.sent,
            kept=done.kept,
        ),
        "success",
    )
    return redirect(url_for("reminders.deadline", tender_id=tender_id))


@bp.get("/<int:tender_id>/outbox")
@roles_required("chair")
def outbox(tender_id: int) -> Any:
    """Every message of the tender: what went out by e-mail, and what waits here."""
    tender, lines = reminders.outbox(get_session(), tender_id, user())
    return render_template(
        "reminders/outbox.html",
        tender=views.tender_heading(tender),
        lines=lines,
        mail_configured=mailer_from_config(current_app.config) is not None,
        open=tender.state == TenderState.OPEN,
        text=text,
    )
