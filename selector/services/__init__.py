"""Services: the only code that changes the database.

Each public function loads the rows it needs, applies the rules (calling the scoring core
where numbers are involved), writes an `AuditEvent`, and commits — all in one transaction:
`selector.services.uow.tender_change` opens it, checks who may act and in which states, and
hands back the tender and an `audit` bound to it. Views call exactly one service function per
action. Errors a person can fix are raised as `ServiceError` with a bilingual `Text` that
names the field and the fix. Services know nothing of Flask: the web layer picks the language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from selector.scoring.limits import MAX_TEXT, forbidden_character
from selector.scoring.model import Text
from selector.store.audit import append
from selector.store.models import AuditEvent, Tender, User

#: The key of `Session.info` under which the web layer puts the request's remote address.
REMOTE_ADDR = "remote_addr"


class ServiceError(Exception):
    """A request the rules refuse. `message` is for the person; `field` names the form field.

    `message` and each line of `problems` (e.g. one per row of an uploaded file) are
    bilingual `Text`s: the web shows them in the page's language, the command line in its
    own. A plain string stands for both languages (a text already in the reader's language).
    """

    def __init__(
        self,
        message: Text | str,
        *,
        field: str | None = None,
        problems: Sequence[str | Text] | None = None,
        anchors: Sequence[str] | None = None,
    ) -> None:
        self.message: Text = _text(message)
        super().__init__(self.message.en)
        self.field = field
        self.problems: list[Text] = [_text(p) for p in problems or []]
        # where each problem is shown on the tender's decision-checks page (a fragment id),
        # so that the web can link it: a refused finalise links every open flag
        self.anchors: list[str] = list(anchors or [])


def _text(value: Text | str) -> Text:
    return value if isinstance(value, Text) else Text(zh=str(value), en=str(value))


def too_long(what: Text, limit: int) -> Text:
    """`The reason is too long: use at most 2000 characters.` for `what` (`The reason`)."""
    return Text(
        zh=f"{what.zh}过长:最多 {limit} 个字符。",
        en=f"{what.en} is too long: use at most {limit} characters.",
    )


def written(
    value: str | None,
    *,
    field: str,
    what: Text,
    missing: Text | None = None,
    limit: int = MAX_TEXT,
    multiline: bool = True,
) -> str:
    """What a person wrote in `field`, without surrounding spaces.

    ServiceError on `field` when it is longer than `limit` characters (the limits of
    `selector.scoring.limits`), when it is empty and `missing` says what to write, or when it
    holds a control character (`refuse_control_characters`; tab and line breaks pass where
    `multiline`, as in a reason or a comment, not in a name).
    """
    text = refuse_control_characters(
        (value or "").strip(), field=field, label=what, multiline=multiline
    )
    if missing is not None and not text:
        raise ServiceError(missing, field=field)
    if len(text) > limit:
        raise ServiceError(too_long(what, limit), field=field)
    return text


class NotFound(ServiceError):
    """The thing does not exist, or the user may not know that it does (HTTP 404)."""


class Forbidden(ServiceError):
    """The user may see the thing but not do this to it (HTTP 403)."""


class StaleEdit(ServiceError):
    """Someone else saved the record since the form was loaded (optimistic lock)."""


class Conflict(ServiceError):
    """A concurrent request wrote the same unique row first (HTTP 409): nothing was saved."""


def refuse_control_characters(
    value: str, *, field: str, label: Text, multiline: bool = False
) -> str:
    """`value`, unless it holds a character no stored text may (`limits.forbidden_character`):
    then ServiceError naming the field. Tab and line breaks pass where `multiline`."""
    char = forbidden_character(value, multiline=multiline)
    if char is not None:
        raise ServiceError(
            Text(
                zh=f"{label.zh}含有控制字符 {char},无法保存或打印:请删除它。",
                en=f"{label.en} holds the control character {char}, which cannot be stored "
                "or printed: remove it.",
            ),
            field=field,
        )
    return value


def audit(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    actor_id: int | None = None,
    tender: Tender | None = None,
    tender_id: int | None = None,
    ends_transaction: bool = False,
    **detail: Any,
) -> AuditEvent:
    """Append an audit event to the chain, in the session's current write transaction.

    The actor and the tender by row or by id (an id reads no expired row again).
    The remote address comes from `session.info["remote_addr"]`, which the web layer sets
    per request (services never see the request); the command line leaves it empty.
    `ends_transaction`: nothing follows but the commit (`selector.store.audit.append`).
    """
    if tender is not None and tender.id is None:
        session.flush()
    return append(
        session,
        action,
        actor_id=actor.id if actor is not None else actor_id,
        tender_id=tender.id if tender is not None else tender_id,
        detail=detail,
        remote_addr=session.info.get(REMOTE_ADDR),
        ends_transaction=ends_transaction,
    )
