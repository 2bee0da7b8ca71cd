"""One unit of work per service verb: transaction → access check → state check → change → audit.

Every verb that changes a tender reads the same way::

    with tender_change(session, tender_id, actor, states=[DRAFT], refusal=...) as change:
        ...  # change change.tender
        change.audit("vendor.add", vendor=name)

`tender_change` opens the write transaction (`selector.store.db.write_transaction`), loads
the tender through an access rule of `selector.services.access` (by default: the actor must
be its chair), refuses with `refusal` unless the tender is in one of `states`, and commits
the change and its audit event together when the block ends — or rolls both back when it
raises.

Concurrent requests on one tender take turns: the unit locks the tender's row first
(`selector.store.db.lock_row`, SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
serialises every write), so a request reads what the one before it committed — a second
click finds the vendor, the declaration or the sheet the first one stored and is answered
as a repeat would be, and a submission either lands before the close or sees it closed.
A unique row inserted concurrently all the same (a username: no tender to lock) raises
IntegrityError at the flush or the commit; `unit_of_work` rolls back and refuses with a
message instead (`Conflict`, or the verb's own refusal), never a 500.

The audit event's ``changes`` come from reading the tender's values before and after the
change (`selector.store.audit.tender_values`), inside the lock. A verb that only writes one
evaluator's sheets (a sheet save) names them as its `scope`: only the state and those
sheets' entries are read, which is the same diff at a fraction of the cost (a save no
longer reads every sheet of the tender twice while the other saves wait). The unit holds it
to that: a flush that would write any other row than the scope's sheets and entries (and
the audit chain's) raises `OutOfScope` and the whole unit rolls back.

A verb may also do its reads and checks before the lock, in the request's read
transaction, and keep for the lock only what depends on them having stayed true
(`prepared_change`, a sheet save): the unit re-reads the tender's state first (locking its
row on PostgreSQL in share mode: such units of one tender run side by side, each writing its
own rows, while a `tender_change` — closing scoring — waits for all of them and they for
it; the audit chain's head still orders their commits), the verb re-checks what else it
read (a sheet's version, with the UPDATE … WHERE version = … that writes it) and raises
`Unprepared` when anything has moved; the unit then rolls back and the verb runs its full
unit instead. Its audit event is the full unit's: the verb states the scope's values before
and after (read before the lock, valid while what it re-checked holds), and the same diff
goes into ``changes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from selector.scoring.model import Text
from selector.services import Conflict, ServiceError, audit
from selector.services.access import chaired_tender
from selector.store.audit import SheetScope, changes, tender_values
from selector.store.db import lock_row, write_transaction
from selector.store.models import AuditChainHead, AuditEvent, Entry, ScoreSheet, Tender, User

#: An access rule: the tender if `actor` may change it, else NotFound or Forbidden.
Access = Callable[[Session, int, User], Tender]


@dataclass
class TenderChange:
    """The open unit of work: the session, the tender being changed and who changes it."""

    session: Session
    tender: Tender
    actor: User
    before: dict[str, Any] = field(default_factory=dict)
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    scope: SheetScope | None = None  # the values the change can touch (None: any)

    def require_state(self, states: Iterable[str], refusal: Text) -> None:
        """Refuse (ServiceError with `refusal`) unless the tender is in one of `states`."""
        if self.tender.state not in tuple(states):
            raise ServiceError(refusal)

    def audit(self, action: str, **detail: Any) -> None:
        """Record `action` by the actor on the tender, in this unit's transaction.

        The event is appended to the chain when the block ends, after the change: the last
        event of the unit carries ``changes``, each stored value the unit changed as
        ``key: [before, after]`` (`selector.store.audit.tender_values`).
        """
        self.pending.append((action, detail))

    def _write(self) -> None:
        self.session.flush()
        after = tender_values(self.session, self.tender.id, self.scope)
        for action, detail in _events(self.pending, changes(self.before, after)):
            self._append(action, detail)

    def _append(self, action: str, detail: dict[str, Any]) -> None:
        audit(self.session, action, actor=self.actor, tender=self.tender, **detail)


def _events(
    pending: list[tuple[str, dict[str, Any]]], changed: dict[str, list[Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """The events a unit appends: its own (or ``tender.change`` when it named none but
    changed values), the last one carrying ``changes``; none when nothing happened."""
    if not pending and not changed:
        return []
    events = pending or [("tender.change", {})]
    return [
        (action, {**detail, "changes": changed} if index == len(events) - 1 and changed
         else detail)
        for index, (action, detail) in enumerate(events)
    ]


class Unprepared(Exception):
    """Raised in a `prepared_change` when what the verb read before the lock no longer
    holds: the unit rolls back and the verb runs its full unit (`tender_change`)."""


@dataclass
class PreparedChange:
    """An open `prepared_change`: the verb's reads were done before it began. `before`
    and `after` are the scope's values (`tender_values`) without and with the change."""

    session: Session
    tender_id: int
    actor_id: int
    state: str  # the tender's state, read under the lock
    before: dict[str, Any]
    after: dict[str, Any] = field(default_factory=dict)
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def audit(self, action: str, **detail: Any) -> None:
        """As `TenderChange.audit`: appended when the block ends, the last event carrying
        ``changes`` (from `before` to `after`)."""
        self.pending.append((action, detail))

    def _write(self) -> None:
        events = _events(self.pending, changes(self.before, self.after))
        for index, (action, detail) in enumerate(events):
            # the unit commits right after its last event: on PostgreSQL, with it
            self._append(action, detail, last=index == len(events) - 1)

    def _append(self, action: str, detail: dict[str, Any], last: bool) -> None:
        audit(
            self.session,
            action,
            actor_id=self.actor_id,
            tender_id=self.tender_id,
            ends_transaction=last,
            **detail,
        )


