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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from selector.scoring.model import Text
from selector.services import ServiceError, audit
from selector.services.access import chaired_tender
from selector.store.audit import changes, tender_values
from selector.store.db import write_transaction
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
    with write_transaction(session):
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
