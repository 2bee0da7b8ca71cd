"""Who may see and do what: checked on the server for every route.

- admin: manages users; sees the list of tenders (names and states only).
- chair: runs the tenders they created; sees results once scoring is closed.
- evaluator: sees the tenders they are assigned to once scoring has opened, and only
  their own sheets; never anyone else's scores (blind scoring).
- observer: reads results and reports of finalised tenders.
- evaluator, once the tender is finalised: its outcome — the ranking, and their own inputs
  beside the committee's aggregate (`outcome_tender`); still no other evaluator's inputs.

Bids are sealed (the two-envelope rule): no one sees an amount or a rate, and nothing is
scored with them, until technical scoring has closed and the chair has opened the price
envelope; `may_see_prices` is the one test of that, for every page, API, export and report.

A tender the user may not know about is NotFound (404), so ids reveal nothing; a tender
they may see but not act on is Forbidden (403).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from selector.scoring.model import Text
from selector.services import Forbidden, NotFound
from selector.store.models import Assignment, Tender, TenderState, User

#: The refusal of a tender that does not exist or is not the user's to see (a 404: no one
#: learns from it that a tender exists).
NO_TENDER = Text(
    zh="项目不存在,或您无权查看。", en="There is no such tender, or it is not yours to see."
)
#: The refusal of a vendor id that is not one of the tender's.
NO_VENDOR = Text(zh="本项目中没有该投标人。", en="There is no such vendor in this tender.")

RESULT_STATES_CHAIR = (TenderState.CLOSED, TenderState.FINALISED)

#: Why no result, page, export or report of a tender exists before its envelope is opened.
SEALED = Text(
    zh="报价仍密封在报价信封中:技术评分关闭后,由评审主任开启报价信封,之后才能查看结果、"
    "报告和导出文件。",
    en="The bids are still sealed in the price envelope: results, reports and exports wait "
    "until technical scoring is closed and the chair opens the envelope.",
)


def assignment_of(session: Session, tender_id: int, user: User) -> Assignment | None:
    return session.scalar(
        select(Assignment).where(Assignment.tender_id == tender_id, Assignment.user_id == user.id)
    )


def may_see(session: Session, tender: Tender, user: User) -> bool:
    """Whether `user` may know that `tender` exists."""
    if user.role == "admin":
        return True
    if user.role == "chair":
        return tender.chair_id == user.id
    if user.role == "observer":
        return tender.state == TenderState.FINALISED
    if user.role == "evaluator":
        return _visible_assignment(session, tender, user) is not None
    return False


def _visible_assignment(session: Session, tender: Tender, user: User) -> Assignment | None:
    """An evaluator's assignment on `tender` if they may see it: it has opened and they are
    on its committee (one query answers both)."""
    if tender.state == TenderState.DRAFT:
        return None
    return assignment_of(session, tender.id, user)


def prices_opened(tender: Tender) -> bool:
    """Whether the chair has opened the tender's price envelope."""
    return tender.prices_opened_at is not None


def may_see_prices(session: Session, tender: Tender, user: User) -> bool:
    """Whether `user` may see the tender's bid amounts, rates and price documents now.

    Only once the price envelope is opened (`prices_opened`), and then: the tender's chair;
    an observer of the finalised tender; an evaluator on its committee whose assignment says
    they see prices. Never an admin, never anyone before opening — the chair included.
    """
    if not prices_opened(tender) or not may_see(session, tender, user):
        return False
    if user.role == "chair":
        return tender.chair_id == user.id
    if user.role == "observer":
        return tender.state == TenderState.FINALISED
    if user.role == "evaluator":
        assignment = assignment_of(session, tender.id, user)
        return assignment is not None and assignment.can_see_prices
    return False


def may_see_results(tender: Tender, user: User) -> bool:
    """Results and reports: the tender's chair once scoring is closed; observers once final."""
    if user.role == "chair":
        return tender.chair_id == user.id and tender.state in RESULT_STATES_CHAIR
    if user.role == "observer":
        return tender.state == TenderState.FINALISED
    return False


