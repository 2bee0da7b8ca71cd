"""The chair's pages: create a tender, set it up, run scoring, close, finalise, reopen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from selector.scoring import words
from selector.scoring.numbers import plain
from selector.services import (
    ServiceError,
    access,
    lifecycle,
    loading,
    setup,
    templates,
    users,
    views,
)
from selector.services.templates import (
    available_templates,
    parse_uploaded_template,
    read_template_file,
)
from selector.store.db import get_session
from selector.store.models import Tender, TenderState
from selector.web.auth import roles_required, user
from selector.web.confirm import unconfirmed
from selector.web.documents import document_section
from selector.web.documents import store as document_store
from selector.web.downloads import queue_final_reports
from selector.web.forms import (
    ActionForm,
    AssignmentForm,
    BidForm,
    BidsUploadForm,
    RateForm,
    TemplateUploadForm,
    TenderForm,
    TenderSettingsForm,
    TransitionForm,
    VendorForm,
    apply_error,
    flash_error,
    flash_form_errors,
    parse_decimal,
    refusal_status,
)
from selector.web.i18n import current_lang, text
from selector.web.reminders import deadline_section

bp = Blueprint("tenders", __name__, url_prefix="/tenders")

PERCENT = Decimal(100)


def _method_choices() -> list[tuple[str, str]]:
    return [(key, name.get(current_lang())) for key, name in words.METHOD_NAMES.items()]


def _percent(value: Any) -> Decimal:
    return (parse_decimal(value or "") or Decimal(0)) / PERCENT


@bp.get("/")
@login_required
def index() -> Any:
    """The tenders the logged-in user may see, with what to do next."""
    session = get_session()
    return render_template(
        "tenders/index.html",
        tenders=[views.tender_heading(t) for t in access.tenders_visible_to(session, user())],
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required("chair")
def new() -> Any:
    """Create a tender from a template in criteria/ or an uploaded YAML file."""
    session = get_session()
    choices = available_templates(current_app.config["CRITERIA_DIR"])
    form = TenderForm()
    form.template.choices = [("", _("— upload a file instead —"))] + [
        (c.key, f"{text(c.title)} ({c.key})") for c in choices
    ]
    form.method.choices = _method_choices()
    if not form.is_submitted() and choices:
        form.template.data = choices[0].key
    if form.validate_on_submit():
        try:
            upload = form.template_file.data
            if upload:
                yaml_text, template = parse_uploaded_template(
                    upload.read(), upload.filename or "upload.yaml"
                )
                source = upload.filename or "upload.yaml"
            elif form.template.data:
                yaml_text, template = read_template_file(
                    current_app.config["CRITERIA_DIR"], form.template.data
                )
                source = f"{form.template.data}.yaml"
            else:
                raise ServiceError(_("Choose a template, or upload one."), field="template")
            tender = setup.create_tender(
                session,
                chair=user(),
                name=form.name.data or "",
                organisation=form.organisation.data or "",
                template_yaml=yaml_text,
                template_source=source,
                base_currency=form.base_currency.data or template.currency,
                method=form.method.data or "mean",
                divergence_threshold=_percent(form.divergence_percent.data),
                low_bid_threshold=_percent(form.low_bid_percent.data),
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(
                _("Tender created. Next: add vendors and their bids, then assign evaluators."),
                "success",
            )
            return redirect(url_for("tenders.show", tender_id=tender.id))
    return render_template("tenders/new.html", form=form), 200 if not form.errors else 422


def _manage_page(tender: Tender, status: int = 200, **overrides: Any) -> Any:
    """The chair's tender page with all its forms (one of them possibly showing errors)."""
    session = get_session()
    tender = loading.tender_for_page(session, tender)
    page = views.tender_setup(tender, prices_shown=access.may_see_prices(session, tender, user()))
    template = page.template
    lang = current_lang()
    settings = overrides.pop("settings_form", None) or TenderSettingsForm(
        formdata=None,
        name=tender.name,
        organisation=tender.organisation,
        base_currency=tender.base_currency,
        method=tender.method,
        divergence_percent=plain(tender.divergence_threshold * PERCENT),
        low_bid_percent=plain(tender.low_bid_threshold * PERCENT),
    )
    settings.method.choices = _method_choices()
    bid_form = overrides.pop("bid_form", None) or BidForm(formdata=None)
    bid_form.vendor.choices = [(v.id, v.name) for v in tender.vendors]
    bid_form.component.choices = [
        (c.id, f"{c.title.get(lang)} ({c.id})") for c in template.price_criteria()
    ]
    assignment_form = overrides.pop("assignment_form", None) or AssignmentForm(formdata=None)
    assignment_form.evaluator.choices = [
        (u.id, f"{u.display_name} ({u.username})")
        for u in users.users_with_role(session, "evaluator")
    ]
    assignment_form.groups.choices = [
        (g.key, g.title_zh if lang == "zh" else g.title_en)
        for g in tender.groups
        if g.scored_by_evaluators
    ]
    forms = {
        "settings_form": settings,
        "template_form": overrides.pop("template_form", None) or TemplateUploadForm(formdata=None),
        "vendor_form": overrides.pop("vendor_form", None) or VendorForm(formdata=None),
        "bid_form": bid_form,
        "upload_form": overrides.pop("upload_form", None) or BidsUploadForm(formdata=None),
        "rate_form": overrides.pop("rate_form", None) or RateForm(formdata=None),
        "assignment_form": assignment_form,
        "action_form": ActionForm(formdata=None),
    }
    return (
        render_template(
            "tenders/show.html",
            page=page,
            tender=page.tender,
            template=template,
            progress=lifecycle.progress(session, tender),
            open_problems=lifecycle.open_problems(tender)
            if tender.state == TenderState.DRAFT
            else [],
            price_problems=lifecycle.price_problems(tender)
            if tender.state == TenderState.CLOSED and not access.prices_opened(tender)
            else [],
            prices_opened=access.prices_opened(tender),
            setup_unlocked=lifecycle.setup_unlocked(session, tender),
            price_criteria=template.price_criteria(),
            **document_section(tender, overrides.pop("document_form", None)),
            **deadline_section(tender),
            **forms,
        ),
        status,
    )


