"""The evaluator's pages: declare conflicts, then one score sheet per vendor, or one
criterion across their vendors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from selector.mail import today_of
from selector.scoring import rules
from selector.services import ServiceError, StaleEdit, reminders, sheets
from selector.services.outcome import evaluator_outcome
from selector.store.db import get_session
from selector.web.auth import roles_required, user
from selector.web.forms import (
    ConflictForm,
    apply_error,
    comment_field_name,
    criterion_form,
    refusal_status,
    score_sheet_form,
    value_field_name,
    version_field_name,
)
from selector.web.i18n import current_lang, text
from selector.web.pagecache import kept_page

bp = Blueprint("evaluate", __name__, url_prefix="/tenders")

# The sheet's fields of a comment's reference to a document: `ref-<criterion>` (the
# document's id) and `page-<criterion>` (templates/evaluate/_reference.html).
REFERENCE_FIELD = "ref-"
PAGE_FIELD = "page-"


@bp.get("/<int:tender_id>/evaluate")
@roles_required("evaluator")
def workspace(tender_id: int) -> Any:
    """The evaluator's tender page: the declaration first, then their sheets."""
    space = sheets.workspace(get_session(), tender_id, user())
    form = ConflictForm(formdata=None)
    form.vendors.choices = list(space.vendors)
    return render_template("evaluate/workspace.html", space=space, form=form, **_deadline(space))


