"""People and their logins: create, disable, change password, log in, log out."""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.orm.util import identity_key
from werkzeug.security import check_password_hash, generate_password_hash

from selector.scoring.limits import USERNAME_RE
from selector.scoring.model import Text
from selector.services import NotFound, ServiceError, audit, refuse_control_characters
from selector.services.passwords import password_problem
from selector.services.uow import unit_of_work
from selector.store.db import write_transaction
from selector.store.models import Role, User, new_session_token, utcnow

# Checked against when the username is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("selector-timing-equaliser")


#: werkzeug's password hashing; the app passes its `PASSWORD_HASH_METHOD` (tests: cheaper).
DEFAULT_HASH_METHOD = "scrypt"


def hash_method_of(config: Mapping[str, Any]) -> str:
    """How passwords are hashed under these settings (`PASSWORD_HASH_METHOD`; tests set a
    cheaper one): the web app and the command line read it here."""
    return str(config.get("PASSWORD_HASH_METHOD") or DEFAULT_HASH_METHOD)


def _hash(password: str, method: str) -> str:
    return generate_password_hash(password, method=method or DEFAULT_HASH_METHOD)


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
        raise NotFound(Text(zh="用户不存在。", en="No such user."))
    return user


def find_user(session: Session, username: str) -> User | None:
    """The user of this username (any case, spaces around ignored), or None."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):  # no such user, and nothing the database must parse
        return None
    return session.scalar(select(User).where(User.username == username))


def load_login(
    session: Session, login_id: str, revision: tuple[int, str] | None = None
) -> User | None:
    """The user behind a login cookie's id (`<user id>:<session token>`), if it is still valid.

    The token changes at logout, when an admin disables the user and when the password
    changes, so a copied cookie stops working at once. With the data's `revision` (the
    audit chain's head, `record.revision`, read first in the request's transaction) the
    user's row as read at that revision is reused (`_Logins`) instead of read again.
    """
    user_part, _sep, token = login_id.partition(":")
    if not user_part.isdigit() or len(user_part) > 12 or not token:
        return None
    user_id = int(user_part)
    if revision is None:
        user = LOGINS.load(session, user_id)
    else:
        user = LOGINS.user(session, user_id, revision)
    if user is None or not user.active or user.session_token != token:
        return None
    return user


class _Logins:
    """Users' rows as read at a revision of the data, the last `size` per database.

    Every change of a user's row — a login, logout, disabling, a new password, the contact —
    appends an audit event in its own transaction, which moves the revision: a row kept
    under a revision is what the database holds while the revision stays. The request's
    user is then made from it without a query (`make_transient_to_detached`: as if loaded).
    """

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._by_database: weakref.WeakKeyDictionary[Any, OrderedDict[Any, dict[str, Any]]] = (
            weakref.WeakKeyDictionary()
        )
        self._names = [attr.key for attr in inspect(User).column_attrs]
        self._manager = manager_of_class(User)
        # built once: building a statement costs more than running it
        self._row = select(*(getattr(User, name) for name in self._names)).where(
            User.id == bindparam("user_id")
        )

    def user(self, session: Session, user_id: int, revision: tuple[int, str]) -> User | None:
        bind = session.get_bind()
        database = getattr(bind, "engine", bind)
        key = (user_id, revision)
        with self._lock:
            rows = self._by_database.setdefault(database, OrderedDict())
            row = rows.get(key)
            if row is not None:
                rows.move_to_end(key)
        if row is None:
            present = session.identity_map.get(identity_key(User, user_id))
            if present is not None:
                return present
            user = self.load(session, user_id)
            if user is not None:
                with self._lock:
                    rows[key] = {name: getattr(user, name) for name in self._names}
                    while len(rows) > self.size:
                        rows.popitem(last=False)
            return user
        return self._attach(session, user_id, row)

    def load(self, session: Session, user_id: int) -> User | None:
        """The user's row, read now (as `session.get`, at a fraction of the ORM's cost: one
        prepared statement, the row made into the session's user by `_attach`)."""
        found = session.connection().execute(self._row, {"user_id": user_id}).first()
        if found is None:
            return None
        return self._attach(session, user_id, dict(zip(self._names, found, strict=True)))

    def _attach(self, session: Session, user_id: int, row: dict[str, Any]) -> User:
        present = session.identity_map.get(identity_key(User, user_id))
        if present is not None:  # the session's own user comes first, as for session.get
            return present
        kept: User = self._manager.new_instance()
        kept.__dict__.update(row)  # the columns as a query loads them: no change to flush
        make_transient_to_detached(kept)
        session.add(kept)
        return kept


LOGINS = _Logins()