def _chaired(tender_id: int) -> Tender:
    return access.chaired_tender(get_session(), tender_id, user())


@bp.get("/<int:tender_id>")
@login_required
def show(tender_id: int) -> Any:
    """A tender: the chair's control page; others are sent to their own view of it."""
    session = get_session()
    tender = access.visible_tender(session, tender_id, user())
    role = user().role
    if role == "evaluator":
        return redirect(url_for("evaluate.workspace", tender_id=tender.id))
    if role == "observer":
        return redirect(url_for("results.show", tender_id=tender.id))
    if role == "admin":
        return render_template("tenders/summary.html", tender=views.tender_heading(tender))
    tender = _chaired(tender_id)
    return _manage_page(tender)


@bp.post("/<int:tender_id>/settings")
@roles_required("chair")
def settings(tender_id: int) -> Any:
    """Save the tender's name, base currency, aggregation method and thresholds."""
    tender = _chaired(tender_id)
    form = TenderSettingsForm()
    form.method.choices = _method_choices()
    if form.validate_on_submit():
        try:
            setup.update_settings(
                get_session(),
                tender.id,
                actor=user(),
                name=form.name.data or "",
                organisation=form.organisation.data or "",
                base_currency=form.base_currency.data or "",
                method=form.method.data or "",
                divergence_threshold=_percent(form.divergence_percent.data),
                low_bid_threshold=_percent(form.low_bid_percent.data),
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="settings"))
    return _manage_page(_chaired(tender_id), 422, settings_form=form)