@bp.post("/<int:tender_id>/evaluate/conflicts")
@roles_required("evaluator")
def declare(tender_id: int) -> Any:
    """Record the evaluator's conflict-of-interest declaration."""
    session = get_session()
    space = sheets.workspace(session, tender_id, user())
    form = ConflictForm()
    form.vendors.choices = list(space.vendors)
    if form.validate_on_submit():
        try:
            sheets.declare_conflicts(
                session,
                tender_id,
                evaluator=user(),
                vendor_ids=[] if form.no_conflict.data else list(form.vendors.data or []),
                statement=form.statement.data or "",
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Your declaration is recorded."), "success")
            return redirect(url_for("evaluate.workspace", tender_id=tender_id))
    space = sheets.workspace(session, tender_id, user())
    return render_template(
        "evaluate/workspace.html", space=space, form=form, **_deadline(space)
    ), 422


def _deadline(space: sheets.Workspace) -> dict[str, Any]:
    """The time left before the due date, and the sheets the evaluator has not submitted."""
    left = [line.vendor for line in space.lines if line.state not in ("submitted", "conflict")]
    return {
        "deadline": reminders.time_left(space.due_on, today_of(current_app.config)),
        "left": left,
    }


def _sheet_form(context: sheets.SheetContext) -> Any:
    """The sheet's form filled with what is stored (not with what was posted)."""
    data: dict[str, Any] = {"version": context.version}
    for criterion in context.criteria:
        data[value_field_name(criterion.id)] = context.values.get(criterion.id) or None
        data[comment_field_name(criterion.id)] = context.comments.get(criterion.id, "")
    return score_sheet_form(context.criteria, current_lang(), formdata=None, data=data)


def _render_sheet(
    context: sheets.SheetContext,
    form: Any,
    status: int = 200,
    field_errors: dict[str, str] | None = None,
    unsaved: list[tuple[str, str, str]] | None = None,
) -> Any:
    lang = current_lang()
    return render_template(
        "evaluate/sheet.html",
        ctx=context,
        form=form,
        field_errors=field_errors or {},
        choices={c.id: rules.choices(c) for c in context.criteria},
        comment_required={
            c.id: {ch.key for ch in rules.choices(c) if rules.comment_required(c, ch.key)}
            for c in context.criteria
        },
        value_field_name=value_field_name,
        comment_field_name=comment_field_name,
        lang=lang,
        unsaved=unsaved or [],
        reference_field=REFERENCE_FIELD,
        page_field=PAGE_FIELD,
    ), status


@bp.route("/<int:tender_id>/evaluate/<int:vendor_id>", methods=["GET", "POST"])
@roles_required("evaluator")
@kept_page  # the GET
def sheet(tender_id: int, vendor_id: int) -> Any:
    """One vendor's score sheet: save as draft, or submit (then read-only)."""
    session = get_session()
    if request.method == "GET":
        context = sheets.sheet_context(session, tender_id, vendor_id, user())
        return _render_sheet(context, _sheet_form(context))
    # A save reads only what its form needs (the same checks first); the page's context is
    # built when the form is shown again.
    checked = sheets.sheet_criteria(session, tender_id, vendor_id, user())
    criteria = checked.criteria
    form = score_sheet_form(criteria, current_lang())
    submit = bool(form.submit_sheet.data)
    if not form.validate_on_submit():
        errors = {
            c.id: " ".join(
                str(e)
                for e in (
                    form[value_field_name(c.id)].errors + form[comment_field_name(c.id)].errors
                )
            )
            for c in criteria
            if form[value_field_name(c.id)].errors or form[comment_field_name(c.id)].errors
        }
        csrf_field = getattr(form, "csrf_token", None)
        if form.version.errors or (csrf_field is not None and csrf_field.errors):
            flash(_("The form has expired: reload the page and try again."), "error")
        else:
            flash(_("Nothing was saved: please correct the criteria marked below."), "error")
        context = sheets.sheet_context(session, tender_id, vendor_id, user())
        return _render_sheet(context, form, 422, errors)
    values = {c.id: request.form.get(value_field_name(c.id), "") for c in criteria}
    comments = {c.id: request.form.get(comment_field_name(c.id), "") for c in criteria}
    references = {  # the documents the comments cite, where the sheet offered the choice
        c.id: (request.form.get(REFERENCE_FIELD + c.id, ""),
               request.form.get(PAGE_FIELD + c.id, ""))
        for c in criteria
        if REFERENCE_FIELD + c.id in request.form or PAGE_FIELD + c.id in request.form
    }
    try:
        outcome = sheets.save_sheet(
            session,
            tender_id,
            vendor_id,
            evaluator=user(),
            version=form.version.data or 0,
            values=values,
            comments=comments,
            submit=submit,
            references=references,
            checked=checked,
        )
    except sheets.SheetInvalid as error:
        flash(text(error.message), "error")
        context = sheets.sheet_context(session, tender_id, vendor_id, user())
        return _render_sheet(context, form, 422, error.fields)
    except StaleEdit as error:
        flash(text(error.message), "error")
        fresh = sheets.sheet_context(session, tender_id, vendor_id, user())
        lang = current_lang()
        unsaved = [
            (c.title.get(lang), values[c.id], comments[c.id])
            for c in criteria
            if values[c.id] or comments[c.id]
        ]
        return _render_sheet(fresh, _sheet_form(fresh), 409, unsaved=unsaved)
    except ServiceError as error:  # the tender or the sheet no longer takes changes
        flash(text(error.message), "error")
        fresh = sheets.sheet_context(session, tender_id, vendor_id, user())
        return _render_sheet(fresh, _sheet_form(fresh), refusal_status(error))
    if outcome.already_submitted:
        flash(_("This sheet was already submitted; it is stored once."), "info")
    elif outcome.submitted:
        flash(_("Sheet submitted. Thank you."), "success")
        return redirect(url_for("evaluate.workspace", tender_id=tender_id))
    else:
        flash(_("Draft saved."), "success")
    return redirect(url_for("evaluate.sheet", tender_id=tender_id, vendor_id=vendor_id))


def _criterion_form(page: sheets.CriterionPage, formdata: Any = None) -> Any:
    """The by-criterion form over the rows that can still change."""
    rows = [row for row in page.rows if row.editable]
    vendors = [(row.vendor_id, row.vendor) for row in rows]
    lang = current_lang()
    if formdata is None:
        data: dict[str, Any] = {}
        for row in rows:
            data[value_field_name(str(row.vendor_id))] = row.value or None
            data[comment_field_name(str(row.vendor_id))] = row.comment
            data[version_field_name(row.vendor_id)] = row.version
        return criterion_form(page.criterion, vendors, lang, formdata=None, data=data)
    return criterion_form(page.criterion, vendors, lang)


def _render_criterion(
    page: sheets.CriterionPage,
    form: Any,
    status: int = 200,
    field_errors: dict[int, Any] | None = None,
    unsaved: list[tuple[str, str, str]] | None = None,
) -> Any:
    criterion = page.criterion
    return render_template(
        "evaluate/criterion.html",
        page=page,
        form=form,
        field_errors=field_errors or {},
        choices=rules.choices(criterion),
        comment_required={
            ch.key for ch in rules.choices(criterion) if rules.comment_required(criterion, ch.key)
        },
        value_field_name=value_field_name,
        comment_field_name=comment_field_name,
        lang=current_lang(),
        unsaved=unsaved or [],
    ), status


@bp.route("/<int:tender_id>/evaluate/criteria/<criterion_id>", methods=["GET", "POST"])
@roles_required("evaluator")
def by_criterion(tender_id: int, criterion_id: str) -> Any:
    """One criterion for every vendor the evaluator scores: save the drafts together."""
    session = get_session()
    page = sheets.criterion_page(session, tender_id, criterion_id, user())
    if request.method == "GET":
        return _render_criterion(page, _criterion_form(page))
    form = _criterion_form(page, formdata=request.form)
    rows = [row for row in page.rows if row.editable]
    if not form.validate_on_submit():
        errors = {
            row.vendor_id: " ".join(
                str(e)
                for e in form[value_field_name(str(row.vendor_id))].errors
                + form[comment_field_name(str(row.vendor_id))].errors
            )
            for row in rows
            if form[value_field_name(str(row.vendor_id))].errors
            or form[comment_field_name(str(row.vendor_id))].errors
        }
        csrf_field = getattr(form, "csrf_token", None)
        expired = any(form[version_field_name(row.vendor_id)].errors for row in rows)
        if expired or (csrf_field is not None and csrf_field.errors):
            flash(_("The form has expired: reload the page and try again."), "error")
        else:
            flash(_("Nothing was saved: please correct the vendors marked below."), "error")
        return _render_criterion(page, form, 422, errors)
    inputs = {
        row.vendor_id: sheets.CriterionInput(
            version=form[version_field_name(row.vendor_id)].data or 0,
            value=request.form.get(value_field_name(str(row.vendor_id)), ""),
            comment=request.form.get(comment_field_name(str(row.vendor_id)), ""),
        )
        for row in rows
    }
    try:
        saved = sheets.save_criterion(
            session, tender_id, criterion_id, evaluator=user(), inputs=inputs
        )
    except sheets.CriterionInvalid as error:
        flash(text(error.message), "error")
        return _render_criterion(page, form, 422, error.fields)
    except StaleEdit as error:
        flash(text(error.message), "error")
        fresh = sheets.criterion_page(session, tender_id, criterion_id, user())
        unsaved = [
            (row.vendor, inputs[row.vendor_id].value, inputs[row.vendor_id].comment)
            for row in rows
            if inputs[row.vendor_id].value or inputs[row.vendor_id].comment
        ]
        return _render_criterion(fresh, _criterion_form(fresh), 409, unsaved=unsaved)
    except ServiceError as error:  # scoring closed, a conflict, a criterion not theirs
        flash(text(error.message), "error")
        fresh = sheets.criterion_page(session, tender_id, criterion_id, user())
        return _render_criterion(fresh, _criterion_form(fresh), refusal_status(error))
    if saved:
        flash(_("Drafts saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(
        url_for("evaluate.by_criterion", tender_id=tender_id, criterion_id=criterion_id)
    )


@bp.get("/<int:tender_id>/outcome")
@roles_required("evaluator")
def outcome(tender_id: int) -> Any:
    """A finalised tender's ranking, with the evaluator's own inputs beside the aggregate."""
    seen = evaluator_outcome(get_session(), tender_id, user())
    return render_template("evaluate/outcome.html", outcome=seen, lang=current_lang())
