"""Results (chair after closing, observers after finalising), consensus and flag reviews."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from selector.scoring import values
from selector.scoring.model import Result
from selector.services import (
    NotFound,
    ServiceError,
    access,
    decisions,
    documents,
    record,
    results,
    templates,
    views,
)
from selector.services import consensus as consensus_service
from selector.store.db import get_session
from selector.web.auth import roles_required, user
from selector.web.confirm import unconfirmed
from selector.web.decisions import WEIGHT_FIELD
from selector.web.forms import (
    ActionForm,
    ConsensusForm,
    FlagReviewForm,
    apply_error,
    flash_error,
    flash_form_errors,
    refusal_status,
)
from selector.web.i18n import current_lang
from selector.web.pagecache import kept_page

bp = Blueprint("results", __name__, url_prefix="/tenders")


def _entries_by_cell(result: Result) -> dict[tuple[str, str], list[Any]]:
    cells: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for entry in result.input.entries:
        cells[(entry.vendor, entry.criterion)].append(entry)
    for entries in cells.values():
        entries.sort(key=lambda e: e.evaluator)
    return cells


# Above this many inputs the results page links to one page per vendor instead of holding
# every input (50 vendors × 17 criteria × 15 evaluators would be 2.5 MB of HTML).
INLINE_INPUTS = 1_000


def _own_weights(result: Result) -> Any:
    try:  # the sliders of the decision checks panel start at the tender's own weights
        return decisions.what_if(result, {})
    except ServiceError:
        return None


@bp.get("/<int:tender_id>/results")
@login_required
@kept_page
def show(tender_id: int) -> Any:
    """The ranking, group scores, every criterion's points and inputs, flags (the result and
    its decision checks computed once per change of the tender's input)."""
    session = get_session()
    tender = access.visible_tender(session, tender_id, user())
    if access.may_see_outcome(session, tender, user()):  # an evaluator: their own page
        return redirect(url_for("evaluate.outcome", tender_id=tender.id))
    tender = access.results_tender(session, tender_id, user())
    kept, problems = results.try_scored(session, tender.id)
    result = kept.result if kept is not None else None
    checks = results.checks_for(result) if result is not None else None
    lang = current_lang()
    inline = result is not None and len(result.input.entries) <= INLINE_INPUTS
    return render_template(
        "results/show.html",
        tender=views.tender_heading(tender),
        template=templates.template_of(tender),
        result=result,
        flags=checks.flags if checks else (),
        open_flags=results.open_flags(session, tender.id, checks.flags) if checks else [],
        sensitivity=checks.sensitivity if checks else None,
        break_evens=checks.sensitivity.weights if checks else {},
        fingerprint=kept.fingerprint if kept else "",
        audit_head=record.head(session),
        prices_opened_at=tender.prices_opened_at,
        price_changes=results.price_changes(session, tender.id),
        problems=problems,
        inline_inputs=inline,
        entries=kept.memo("entries_by_cell", _entries_by_cell) if kept and inline else {},
        names=results.evaluator_names(session, tender.id),
        references=documents.cell_references(session, tender.id),
        value_label=lambda c, v: values.label(c, v).get(lang),
        review_form=FlagReviewForm(formdata=None),
        is_chair=user().role == "chair",
        lang=lang,
        what_if=kept.memo("own_weights", _own_weights) if kept else None,
        weight_field=WEIGHT_FIELD,
    )


@bp.get("/<int:tender_id>/results/inputs/<int:number>")
@login_required
def vendor_inputs(tender_id: int, number: int) -> Any:
    """The `number`-th vendor's inputs (from 1): every evaluator's value, points and comment,
    and the consensus values (the results page links here when a tender is large)."""
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    kept, _problems = results.try_scored(session, tender.id)
    if kept is None:
        return redirect(url_for("results.show", tender_id=tender.id))
    vendors = kept.result.input.vendors
    if not 1 <= number <= len(vendors):
        raise NotFound(access.NO_VENDOR)
    lang = current_lang()
    return render_template(
        "results/inputs.html",
        tender=views.tender_heading(tender),
        template=templates.template_of(tender),
        result=kept.result,
        vendor=vendors[number - 1],
        number=number,
        entries=kept.memo("entries_by_cell", _entries_by_cell),
        names=results.evaluator_names(session, tender.id),
        references=documents.cell_references(session, tender.id),
        value_label=lambda c, v: values.label(c, v).get(lang),
        lang=lang,
    )