@bp.post("/<int:tender_id>/template")
@roles_required("chair")
def template(tender_id: int) -> Any:
    """Replace a draft tender's template with an uploaded YAML file."""
    tender = _chaired(tender_id)
    form = TemplateUploadForm()
    if form.validate_on_submit():
        upload = form.template_file.data
        try:
            yaml_text, _template = parse_uploaded_template(
                upload.read(), upload.filename or "upload.yaml"
            )
            asking = unconfirmed(
                _("Replace the template? Bids and assignments will be cleared."),
                f"{tender.template_source} → {upload.filename}",
                url_for("tenders.show", tender_id=tender_id),
                upload=form.template_file,
            )
            if asking is not None:
                return asking
            setup.replace_template(
                get_session(),
                tender.id,
                actor=user(),
                template_yaml=yaml_text,
                template_source=upload.filename or "upload.yaml",
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(
                _("Template replaced. Bids and assignments were cleared: enter them again."),
                "success",
            )
            return redirect(url_for("tenders.show", tender_id=tender.id))
    return _manage_page(_chaired(tender_id), 422, template_form=form)


@bp.post("/<int:tender_id>/vendors")
@roles_required("chair")
def add_vendor(tender_id: int) -> Any:
    """Add a vendor."""
    tender = _chaired(tender_id)
    form = VendorForm()
    if form.validate_on_submit():
        try:
            vendor = setup.add_vendor(
                get_session(), tender.id, actor=user(), name=form.name.data or ""
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Vendor '%(name)s' added.", name=vendor.name), "success")
            return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="vendors"))
    return _manage_page(_chaired(tender_id), 422, vendor_form=form)


@bp.post("/<int:tender_id>/vendors/<int:vendor_id>/delete")
@roles_required("chair")
def remove_vendor(tender_id: int, vendor_id: int) -> Any:
    """Remove a vendor and its bids (draft only), once confirmed."""
    tender = _chaired(tender_id)
    asking = unconfirmed(
        _("Remove this vendor with its bids and documents?"),
        next((v.name for v in tender.vendors if v.id == vendor_id), ""),
        url_for("tenders.show", tender_id=tender_id, _anchor="vendors"),
    )
    if asking is not None:
        return asking
    if ActionForm().validate_on_submit():
        try:
            name = setup.remove_vendor(
                get_session(), tender.id, vendor_id, actor=user(), store=document_store()
            )
        except ServiceError as error:
            flash_error(error)
        else:
            flash(_("Vendor '%(name)s' removed.", name=name), "success")
    return redirect(url_for("tenders.show", tender_id=tender_id, _anchor="vendors"))


@bp.post("/<int:tender_id>/bids")
@roles_required("chair")
def set_bid(tender_id: int) -> Any:
    """Record or correct one bid amount."""
    tender = _chaired(tender_id)
    form = BidForm()
    form.vendor.choices = [(v.id, v.name) for v in tender.vendors]
    form.component.choices = [(c.key, c.key) for c in tender.criteria if c.is_price]
    if form.validate_on_submit():
        try:
            setup.set_bid(
                get_session(),
                tender.id,
                actor=user(),
                vendor_id=form.vendor.data,
                component=form.component.data or "",
                amount=parse_decimal(form.amount.data or "") or Decimal(0),
                currency=form.currency.data or None,
                reason=form.reason.data or "",
                confirmed=bool(form.confirm.data),
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Bid saved."), "success")
            return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="bids"))
    return _manage_page(_chaired(tender_id), 422, bid_form=form)


@bp.post("/<int:tender_id>/bids/<int:bid_id>/delete")
@roles_required("chair")
def remove_bid(tender_id: int, bid_id: int) -> Any:
    """Delete one bid amount, once confirmed."""
    tender = _chaired(tender_id)
    bids = {b.id: b for v in tender.vendors for b in v.bids}
    asking = unconfirmed(
        _("Remove this bid?"),
        f"{bids[bid_id].vendor.name} · {bids[bid_id].criterion.key}" if bid_id in bids else "",
        url_for("tenders.show", tender_id=tender_id, _anchor="bids"),
    )
    if asking is not None:
        return asking
    if ActionForm().validate_on_submit():
        try:
            setup.remove_bid(get_session(), tender_id, bid_id, actor=user())
        except ServiceError as error:
            flash_error(error)
        else:
            flash(_("Bid removed."), "success")
    return redirect(url_for("tenders.show", tender_id=tender_id, _anchor="bids"))


