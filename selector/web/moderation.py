"""The moderation view (issue 10): the chair reads every evaluator's input and comment on a
criterion side by side, with each cell's aggregate, spread and whether it is divergent or
decisive, and records a consensus value right there."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from selector.services import ServiceError, access, moderation, views
from selector.services import consensus as consensus_service
from selector.store.db import get_session
from selector.web import i18n
from selector.web.auth import roles_required, user
from selector.web.forms import ModerationConsensusForm, flash_error, refusal_status
from selector.web.i18n import current_lang

bp = Blueprint("moderation", __name__, url_prefix="/tenders")


def _page(
    tender_id: int,
    criterion: str | None,
    *,
    posted: ModerationConsensusForm | None = None,
    status: int = 200,
) -> Any:
    session = get_session()
    tender = access.chaired_tender(session, tender_id, user())
    access.results_tender(session, tender_id, user())  # hidden while scoring is blind
    page = moderation.moderation(session, tender.id, criterion)
    errors: dict[str, list[str]] = {}
    if posted is not None:
        where = moderation.cell_anchor(
            next((c.vendor for c in page.cells if c.vendor_id == posted.vendor.data), ""),
            page.criterion,
        )
        errors[where] = [
            f"{getattr(posted, name).label.text}: {message}" if name != "replace" else message
            for name, messages in posted.errors.items()
            for message in messages
        ]
    return render_template(
        "moderation/show.html",
        tender=views.tender_heading(tender),
        page=page,
        may_record=tender.state == "closed",
        errors=errors,
        posted=posted,
        lang=current_lang(),
    ), status


@bp.get("/<int:tender_id>/moderation")
@roles_required("chair")
def show(tender_id: int) -> Any:
    """One criterion's cells (`?criterion=<key>`; by default the first with decisive
    divergence): every evaluator's input and comment, the aggregate, the spread, divergent
    or decisive, and a consensus form per cell."""
    return _page(tender_id, request.args.get("criterion") or None)


@bp.post("/<int:tender_id>/moderation/consensus")
@roles_required("chair")
def record(tender_id: int) -> Any:
    """Record a consensus value for one cell from the criterion's allowed values; a cell
    that has one already needs the replacement ticked."""
    session = get_session()
    access.chaired_tender(session, tender_id, user())
    form = ModerationConsensusForm()
    criterion = form.criterion.data or None
    page = moderation.moderation(session, tender_id, criterion)
    # the select offers the chosen criterion's own values; anything else is refused
    form.value.choices = [(key, i18n.text(label)) for key, label in page.choices]
    if criterion != page.criterion:
        form.value.choices = []
    if form.validate_on_submit():
        try:
            consensus_service.record_consensus(
                session,
                tender_id,
                actor=user(),
                vendor_id=form.vendor.data or 0,
                criterion_key=page.criterion,
                value=form.value.data or "",
                reason=form.reason.data or "",
                replace=bool(form.replace.data),
            )
        except ServiceError as error:
            field = getattr(form, error.field or "", None)
            if field is None or not hasattr(field, "errors"):
                flash_error(error)
                return _page(tender_id, criterion, status=refusal_status(error))
            field.errors = [*field.errors, i18n.text(error.message)]
            return _page(tender_id, criterion, posted=form, status=refusal_status(error))
        flash(_("Consensus value recorded."), "success")
        vendor = next((c.vendor for c in page.cells if c.vendor_id == form.vendor.data), "")
        return redirect(
            url_for(
                "moderation.show",
                tender_id=tender_id,
                criterion=page.criterion,
                _anchor=moderation.cell_anchor(vendor, page.criterion),
            )
        )
    return _page(tender_id, criterion, posted=form, status=422)
