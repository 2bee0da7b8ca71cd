"""Decision checks: the flags with the chair's review notes, the stability summary, and the
"what if" panel that re-ranks the vendors under other group weights (nothing stored)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from selector.scoring.limits import MAX_TEXT
from selector.scoring.sensitivity import weight_flips
from selector.services import ServiceError, access, decisions, templates, views
from selector.store.db import get_session
from selector.web.auth import roles_required, user
from selector.web.forms import Form, flash_error, flash_form_errors, refusal_status
from selector.web.i18n import current_lang

bp = Blueprint("decisions", __name__, url_prefix="/tenders")

WEIGHT_FIELD = "w."  # query parameter prefix of a group's weight: w.<group id>=<percent>


class FlagNoteForm(Form):
    """One review note for the flags ticked (or every open flag of the kinds ticked)."""

    flag_ids = SelectMultipleField(validate_choice=False)
    kinds = SelectMultipleField(validate_choice=False)
    criteria = SelectMultipleField(validate_choice=False)
    note = TextAreaField(
        _l("Review note"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    submit = SubmitField(_l("Record the note on the ticked flags"))


@bp.get("/<int:tender_id>/decisions")
@login_required
def show(tender_id: int) -> Any:
    """Flags with their review notes (the chair notes several at once) and the stability
    summary: margin, weight break-evens, leave-one-out winners."""
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    page = decisions.tender_checks(session, tender.id)
    return render_template(
        "decisions/show.html",
        tender=views.tender_heading(tender),
        template=templates.template_of(tender),
        result=page.result,
        sensitivity=page.checks.sensitivity if page.checks else None,
        problems=page.problems,
        board=page.board,
        names=page.names,
        form=FlagNoteForm(formdata=None),
        may_review=user().role == "chair" and tender.state == "closed",
        is_chair=user().role == "chair" and tender.chair_id == user().id,
        lang=current_lang(),
    )


@bp.post("/<int:tender_id>/decisions/review")
@roles_required("chair")
def review(tender_id: int) -> Any:
    """Record the chair's note on the ticked flags."""
    session = get_session()
    access.chaired_tender(session, tender_id, user())
    form = FlagNoteForm()
    status = 422
    if form.validate_on_submit():
        try:
            recorded = decisions.review_flags(
                session,
                tender_id,
                actor=user(),
                flag_ids=form.flag_ids.data or [],
                kinds=form.kinds.data or [],
                criteria=form.criteria.data or [],
                note=form.note.data or "",
            )
        except ServiceError as error:
            flash_error(error)
            status = refusal_status(error)
        else:
            flash(_("Review note recorded on %(n)d flags.", n=len(recorded)), "success")
            return redirect(url_for("decisions.show", tender_id=tender_id, _anchor="flags"))
    else:
        flash_form_errors(form)
    return show(tender_id), status


@bp.get("/<int:tender_id>/what-if")
@login_required
def what_if(tender_id: int) -> Any:
    """The ranking under the group weights given as `w.<group id>` (0–100), recomputed by
    the scoring core from the stored entries; `anchor` names the group that was moved (it
    keeps its weight, the others fill the rest in proportion). `fragment=1` returns only the
    ranking, for the page's script (which shows no break-evens: they are computed only for
    the whole page)."""
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    weights = {
        key[len(WEIGHT_FIELD) :]: value
        for key, value in request.args.items()
        if key.startswith(WEIGHT_FIELD)
    }
    problem: ServiceError | None = None
    outcome: decisions.WhatIf | None = None
    try:
        current = decisions.scored(session, tender.id)
    except ServiceError as error:
        problem = error
    else:
        try:
            outcome = decisions.what_if(
                current, weights, anchor=request.args.get("anchor") or None
            )
        except ServiceError as error:
            problem = error
            if weights:  # fall back to the tender's own weights, and say why
                try:
                    outcome = decisions.what_if(current, {})
                except ServiceError as second:
                    problem = second
    fragment = request.args.get("fragment") == "1"
    context = {
        "tender": tender,
        "template": templates.template_of(tender),
        "outcome": outcome,
        "break_evens": weight_flips(outcome.current) if outcome and not fragment else {},
        "problem": problem,
        "weight_field": WEIGHT_FIELD,
        "lang": current_lang(),
    }
    status = 422 if problem is not None and outcome is not None else 200
    if fragment:
        return render_template("decisions/_what_if_ranking.html", **context), status
    return render_template("decisions/what_if.html", **context), status