@bp.post("/<int:tender_id>/bids/upload")
@roles_required("chair")
def upload_bids(tender_id: int) -> Any:
    """Read a bids table (CSV or Excel): every row right, or nothing saved."""
    tender = _chaired(tender_id)
    form = BidsUploadForm()
    if form.validate_on_submit():
        upload = form.bids_file.data
        try:
            count = setup.upload_bids(
                get_session(),
                tender.id,
                actor=user(),
                stream=upload.stream,
                filename=upload.filename or "bids.csv",
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("%(n)d bids read from the file.", n=count), "success")
            return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="bids"))
    return _manage_page(_chaired(tender_id), 422, upload_form=form)


@bp.post("/<int:tender_id>/rates")
@roles_required("chair")
def set_rate(tender_id: int) -> Any:
    """Set an exchange rate to the base currency."""
    tender = _chaired(tender_id)
    form = RateForm()
    if form.validate_on_submit():
        try:
            setup.set_rate(
                get_session(),
                tender.id,
                actor=user(),
                currency=form.currency.data or "",
                rate=parse_decimal(form.rate.data or "") or Decimal(0),
                reason=form.reason.data or "",
                confirmed=bool(form.confirm.data),
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("Exchange rate saved."), "success")
            return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="bids"))
    return _manage_page(_chaired(tender_id), 422, rate_form=form)


@bp.post("/<int:tender_id>/rates/<currency>/delete")
@roles_required("chair")
def remove_rate(tender_id: int, currency: str) -> Any:
    """Remove an exchange rate no bid uses, once confirmed."""
    _chaired(tender_id)
    asking = unconfirmed(
        _("Remove this rate?"), currency,
        url_for("tenders.show", tender_id=tender_id, _anchor="bids"),
    )
    if asking is not None:
        return asking
    if ActionForm().validate_on_submit():
        try:
            setup.remove_rate(get_session(), tender_id, currency, actor=user())
        except ServiceError as error:
            flash_error(error)
        else:
            flash(_("Exchange rate removed."), "success")
    return redirect(url_for("tenders.show", tender_id=tender_id, _anchor="bids"))


@bp.post("/<int:tender_id>/assignments")
@roles_required("chair")
def assign(tender_id: int) -> Any:
    """Put an evaluator on the committee, or change their groups and price visibility."""
    tender = _chaired(tender_id)
    session = get_session()
    form = AssignmentForm()
    form.evaluator.choices = [
        (u.id, u.username) for u in users.users_with_role(session, "evaluator")
    ]
    form.groups.choices = [(g.key, g.key) for g in tender.groups if g.scored_by_evaluators]
    if form.validate_on_submit():
        try:
            assignment = setup.assign_evaluator(
                session,
                tender.id,
                actor=user(),
                user_id=form.evaluator.data,
                group_keys=list(form.groups.data or []),
                can_see_prices=bool(form.can_see_prices.data),
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("%(name)s is on the committee.", name=assignment.user.display_name), "success")
            return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="committee"))
    return _manage_page(_chaired(tender_id), 422, assignment_form=form)


@bp.post("/<int:tender_id>/assignments/<int:assignment_id>/delete")
@roles_required("chair")
def unassign(tender_id: int, assignment_id: int) -> Any:
    """Take an evaluator off the committee (before they saved any sheet), once confirmed."""
    tender = _chaired(tender_id)
    asking = unconfirmed(
        _("Take this evaluator off the committee?"),
        next((f"{a.user.display_name} ({a.user.username})"
              for a in tender.assignments if a.id == assignment_id), ""),
        url_for("tenders.show", tender_id=tender_id, _anchor="committee"),
    )
    if asking is not None:
        return asking
    if ActionForm().validate_on_submit():
        try:
            setup.remove_assignment(get_session(), tender_id, assignment_id, actor=user())
        except ServiceError as error:
            flash_error(error)
        else:
            flash(_("Evaluator removed from the committee."), "success")
    return redirect(url_for("tenders.show", tender_id=tender_id, _anchor="committee"))


