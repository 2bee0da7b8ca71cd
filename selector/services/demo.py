"""The demo: users and two tenders, so that a newcomer can try every page at once.

- "CRM system selection" from `examples/crm-tender/` (bids, rates, scores, consensus): every
  sheet submitted and scoring closed, so results and reports are ready.
- "CRM proof-of-concept review" on `crm_poc_review.yaml`: open for scoring, empty sheets.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector.files.readers import read_consensus_table, read_rates_table, read_scores_table
from selector.scoring.model import Template
from selector.services import consensus, lifecycle, setup, sheets, users
from selector.services.templates import template_from_snapshot
from selector.store.models import Tender, User

EVALUATORS = [f"evaluator{n}" for n in range(1, 6)]


@dataclass
class DemoLogins:
    password: str
    usernames: list[str]
    tender_ids: list[int]


def is_empty(session: Session) -> bool:
    """True when the database has no users and no tenders."""
    users_count = session.scalar(select(func.count()).select_from(User)) or 0
    tenders_count = session.scalar(select(func.count()).select_from(Tender)) or 0
    return users_count == 0 and tenders_count == 0


def _create_tender(
    session: Session, chair: User, organisation: str, yaml_path: Path, name: str
) -> tuple[Tender, Template]:
    """A demo tender on a template file of criteria/, with the default method and thresholds."""
    yaml_text = yaml_path.read_text(encoding="utf-8")
    template = template_from_snapshot(yaml_text, yaml_path.name)
    tender = setup.create_tender(
        session,
        chair=chair,
        name=name,
        organisation=organisation,
        template_yaml=yaml_text,
        template_source=yaml_path.name,
        base_currency=template.currency,
        method="mean",
        divergence_threshold=Decimal("0.4"),
        low_bid_threshold=Decimal("0.6"),
    )
    return tender, template


def load_demo(
    session: Session,
    *,
    examples_dir: Path,
    criteria_dir: Path,
    password: str | None = None,
    organisation: str = "Demo Trading Co. / 演示贸易有限公司",
    hash_method: str = users.DEFAULT_HASH_METHOD,
) -> DemoLogins:
    """Create the demo users and tenders (each step through the services, audited)."""
    password = password or secrets.token_urlsafe(9)
    people = [
        ("admin", "Administrator / 管理员", "admin"),
        ("chair", "Chair Wang / 王主任", "chair"),
        *[(name, f"Evaluator {n} / 评委{n}", "evaluator") for n, name in enumerate(EVALUATORS, 1)],
        ("observer", "Observer Li / 李总", "observer"),
    ]
    created = {
        username: users.create_user(
            session,
            username=username,
            display_name=display,
            password=password,
            role=role,
            hash_method=hash_method,
        )
        for username, display, role in people
    }
    chair = created["chair"]

    # 1. CRM system selection: closed, results ready.
    selection, template = _create_tender(
        session,
        chair,
        organisation,
        criteria_dir / "crm_selection.yaml",
        "CRM system selection / CRM系统选型",
    )
    rates_path = examples_dir / "rates.csv"
    if rates_path.exists():
        for currency, rate in read_rates_table(rates_path, template.currency).items():
            setup.set_rate(session, selection.id, actor=chair, currency=currency, rate=rate)
    with open(examples_dir / "bids.csv", "rb") as stream:
        setup.upload_bids(session, selection.id, actor=chair, stream=stream, filename="bids.csv")
    evaluators = [created[name] for name in EVALUATORS]
    for index, evaluator in enumerate(evaluators):
        # The first evaluator is from procurement and sees prices; the others are technical.
        setup.assign_evaluator(
            session,
            selection.id,
            actor=chair,
            user_id=evaluator.id,
            group_keys=[],
            can_see_prices=index == 0,
        )
    lifecycle.transition(session, selection.id, "open", actor=chair)
    for evaluator in evaluators:
        sheets.declare_conflicts(
            session, selection.id, evaluator=evaluator, vendor_ids=[], statement=""
        )
    entries = read_scores_table(examples_dir / "scores.csv", template, source_name="scores.csv")
    sheets.import_submitted_sheets(session, selection.id, actor=chair, entries=entries)
    lifecycle.transition(session, selection.id, "close", actor=chair)
    consensus_path = examples_dir / "consensus.csv"
    if consensus_path.exists():
        tender = session.get(Tender, selection.id)
        assert tender is not None
        vendor_ids = {v.name: v.id for v in tender.vendors}
        for agreed in read_consensus_table(
            consensus_path, template, vendor_ids, source_name="consensus.csv"
        ):
            consensus.record_consensus(
                session,
                selection.id,
                actor=chair,
                vendor_id=vendor_ids[agreed.vendor],
                criterion_key=agreed.criterion,
                value=str(agreed.value),
                reason=agreed.reason,
            )

    # 2. CRM proof-of-concept review: open, empty sheets.
    review, _poc_template = _create_tender(
        session,
        chair,
        organisation,
        criteria_dir / "crm_poc_review.yaml",
        "CRM proof-of-concept review / CRM系统试用评审",
    )
    shortlisted = [v.name for v in session.get(Tender, selection.id).vendors][:3]  # type: ignore[union-attr]
    for name in shortlisted:
        setup.add_vendor(session, review.id, actor=chair, name=name)
    for evaluator in evaluators:
        setup.assign_evaluator(
            session,
            review.id,
            actor=chair,
            user_id=evaluator.id,
            group_keys=[],
            can_see_prices=False,
        )
    lifecycle.transition(session, review.id, "open", actor=chair)
    return DemoLogins(password, [p[0] for p in people], [selection.id, review.id])