@bp.post("/<int:tender_id>/results/flags")
@roles_required("chair")
def review_flag(tender_id: int) -> Any:
    """Record the chair's review note on a flag (fields: flag_id, note)."""
    access.chaired_tender(get_session(), tender_id, user())
    form = FlagReviewForm()
    status = 422
    if form.validate_on_submit():
        try:
            decisions.review_flag(
                get_session(),
                tender_id,
                actor=user(),
                flag_id=form.flag_id.data or "",
                note=form.note.data or "",
            )
        except ServiceError as error:
            flash_error(error)
            status = refusal_status(error)
        else:
            flash(_("Review note recorded."), "success")
            return redirect(url_for("results.show", tender_id=tender_id, _anchor="flags"))
    else:
        flash_form_errors(form)
    return show(tender_id), status


def _consensus_page(tender: Any, form: ConsensusForm, status: int = 200) -> Any:
    session = get_session()
    template = templates.template_of(tender)
    lang = current_lang()
    form.vendor.choices = [(v.id, v.name) for v in tender.vendors]
    form.criterion.choices = [
        (c.id, f"{c.title.get(lang)} ({c.id})")
        for c in template.criteria()
        if c.is_scored_by_evaluators
    ]
    _result, problems = results.try_result(session, tender.id)
    return render_template(
        "results/consensus.html",
        tender=views.tender_heading(tender),
        lines=views.consensus_lines(tender),
        template=template,
        form=form,
        problems=problems,
        action_form=ActionForm(formdata=None),
        lang=lang,
    ), status


@bp.get("/<int:tender_id>/consensus")
@roles_required("chair")
def consensus(tender_id: int) -> Any:
    """Consensus values the committee agreed after discussion (scoring closed)."""
    tender = access.chaired_tender(get_session(), tender_id, user())
    return _consensus_page(tender, ConsensusForm(formdata=None))


@bp.post("/<int:tender_id>/consensus")
@roles_required("chair")
def record_consensus(tender_id: int) -> Any:
    """Record a consensus value for one vendor and criterion, with its reason."""
    session = get_session()
    tender = access.chaired_tender(session, tender_id, user())
    form = ConsensusForm()
    form.vendor.choices = [(v.id, v.name) for v in tender.vendors]
    form.criterion.choices = [(c.key, c.key) for c in tender.criteria if not c.is_price]
    if form.validate_on_submit():
        try:
            consensus_service.record_consensus(
                session,
                tender.id,
                actor=user(),
                vendor_id=form.vendor.data,
                criterion_key=form.criterion.data or "",
                value=form.value.data or "",
                reason=form.reason.data or "",
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Consensus value recorded."), "success")
            return redirect(url_for("results.consensus", tender_id=tender.id))
    return _consensus_page(access.chaired_tender(session, tender_id, user()), form, 422)


@bp.post("/<int:tender_id>/consensus/<int:consensus_id>/delete")
@roles_required("chair")
def remove_consensus(tender_id: int, consensus_id: int) -> Any:
    """Withdraw a consensus value, once confirmed."""
    tender = access.chaired_tender(get_session(), tender_id, user())
    asking = unconfirmed(
        _("Withdraw this consensus value?"),
        next((f"{c.vendor.name} · {c.criterion.key}: {c.value}"
              for c in tender.consensus if c.id == consensus_id), ""),
        url_for("results.consensus", tender_id=tender_id),
    )
    if asking is not None:
        return asking
    if ActionForm().validate_on_submit():
        try:
            consensus_service.remove_consensus(get_session(), tender_id, consensus_id, actor=user())
        except ServiceError as error:
            flash_error(error)
        else:
            flash(_("Consensus value withdrawn."), "success")
    return redirect(url_for("results.consensus", tender_id=tender_id))
