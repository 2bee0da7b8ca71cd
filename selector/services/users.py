"""People and their logins: create, disable, change password, log in, log out."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from selector.services import NotFound, ServiceError, audit
from selector.store.db import write_transaction
from selector.store.models import Role, User, new_session_token, utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
# Checked against when the username is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("selector-timing-equaliser")


def _hash(password: str) -> str:
    """scrypt by default; tests may set a cheaper `PASSWORD_HASH_METHOD`."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    return generate_password_hash(password, method=method)


def list_users(session: Session) -> list[User]:
    """Every user, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def users_with_role(session: Session, role: str) -> list[User]:
    """Active users of one role, by username (e.g. the evaluators a chair can assign)."""
    return list(
        session.scalars(
            select(User).where(User.role == role, User.active.is_(True)).order_by(User.username)
        )
    )


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def load_login(session: Session, login_id: str) -> User | None:
    """The user behind a login cookie's id (`<user id>:<session token>`), if it is still valid.

    The token changes at logout, when an admin disables the user and when the password
    changes, so a copied cookie stops working at once.
    """
    user_part, _sep, token = login_id.partition(":")
    if not user_part.isdigit() or not token:
        return None
    user = session.get(User, int(user_part))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(
            _("The password is too short: use at least %(n)d characters.", n=MIN_PASSWORD),
            field=field,
        )
    if len(password) > MAX_PASSWORD:
        raise ServiceError(
            _("The password is too long: use at most %(n)d characters.", n=MAX_PASSWORD),
            field=field,
        )


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    actor: User | None = None,
) -> User:
    """Create a user with a hashed (scrypt) password.

    Raises ServiceError naming the field: a username that is malformed or taken, an unknown
    role, a password shorter than 8 characters.
    """
    username = username.strip().lower()
    display_name = display_name.strip() or username
    if not USERNAME_RE.match(username):
        raise ServiceError(
            _(
                "The username may use only lower-case letters, digits, '.', '_' and '-' "
                "(2 to 64 characters, starting with a letter or digit)."
            ),
            field="username",
        )
    if role not in set(Role):
        raise ServiceError(
            _("Unknown role: choose admin, chair, evaluator or observer."), field="role"
        )
    if len(display_name) > 200:
        raise ServiceError(
            _("The name is too long: use at most 200 characters."), field="display_name"
        )
    _check_password(password)
    with write_transaction(session):
        taken = session.scalar(
            select(func.count()).select_from(User).where(User.username == username)
        )
        if taken:
            raise ServiceError(
                _("The username '%(name)s' is taken: choose another.", name=username),
                field="username",
            )
        user = User(
            username=username,
            display_name=display_name,
            password_hash=_hash(password),
            role=role,
            active=True,
            session_token=new_session_token(),
        )
        session.add(user)
        session.flush()
        audit(session, "user.create", actor=actor, user=username, role=role)
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor: User | None = None) -> User:
    """Enable or disable a user; disabling ends their sessions at once."""
    with write_transaction(session):
        user = get_user(session, user_id)
        if actor is not None and actor.id == user.id and not active:
            raise ServiceError(_("You cannot disable your own account."))
        user.active = active
        user.session_token = new_session_token()
        audit(session, "user.enable" if active else "user.disable", actor=actor, user=user.username)
    return user


def set_password(
    session: Session, user_id: int, password: str, *, actor: User | None = None
) -> User:
    """Set a new password; the user's other sessions end."""
    _check_password(password)
    with write_transaction(session):
        user = get_user(session, user_id)
        user.password_hash = _hash(password)
        user.session_token = new_session_token()
        audit(session, "user.password", actor=actor, user=user.username)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None. Records the attempt."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password) and user.active
    with write_transaction(session):
        if ok and user is not None:
            user = session.get(User, user.id)
            assert user is not None
            user.last_login_at = utcnow()
            audit(session, "login", actor=user)
        else:
            audit(session, "login.failed", username=username.strip().lower()[:64])
    return user if ok else None


def end_sessions(session: Session, user_id: int) -> None:
    """Log a user out everywhere: a new session token invalidates every login cookie."""
    with write_transaction(session):
        user = get_user(session, user_id)
        user.session_token = new_session_token()
        audit(session, "logout", actor=user)