#: What a request is told when a concurrent one stored the same unique row first.
CONCURRENT_CHANGE = Text(
    zh="另一个请求刚刚保存了同一内容,您的请求未保存任何内容。请刷新页面查看当前内容。",
    en=(
        "Another request saved the same thing a moment ago, so nothing was saved from this "
        "one. Reload the page to see what is stored now."
    ),
)


class OutOfScope(RuntimeError):
    """A scoped unit of work was about to write a row outside its scope: a programming
    error (its audit event would miss that change), so the unit is rolled back."""


#: `session.info` key of the open scoped unit: (tender id, scope).
SCOPE_KEY = "selector.sheet_scope"


@event.listens_for(Session, "before_flush")
def _hold_to_scope(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse a flush of a scoped unit that writes outside its scope (`OutOfScope`)."""
    opened = session.info.get(SCOPE_KEY)
    if opened is None:
        return
    tender_id, scope = opened
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, AuditEvent | AuditChainHead):
            continue  # the unit's own event, appended last
        sheet = row
        if isinstance(row, Entry):  # an entry taken off its sheet still names it by id
            sheet = row.sheet or session.get(ScoreSheet, row.sheet_id)
        if isinstance(sheet, ScoreSheet) and sheet.tender_id == tender_id and scope.covers(sheet):
            continue
        if row in session.dirty and not session.is_modified(row):
            continue
        raise OutOfScope(f"a change scoped to {scope} would also write {row!r}")


@contextmanager
def unit_of_work(
    session: Session, *, on_conflict: ServiceError | None = None, plain: bool = False
) -> Iterator[Session]:
    """One write transaction (`write_transaction`, `plain` as there) in which a unique row
    inserted by a concurrent request (IntegrityError) rolls everything back and raises
    `on_conflict` — the refusal the request would get had it come second — or `Conflict`."""
    try:
        with write_transaction(session, plain=plain):
            yield session
    except IntegrityError:
        raise (on_conflict or Conflict(CONCURRENT_CHANGE)) from None


@contextmanager
def tender_change(
    session: Session,
    tender_id: int,
    actor: User,
    *,
    access: Access = chaired_tender,
    states: Iterable[str] | None = None,
    refusal: Text | None = None,
    scope: SheetScope | None = None,
) -> Iterator[TenderChange]:
    """Open a unit of work on one tender (see the module docstring).

    `access` loads the tender and checks the actor (default: its chair); `states`, when
    given, are the states the change is allowed in, and `refusal` the message otherwise.
    `scope`, when given, is all the change may write (its sheets' entries); the audit diff
    reads only that.
    """
    with _scoped(session, tender_id, scope), unit_of_work(session):
        lock_row(session, Tender, tender_id)  # before the tender is read: see the docstring
        tender = access(session, tender_id, actor)
        before = tender_values(session, tender.id, scope)
        change = TenderChange(session, tender, actor, before, scope=scope)
        if states is not None:
            change.require_state(
                states,
                refusal
                or Text(
                    zh="项目当前状态不允许此操作。", en="The tender's state does not allow this."
                ),
            )
        yield change
        change._write()


# FOR SHARE on PostgreSQL: prepared changes (sheet saves) hold the tender's row together,
# so they do not wait for one another on it — only a unit that locks it for update (closing
# scoring, any `tender_change`) waits until they have all committed, and they wait for it.
_LOCKED_STATE = (
    select(Tender.state).where(Tender.id == bindparam("tender_id")).with_for_update(read=True)
)


@contextmanager
def prepared_change(
    session: Session,
    tender_id: int,
    actor_id: int,
    *,
    states: Iterable[str],
    scope: SheetScope,
    before: dict[str, Any],
) -> Iterator[PreparedChange]:
    """Open a unit of work whose reads and checks the verb did before it (see the module
    docstring): the tender's state is re-read first, under the lock, and must be one of
    `states`, else `Unprepared`; so must anything else the verb re-checks in the block.
    `scope` is all the change may write; `before` its values as the verb read them, and
    the verb sets ``after``. Nothing is written when `Unprepared` is raised."""
    # plain statements only (the verb's too): on PostgreSQL the read transaction goes on
    with _scoped(session, tender_id, scope), unit_of_work(session, plain=True):
        state = session.connection().scalar(_LOCKED_STATE, {"tender_id": tender_id})
        if state is None or state not in tuple(states):
            raise Unprepared
        change = PreparedChange(session, tender_id, actor_id, str(state), before)
        yield change
        change._write()


@contextmanager
def _scoped(session: Session, tender_id: int, scope: SheetScope | None) -> Iterator[None]:
    if scope is None:
        yield
        return
    session.info[SCOPE_KEY] = (tender_id, scope)
    try:
        yield
    finally:
        session.info.pop(SCOPE_KEY, None)
