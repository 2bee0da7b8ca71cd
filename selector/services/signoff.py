"""Sign-off of a finalised tender: each committee member approves the result, or records a
dissent with reasons, re-entering their password; the chair signs last.

The rules (docs/operations.md, "Sign-off"):

- Sign-off opens when the tender is finalised. Who signs: every evaluator on the committee,
  then the chair. Each signs once; reopening the tender removes the sign-offs (they were
  given to a result that no longer stands; the record keeps every one).
- A member approves, or dissents with reasons (required, at most `MAX_TEXT` characters, no
  control characters): MoF Order 87 art. 61 asks dissenters to sign with their reasons.
- The chair signs last, to approve: refused while any member is still awaiting. The chair
  who disagrees reopens scoring instead.
- A member who never signs (away, left, account disabled): the chair sees who is awaiting
  and may record, with a written note, that the member did not sign. Art. 61 deems a member
  who neither signs nor states a dissent to agree; the report prints exactly that, with the
  note. So the chair is never blocked, and nobody's signature is invented.
- Every sign-off, every recorded absence and every wrong password given to sign is an event
  of the audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from selector.scoring.limits import MAX_TEXT
from selector.scoring.model import Text
from selector.scoring.serialize import fingerprint
from selector.services import Forbidden, NotFound, ServiceError, audit, written
from selector.services.access import visible_tender
from selector.services.results import evaluation_input_for, result_for
from selector.services.signers import AWAITING, SignOffState, state_of
from selector.services.uow import tender_change
from selector.store.db import write_transaction
from selector.store.models import (
    Assignment,
    SignOff,
    SignOffDecision,
    Tender,
    TenderState,
    User,
)

NOT_FINAL = Text(
    zh="只有已定稿的项目才能签字。", en="Only a finalised tender can be signed off."
)
WRONG_PASSWORD = Text(
    zh="密码不正确:请输入您登录所用的密码以确认签字。",
    en="The password is wrong: enter the password you log in with to confirm your signature.",
)
REASON = Text(zh="不同意见的理由", en="The reasons for the dissent")
NOTE = Text(zh="未签字的说明", en="The note on why the member did not sign")


def sign(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    password: str,
    decision: str,
    reason: str = "",
) -> SignOff:
    """`actor` signs the finalised tender: `decision` "approve" or "dissent" (with `reason`).

    The password is checked first; a wrong one is recorded (`reauth.failed`) and refused on
    the field `password`. Errors: NotFound/Forbidden (not on the committee), the tender not
    finalised, already signed, a dissent without reasons or with control characters, the
    chair before every member has signed or been recorded absent, the chair dissenting.
    """
    tender_id = signer_tender(session, tender_id, actor).id
    if not check_password_hash(actor.password_hash, password or ""):
        with write_transaction(session):
            audit(session, "reauth.failed", actor=actor, tender_id=tender_id)
        raise ServiceError(WRONG_PASSWORD, field="password")
    if decision not in (SignOffDecision.APPROVE, SignOffDecision.DISSENT):
        raise ServiceError(
            Text(zh="请选择同意或不同意。", en="Choose to approve or to dissent."),
            field="decision",
        )
    if decision == SignOffDecision.DISSENT:
        reason = written(
            reason,
            field="reason",
            what=REASON,
            limit=MAX_TEXT,
            missing=Text(
                zh="请写明不同意见的理由:理由将印在报告的签字页上。",
                en="Write the reasons for your dissent: they are printed on the report's "
                "sign-off page.",
            ),
        )
    else:
        reason = ""
    with tender_change(session, tender_id, actor, access=signer_tender) as change:
        tender = change.tender
        if tender.state != TenderState.FINALISED:
            raise ServiceError(NOT_FINAL)
        state = state_of(session, tender)
        me = state.signer(actor.id)
        if me is None:  # pragma: no cover - _signer_tender let only signers through
            raise Forbidden(_NOT_A_SIGNER)
        if me.state != AWAITING:
            raise ServiceError(
                Text(zh="您已签过字。", en="You have already signed this tender off.")
            )
        is_chair = actor.id == tender.chair_id
        if is_chair:
            if decision != SignOffDecision.APPROVE:
                raise ServiceError(
                    Text(
                        zh="评审主任最后签字以确认结果;如不同意结果,请重新开放评分。",
                        en="The chair signs last to approve the result; to change it, "
                        "reopen scoring instead.",
                    ),
                    field="decision",
                )
            if state.awaiting:
                raise ServiceError(
                    Text(
                        zh="评审主任最后签字:以下评委尚未签字:",
                        en="The chair signs last: these members have not signed yet:",
                    ),
                    problems=[m.name for m in state.awaiting],
                )
        row = SignOff(
            tender_id=tender.id,
            user_id=actor.id,
            decision=decision,
            reason=reason,
            fingerprint=fingerprint(evaluation_input_for(session, tender.id)),
            recorded_by_id=actor.id,
        )
        session.add(row)
        if is_chair:
            change.audit("signoff.chair")
        elif decision == SignOffDecision.DISSENT:
            change.audit("signoff.dissent", reason=reason)
        else:
            change.audit("signoff.approve")
    return row


def record_absent(
    session: Session, tender_id: int, member_id: int, *, actor: User, reason: str
) -> SignOff:
    """The chair records that a member did not sign (deemed to agree, art. 61), with a note.

    Errors: not the chair, not finalised, no such member, the member already signed, a
    note missing, too long or with control characters.
    """
    reason = written(
        reason,
        field="reason",
        what=NOTE,
        limit=MAX_TEXT,
        missing=Text(
            zh="请说明该评委为何未签字:说明将印在报告的签字页上。",
            en="Write why the member did not sign: it is printed on the report's sign-off "
            "page.",
        ),
    )
    with tender_change(session, tender_id, actor) as change:
        tender = change.tender
        if tender.state != TenderState.FINALISED:
            raise ServiceError(NOT_FINAL)
        member = state_of(session, tender).signer(member_id)
        if member is None or member.role != "evaluator":
            raise NotFound(Text(zh="本项目没有这名评委。", en="No such member of this committee."))
        if member.state != AWAITING:
            raise ServiceError(
                Text(zh=f"{member.name} 已签字。", en=f"{member.name} has already signed.")
            )
        row = SignOff(
            tender_id=tender.id,
            user_id=member_id,
            decision=SignOffDecision.ABSENT,
            reason=reason,
            fingerprint=fingerprint(evaluation_input_for(session, tender.id)),
            recorded_by_id=actor.id,
        )
        session.add(row)
        username = session.scalar(select(User.username).where(User.id == member_id))
        change.audit("signoff.absent", member=username, reason=reason)
    return row


_NOT_A_SIGNER = Text(
    zh="只有本项目的评委和评审主任签字。",
    en="Only the committee and the chair of this tender sign it off.",
)


def signer_tender(session: Session, tender_id: int, user: User) -> Tender:
    """The tender if `user` signs it (a member of its committee or its chair); NotFound if
    they may not see it, Forbidden otherwise (an observer, an admin)."""
    tender = visible_tender(session, tender_id, user)
    if tender.chair_id == user.id:
        return tender
    member = session.scalar(
        select(Assignment.id).where(Assignment.tender_id == tender.id,
                                    Assignment.user_id == user.id)
    )
    if member is None:
        raise Forbidden(_NOT_A_SIGNER)
    return tender



def clear(session: Session, tender: Tender) -> int:
    """Remove a tender's sign-offs (on reopening), in the caller's unit of work."""
    rows = list(session.scalars(select(SignOff).where(SignOff.tender_id == tender.id)))
    for row in rows:
        session.delete(row)
    return len(rows)


@dataclass(frozen=True)
class RankLine:
    """One line of the result being signed: rank (empty when disqualified), vendor, total."""

    rank: str
    vendor: str
    total: float | None


@dataclass(frozen=True)
class SignOffPage:
    """What the sign-off page shows `viewer`: the result, who stands where, what they may do."""

    tender_id: int
    state: SignOffState
    ranking: tuple[RankLine, ...]
    fingerprint: str
    may_sign: bool  # the viewer is awaiting and may sign now
    is_chair: bool
    chair_waits: bool  # the viewer is the chair and members are still awaiting


def page(session: Session, tender_id: int, viewer: User) -> SignOffPage:
    """The sign-off page for `viewer`: a member of the committee, the chair or an observer
    (read only). NotFound/Forbidden for anyone else (evaluators of other tenders, admins)."""
    tender = visible_tender(session, tender_id, viewer)
    if viewer.role != "observer":
        tender = signer_tender(session, tender_id, viewer)
    state = state_of(session, tender)
    lines: tuple[RankLine, ...] = ()
    printed = ""
    if state.open:
        result = result_for(session, tender.id)
        printed = fingerprint(result.input)
        lines = tuple(RankLine(str(r.rank), r.vendor, r.total) for r in result.ranking) + tuple(
            RankLine("", d.vendor, None) for d in result.disqualified)
    me = state.signer(viewer.id)
    is_chair = viewer.id == tender.chair_id
    awaiting = me is not None and me.state == AWAITING and state.open
    return SignOffPage(
        tender_id=tender.id,
        state=state,
        ranking=lines,
        fingerprint=printed,
        may_sign=awaiting and not (is_chair and state.awaiting),
        is_chair=is_chair,
        chair_waits=is_chair and awaiting and bool(state.awaiting),
    )