def visible_tender(session: Session, tender_id: int, user: User) -> Tender:
    """The tender if `user` may know it exists, else NotFound."""
    tender = session.get(Tender, tender_id)
    if tender is None or not may_see(session, tender, user):
        raise NotFound(NO_TENDER)
    return tender


def chaired_tender(session: Session, tender_id: int, user: User) -> Tender:
    """The tender if `user` is its chair; NotFound if they may not see it, else Forbidden."""
    tender = visible_tender(session, tender_id, user)
    if user.role != "chair" or tender.chair_id != user.id:
        raise Forbidden(
            Text(
                zh="只有本项目的评审主任可以执行此操作。",
                en="Only the chair of this tender may do this.",
            )
        )
    return tender


def results_tender(session: Session, tender_id: int, user: User) -> Tender:
    """The tender if `user` may read its results now; Forbidden while they are blind, and
    while the price envelope is sealed (results use the prices)."""
    tender = visible_tender(session, tender_id, user)
    if may_see_results(tender, user) and not may_see_prices(session, tender, user):
        raise Forbidden(SEALED)
    if not may_see_results(tender, user):
        if user.role == "chair" and tender.chair_id == user.id:
            raise Forbidden(
                Text(
                    zh="评分关闭前结果不公开,以保证独立盲评。",
                    en="Results are hidden until scoring is closed, so that scoring stays blind.",
                )
            )
        raise Forbidden(
            Text(
                zh="您的角色暂时无法查看本项目的结果。",
                en="Results of this tender are not available to your role yet.",
            )
        )
    return tender


_TENDER_AND_ASSIGNMENT = (  # built once: building a statement costs more than running it
    select(Tender, Assignment)
    .outerjoin(
        Assignment,
        (Assignment.tender_id == Tender.id) & (Assignment.user_id == bindparam("user_id")),
    )
    .where(Tender.id == bindparam("tender_id"))
)


def evaluator_assignment(session: Session, tender_id: int, user: User) -> Assignment:
    """The user's assignment on a tender that is open, closed or final; NotFound otherwise."""
    if user.role != "evaluator":
        visible_tender(session, tender_id, user)  # NotFound first, as for anyone
        raise Forbidden(
            Text(zh="只有本项目的评委可以评分。", en="Only the evaluators of this tender score it.")
        )
    found = session.execute(  # the tender and the user's assignment on it: one query
        _TENDER_AND_ASSIGNMENT, {"tender_id": tender_id, "user_id": user.id}
    ).first()
    tender, assignment = found if found is not None else (None, None)
    if tender is None or assignment is None or tender.state == TenderState.DRAFT:
        raise NotFound(NO_TENDER)
    # the row in hand, so that `assignment.tender` does not read it again (the session
    # holds rows weakly: once this function returns, nothing else keeps it)
    set_committed_value(assignment, "tender", tender)
    return assignment


def may_see_outcome(session: Session, tender: Tender, user: User) -> bool:
    """Whether `user` is an evaluator of `tender` and it is finalised (its outcome page)."""
    return (
        user.role == "evaluator"
        and tender.state == TenderState.FINALISED
        and assignment_of(session, tender.id, user) is not None
    )


def outcome_tender(session: Session, tender_id: int, user: User) -> Tender:
    """The finalised tender of an evaluator on its committee; Forbidden before finalising."""
    tender = evaluator_assignment(session, tender_id, user).tender
    if not may_see_outcome(session, tender, user):
        raise Forbidden(
            Text(
                zh="项目定稿后,评委才能看到评审结果。",
                en="Evaluators see the outcome once the tender is finalised.",
            )
        )
    return tender


def evaluated_tender(session: Session, tender_id: int, user: User) -> Tender:
    """The tender if `user` is on its committee and it has opened; NotFound/Forbidden else."""
    return evaluator_assignment(session, tender_id, user).tender


def tenders_visible_to(session: Session, user: User) -> list[Tender]:
    """The tenders `user` may see, newest first."""
    tenders = session.scalars(select(Tender).order_by(Tender.created_at.desc(), Tender.id.desc()))
    return [t for t in tenders if may_see(session, t, user)]
