"""The audit log as people read it, and the events of reading: downloads, exports, denials.

Reading changes nothing stored, but the record must still say who took which document out
and who was refused what (issue 11): each download of a report, letter or export, each
export of the log itself and each access denial is an event of the chain, written in its
own short write transaction. Events stay compact — a code, a few short values, never a
password nor a page's content — so that a flood of refusals costs the chain little (the
web layer caps the denials recorded per user; failed logins are capped by the login limits).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from selector.scoring.limits import FORBIDDEN_IN_LINE
from selector.services import audit
from selector.store.db import write_transaction
from selector.store.models import Tender, User

#: What a download may be (`document` of a `report.download` event).
DOCUMENTS = ("report", "appendix", "letters", "letter", "workbook", "csv")
#: The longest request path a denial keeps (the rest is cut: a path is attacker-chosen).
MAX_PATH = 200


def record_download(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    document: str,
    lang: str,
    sheet: str | None = None,
    vendor: str | None = None,
) -> None:
    """Record that `actor` downloaded `document` (one of `DOCUMENTS`) of the tender in
    `lang`; `sheet` names a CSV sheet, `vendor` the bidder of a single letter.

    The caller has already checked that the actor may (`access.results_tender`).
    """
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}")
    detail: dict[str, str] = {"document": document, "lang": lang}
    if sheet:
        detail["sheet"] = sheet
    if vendor:
        detail["vendor"] = vendor
    with write_transaction(session):
        audit(session, "report.download", actor=actor, tender_id=tender_id, **detail)


def record_denial(
    session: Session, *, actor: User, status: int, path: str, tender_id: int | None
) -> None:
    """Record that `actor` was refused `path` (403, or a 404 hiding a tender from them).

    `tender_id` is kept only when that tender exists, so the denial shows in its log; the
    refused person never reads the log, so keeping it tells them nothing. The path is cut
    to `MAX_PATH` characters, control characters replaced.
    """
    known = tender_id is not None and session.get(Tender, tender_id) is not None
    shown = FORBIDDEN_IN_LINE.sub("?", path[:MAX_PATH])
    with write_transaction(session):
        audit(
            session,
            "access.denied",
            actor=session.get(User, actor.id),
            tender_id=tender_id if known else None,
            status=status,
            path=shown,
        )
