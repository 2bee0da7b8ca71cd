"""Sign-off of a finalised tender: members approve or dissent, the chair signs last."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from selector.services import ServiceError, access, views
from selector.services import signoff as service
from selector.store.db import get_session
from selector.web.auth import roles_required, user
from selector.web.forms import AbsentForm, SignOffForm, apply_error, flash_error, refusal_status

bp = Blueprint("signoff", __name__, url_prefix="/tenders")


def _page(tender_id: int, form: SignOffForm | None = None, status: int = 200) -> Any:
    session = get_session()
    view = service.page(session, tender_id, user())
    tender = access.visible_tender(session, tender_id, user())
    return render_template(
        "signoff/show.html",
        tender=views.tender_heading(tender),
        page=view,
        form=form or SignOffForm(formdata=None),
        absent_form=AbsentForm(formdata=None),
    ), status


@bp.get("/<int:tender_id>/signoff")
@login_required
def show(tender_id: int) -> Any:
    """Who has signed the finalised result, who is awaiting, and the form to sign."""
    return _page(tender_id)


@bp.post("/<int:tender_id>/signoff")
@login_required
def sign(tender_id: int) -> Any:
    """Sign: approve, or dissent with reasons; the password confirms it is the member."""
    form = SignOffForm()
    if form.validate_on_submit():
        try:
            service.sign(
                get_session(), tender_id, actor=user(), password=form.password.data or "",
                decision=form.decision.data or "", reason=form.reason.data or "",
            )
        except ServiceError as error:
            apply_error(form, error)
            return _page(tender_id, form, refusal_status(error))
        flash(_("Your sign-off is recorded."), "success")
        return redirect(url_for("signoff.show", tender_id=tender_id))
    return _page(tender_id, form, 422)


@bp.post("/<int:tender_id>/signoff/<int:member_id>/absent")
@roles_required("chair")
def absent(tender_id: int, member_id: int) -> Any:
    """The chair records that a member did not sign (deemed to agree), with a note."""
    form = AbsentForm()
    if form.validate_on_submit():
        try:
            service.record_absent(
                get_session(), tender_id, member_id, actor=user(), reason=form.reason.data or ""
            )
        except ServiceError as error:
            flash_error(error)
            return _page(tender_id, status=refusal_status(error))
        flash(_("Recorded: the member did not sign."), "success")
        return redirect(url_for("signoff.show", tender_id=tender_id))
    for message in form.reason.errors:
        flash(f"{form.reason.label.text}: {message}", "error")
    return _page(tender_id, status=422)
