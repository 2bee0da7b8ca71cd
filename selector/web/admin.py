"""User administration: create users, disable or enable them, set passwords."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from selector.scoring import words
from selector.services import ServiceError, views
from selector.services import users as user_service
from selector.store.db import get_session
from selector.store.models import User
from selector.web.auth import password_hash_method, roles_required, user
from selector.web.confirm import unconfirmed
from selector.web.forms import (
    ActionForm,
    ContactForm,
    PasswordForm,
    UserCreateForm,
    apply_error,
    flash_error,
)
from selector.web.i18n import current_lang

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _role_choices() -> list[tuple[str, str]]:
    return [(key, name.get(current_lang())) for key, name in words.ROLE_NAMES.items()]


def _page(form: UserCreateForm, status: int = 200) -> Any:
    form.role.choices = _role_choices()
    return render_template(
        "admin/users.html",
        users=views.user_lines(user_service.list_users(get_session())),
        form=form,
        action_form=ActionForm(formdata=None),
        password_form=PasswordForm(formdata=None),
    ), status


@bp.get("/users")
@roles_required("admin")
def users() -> Any:
    """Every user, with their role and state, and a form to add one."""
    form = UserCreateForm(formdata=None)
    form.role.data = "evaluator"
    return _page(form)


@bp.post("/users")
@roles_required("admin")
def create() -> Any:
    """Create a user."""
    form = UserCreateForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        try:
            created = user_service.create_user(
                get_session(),
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                password=form.password.data or "",
                role=form.role.data or "",
                actor=user(),
                hash_method=password_hash_method(),
                email=form.email.data or "",
                language=form.language.data or "zh",
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(_("User '%(name)s' created.", name=created.username), "success")
            return redirect(url_for("admin.users"))
    return _page(form, 422)


@bp.post("/users/<int:user_id>/<any(disable, enable):action>")
@roles_required("admin")
def set_active(user_id: int, action: str) -> Any:
    """Disable (ends their sessions at once, once confirmed) or enable a user."""
    if action == "disable":
        target = get_session().get(User, user_id)
        asking = unconfirmed(
            _("Disable this user? Their sessions end at once."),
            f"{target.display_name} ({target.username})" if target else "",
            url_for("admin.users"),
        )
        if asking is not None:
            return asking
    if ActionForm().validate_on_submit():
        try:
            changed = user_service.set_active(
                get_session(), user_id, action == "enable", actor=user()
            )
        except ServiceError as error:
            flash_error(error)
        else:
            message = (
                _("User '%(name)s' enabled.", name=changed.username)
                if action == "enable"
                else _(
                    "User '%(name)s' disabled; their sessions have ended.", name=changed.username
                )
            )
            flash(message, "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def set_password(user_id: int) -> Any:
    """Set a new password for a user (their sessions end)."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            changed = user_service.set_password(
                get_session(),
                user_id,
                form.password.data or "",
                actor=user(),
                hash_method=password_hash_method(),
            )
        except ServiceError as error:
            flash_error(error)
        else:
            flash(_("New password set for '%(name)s'.", name=changed.username), "success")
    else:
        for message in form.password.errors:
            flash(f"{form.password.label.text}: {message}", "error")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/contact")
@roles_required("admin")
def set_contact(user_id: int) -> Any:
    """Set where a user's reminders go, and their language."""
    form = ContactForm()
    if form.validate_on_submit():
        try:
            changed = user_service.set_contact(
                get_session(),
                user_id,
                email=form.email.data or "",
                language=form.language.data or "zh",
                actor=user(),
            )
        except ServiceError as error:
            flash_error(error)
            return _page(UserCreateForm(formdata=None), 422)
        flash(_("E-mail and language saved for '%(name)s'.", name=changed.username), "success")
        return redirect(url_for("admin.users"))
    for name, errors in form.errors.items():
        for message in errors:
            flash(f"{getattr(form, name).label.text}: {message}", "error")
    return _page(UserCreateForm(formdata=None), 422)
