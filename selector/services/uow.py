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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from selector.scoring.model import Text
from selector.services import Conflict, ServiceError, audit
from selector.services.access import chaired_tender
from selector.store.audit import changes, tender_values
from selector.store.db import lock_row, write_transaction
from selector.store.models import Tender, User

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
        after = tender_values(self.session, self.tender.id)
        changed = changes(self.before, after)
        if not self.pending and not changed:
            return
        events = self.pending or [("tender.change", {})]
        for index, (action, detail) in enumerate(events):
            if index == len(events) - 1 and changed:
                detail = {**detail, "changes": changed}
            self._append(action, detail)

    def _append(self, action: str, detail: dict[str, Any]) -> None:
        audit(self.session, action, actor=self.actor, tender=self.tender, **detail)


#: What a request is told when a concurrent one stored the same unique row first.
CONCURRENT_CHANGE = Text(
    zh="另一个请求刚刚保存了同一内容,您的请求未保存任何内容。请刷新页面查看当前内容。",
    en=(
        "Another request saved the same thing a moment ago, so nothing was saved from this "
        "one. Reload the page to see what is stored now."
    ),
)


@contextmanager
def unit_of_work(session: Session, *, on_conflict: ServiceError | None = None) -> Iterator[Session]:
    """One write transaction (`write_transaction`) in which a unique row inserted by a
    concurrent request (IntegrityError) rolls everything back and raises `on_conflict` —
    the refusal the request would get had it come second — or `Conflict`."""
    try:
        with write_transaction(session):
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
) -> Iterator[TenderChange]:
    """Open a unit of work on one tender (see the module docstring).

    `access` loads the tender and checks the actor (default: its chair); `states`, when
    given, are the states the change is allowed in, and `refusal` the message otherwise.
    """
    with unit_of_work(session):
        lock_row(session, Tender, tender_id)  # before the tender is read: see the docstring
        tender = access(session, tender_id, actor)
        change = TenderChange(session, tender, actor, tender_values(session, tender.id))
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