def _check_password(password: str, user: User | None = None, **names: str) -> None:
    """Refuse a password the policy (`selector.services.passwords`) does not accept."""
    if user is not None:
        names = {"username": user.username, "display_name": user.display_name}
    problem = password_problem(password, **names)
    if problem is not None:
        raise ServiceError(problem, field="password")


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    actor: User | None = None,
    hash_method: str = DEFAULT_HASH_METHOD,
    email: str = "",
    language: str = "zh",
) -> User:
    """Create a user with a hashed password (`hash_method`, scrypt by default), the e-mail
    address reminders go to (optional) and the language they are written in.

    Raises ServiceError naming the field: a username that is malformed or taken, an unknown
    role, a password the policy refuses (`selector.services.passwords`).
    """
    username = username.strip().lower()
    display_name = display_name.strip() or username
    refuse_control_characters(
        display_name, field="display_name", label=Text(zh="姓名", en="The full name")
    )
    if not USERNAME_RE.match(username):
        raise ServiceError(
            Text(
                zh="用户名只能包含小写字母、数字以及“.”“_”“-”(2 到 64 个字符,以字母或数字开头)。",
                en=(
                    "The username may use only lower-case letters, digits, '.', '_' and '-' (2 to "
                    "64 characters, starting with a letter or digit)."
                ),
            ),
            field="username",
        )
    if role not in set(Role):
        raise ServiceError(
            Text(
                zh="未知角色:请选择管理员、评审主任、评委或观察员。",
                en="Unknown role: choose admin, chair, evaluator or observer.",
            ),
            field="role",
        )
    if len(display_name) > 200:
        raise ServiceError(
            Text(
                zh="姓名过长:最多 200 个字符。",
                en="The name is too long: use at most 200 characters.",
            ),
            field="display_name",
        )
    _check_password(password, username=username, display_name=display_name)
    email, language = _contact(email, language)
    taken = ServiceError(
        Text(
            zh=f"用户名“{username}”已被占用:请换一个。",
            en=f"The username '{username}' is taken: choose another.",
        ),
        field="username",
    )
    # a concurrent request creating the same username first: refused as if it came second
    with unit_of_work(session, on_conflict=taken):
        if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
            raise taken
        user = User(
            username=username,
            display_name=display_name,
            password_hash=_hash(password, hash_method),
            role=role,
            active=True,
            session_token=new_session_token(),
            email=email,
            language=language,
        )
        session.add(user)
        session.flush()
        audit(session, "user.create", actor=actor, user=username, role=role)
    return user


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGES = ("zh", "en")


def _contact(email: str, language: str) -> tuple[str, str]:
    """The address and language as stored; ServiceError naming the field otherwise."""
    email = (email or "").strip()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise ServiceError(
            Text(
                zh="电子邮箱格式不正确:请填写如 name@example.com 的地址,或留空。",
                en="The e-mail address is not valid: write one like name@example.com, or leave "
                "it empty.",
            ),
            field="email",
        )
    language = (language or "zh").strip()
    if language not in LANGUAGES:
        raise ServiceError(
            Text(zh="请选择中文或英文。", en="Choose Chinese or English."), field="language"
        )
    return email, language


def set_contact(
    session: Session, user_id: int, *, email: str, language: str, actor: User | None = None
) -> User:
    """Set where a user's reminders go and their language (the address may be empty)."""
    email, language = _contact(email, language)
    with write_transaction(session):
        user = get_user(session, user_id)
        user.email, user.language = email, language
        audit(session, "user.contact", actor=actor, user=user.username, language=language)
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor: User | None = None) -> User:
    """Enable or disable a user; disabling ends their sessions at once."""
    with write_transaction(session):
        user = get_user(session, user_id)
        if actor is not None and actor.id == user.id and not active:
            raise ServiceError(
                Text(zh="您不能停用自己的账户。", en="You cannot disable your own account.")
            )
        user.active = active
        user.session_token = new_session_token()
        audit(session, "user.enable" if active else "user.disable", actor=actor, user=user.username)
    return user


def set_password(
    session: Session,
    user_id: int,
    password: str,
    *,
    actor: User | None = None,
    hash_method: str = DEFAULT_HASH_METHOD,
) -> User:
    """Set a new password (hashed with `hash_method`); the user's other sessions end."""
    with write_transaction(session):
        user = get_user(session, user_id)
        _check_password(password, user)
        user.password_hash = _hash(password, hash_method)
        user.session_token = new_session_token()
        audit(session, "user.password", actor=actor, user=user.username)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None. Records the attempt: a
    login, or a failed one naming the account when it exists (never the password, nor
    what was typed as an unknown username)."""
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
        elif user is not None:
            # The account's username only: what was typed for an unknown one is never kept
            # (it may be a password typed in the wrong field, and it is the attacker's text).
            audit(session, "login.failed", username=user.username)
        else:
            audit(session, "login.failed")
    return user if ok else None


def end_sessions(session: Session, user_id: int) -> None:
    """Log a user out everywhere: a new session token invalidates every login cookie."""
    with write_transaction(session):
        user = get_user(session, user_id)
        user.session_token = new_session_token()
        audit(session, "logout", actor=user)