@bp.route(
    "/<int:tender_id>/<any(open, close, prices, finalise, reopen):action>",
    methods=["GET", "POST"],
)
@roles_required("chair")
def transition(tender_id: int, action: str) -> Any:
    """Confirm, then move the tender on: open, close or finalise scoring, open the price
    envelope, or reopen scoring."""
    session = get_session()
    tender = _chaired(tender_id)
    form = TransitionForm()
    failed = form.is_submitted()
    if form.validate_on_submit():
        try:
            if action == "prices":
                lifecycle.open_prices(session, tender.id, actor=user())
            else:
                lifecycle.transition(
                    session, tender.id, action, actor=user(), reason=form.reason.data or ""
                )
        except ServiceError as error:
            # a refused finalise links each open flag on the decision-checks page
            apply_error(form, error, lambda anchor: url_for(
                "decisions.show", tender_id=tender.id, _anchor=anchor))
        else:
            messages = {
                "open": _("Scoring is open: the evaluators can now declare conflicts and score."),
                "close": _(
                    "Technical scoring is closed. Open the price envelope to see the results."
                ),
                "prices": _("The price envelope is open: the results are ready."),
                "finalise": _("The tender is finalised: observers can now read the results."),
                "reopen": _("Scoring is open again."),
            }
            flash(messages[action], "success")
            if action == "finalise":
                queue_final_reports(session, tender.id)
            if action == "close" and not access.prices_opened(tender):
                return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="next"))
            if action in ("close", "prices", "finalise"):
                return redirect(url_for("results.show", tender_id=tender.id))
            return redirect(url_for("tenders.show", tender_id=tender.id))
    tender = _chaired(tender_id)
    return render_template(
        "tenders/confirm.html",
        tender=views.tender_heading(tender),
        action=action,
        form=form,
        progress=lifecycle.progress(session, tender),
        open_problems=lifecycle.open_problems(tender) if action == "open" else [],
        price_problems=lifecycle.price_problems(tender) if action == "prices" else [],
    ), (422 if failed else 200)


@bp.route("/<int:tender_id>/delete", methods=["GET", "POST"])
@roles_required("chair")
def delete(tender_id: int) -> Any:
    """Confirm, then delete a draft tender."""
    tender = _chaired(tender_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            name = lifecycle.delete_tender(get_session(), tender.id, actor=user())
        except ServiceError as error:
            flash_error(error)
            return redirect(url_for("tenders.show", tender_id=tender_id))
        flash(_("Tender '%(name)s' deleted.", name=name), "success")
        return redirect(url_for("tenders.index"))
    return render_template("tenders/delete.html", tender=views.tender_heading(tender), form=form)


@bp.post("/<int:tender_id>/sheets/<int:sheet_id>/return")
@roles_required("chair")
def return_sheet(tender_id: int, sheet_id: int) -> Any:
    """Give a submitted sheet back to its evaluator as a draft, with a reason."""
    _chaired(tender_id)
    form = TransitionForm()
    status = 422
    if form.validate_on_submit():
        try:
            lifecycle.return_sheet(
                get_session(), tender_id, sheet_id, actor=user(), reason=form.reason.data or ""
            )
        except ServiceError as error:
            flash_error(error)
            status = refusal_status(error)
        else:
            flash(
                _("The sheet is a draft again; its evaluator can change and resubmit it."),
                "success",
            )
            return redirect(url_for("tenders.show", tender_id=tender_id, _anchor="progress"))
    else:
        flash_form_errors(form)
    return _manage_page(_chaired(tender_id), status)


@bp.get("/<int:tender_id>/criteria")
@login_required
def criteria(tender_id: int) -> Any:
    """The tender's criteria, as its template snapshot defines them."""
    tender = access.visible_tender(get_session(), tender_id, user())
    if user().role == "admin":
        abort(403)
    return render_template(
        "tenders/criteria.html",
        tender=views.tender_heading(tender),
        template=templates.template_of(tender),
    )
