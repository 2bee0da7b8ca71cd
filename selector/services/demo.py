"""The demo: users and two tenders, so that a newcomer can try every page at once.

- "CRM system selection" from `examples/crm-tender/` (bids, rates, scores, consensus): every
  sheet submitted, scoring closed, the technical consensus recorded and then the price
  envelope opened, so results and reports are ready (and equal `selector score` on the
  example files).
- "CRM proof-of-concept review" on `crm_poc_review.yaml`: open for scoring, empty sheets.

Each vendor has small generated PDFs (a technical proposal or a proof-of-concept report,
linked to a few criteria at a page; a sealed price schedule in the selection), when the
caller gives the document storage.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector.files.readers import read_consensus_table, read_rates_table, read_scores_table
from selector.files.tinypdf import pdf
from selector.scoring.model import Template
from selector.services import consensus, documents, lifecycle, reminders, setup, sheets, users
from selector.services.templates import template_from_snapshot
from selector.store.blobs import BlobStore
from selector.store.models import Tender, User, utcnow

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


# The demo's bid documents: per tender, (file name, envelope, pages, links to criteria with
# the page), made for each vendor by the tiny PDF writer, so the same bytes (and SHA-256)
# every time. Pages are (heading, lines); "{vendor}" is the vendor's name in Latin letters.
DemoDocument = tuple[str, str, list[tuple[str, list[str]]], list[tuple[str, str]]]
SELECTION_DOCUMENTS: list[DemoDocument] = [
    (
        "technical-proposal.pdf",
        "technical",
        [
            ("Technical proposal - {vendor}", ["1 Company profile", "Founded 2009; 1,200 staff.",
                                               "Reference customers: 14 in manufacturing."]),
            ("2 Functional response", ["2.1 Lead-to-cash: quote, order, invoice in one flow.",
                                       "2.4 Mobile app for iOS and Android, offline mode."]),
            ("3 Delivery and service", ["3.1 Go-live within 3 months of signature.",
                                        "3.3 SLA: 99.9% availability, 4 h response."]),
        ],
        [("lead_to_cash", "p. 2, 2.1"), ("mobile", "p. 2, 2.4"), ("delivery_3m", "p. 3, 3.1"),
         ("sla", "p. 3, 3.3")],
    ),
    (
        "price-schedule.pdf",
        "price",
        [("Price schedule - {vendor}", ["Licence, implementation, maintenance and hosting",
                                        "as entered in the bids table (CNY / USD)."])],
        [],
    ),
]
REVIEW_DOCUMENTS: list[DemoDocument] = [
    (
        "poc-report.pdf",
        "technical",
        [
            ("Proof-of-concept report - {vendor}", ["1 Scope", "Two weeks with 20 pilot users."]),
            ("2 Data quality", ["2.1 Duplicate detection on 50,000 test accounts."]),
            ("3 User experience", ["3.2 Pilot users rated ease of use 4.2 of 5."]),
        ],
        [("dq_accuracy", "p. 2, 2.1"), ("ux_ease", "p. 3, 3.2")],
    ),
]


def _latin(name: str, index: int) -> str:
    """A vendor's name for the demo PDFs (Helvetica draws no CJK): itself, or its number."""
    return name if name.isascii() else f"Bidder {index}"


def _bid_documents(
    session: Session, tender_id: int, chair: User, store: BlobStore,
    specs: list[DemoDocument],
) -> None:
    """Upload each vendor's generated documents of `specs`, linked to their criteria."""
    tender = session.get(Tender, tender_id)
    assert tender is not None
    keys = {c.key for c in tender.criteria}
    vendors = [(v.id, v.name) for v in tender.vendors]
    for index, (vendor_id, name) in enumerate(vendors, start=1):
        shown = _latin(name, index)
        for file_name, envelope, pages, links in specs:
            data = pdf(
                [(heading.format(vendor=shown), lines) for heading, lines in pages],
                title=f"{file_name} - {shown}",
            )
            links = [(key, page) for key, page in links if key in keys]
            first = links[0] if links else ("", "")
            document = documents.upload_document(
                session, tender_id, actor=chair, store=store, data=data, filename=file_name,
                vendor_id=vendor_id, envelope=envelope, criterion=first[0], page=first[1],
            )
            for key, page in links[1:]:
                documents.link_document(
                    session, tender_id, document.id, actor=chair, criterion=key, page=page
                )


def load_demo(
    session: Session,
    *,
    examples_dir: Path,
    criteria_dir: Path,
    password: str | None = None,
    organisation: str = "Demo Trading Co. / 演示贸易有限公司",
    hash_method: str = users.DEFAULT_HASH_METHOD,
    documents: BlobStore | None = None,
) -> DemoLogins:
    """Create the demo users and tenders (each step through the services, audited); with
    `documents` (the document storage), each vendor's generated bid documents too."""
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
            email=f"{username}@demo.invalid",
            language="en" if username.endswith(("1", "3")) else "zh",
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
    if documents is not None:
        _bid_documents(session, selection.id, chair, documents, SELECTION_DOCUMENTS)
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
    # Two envelopes: the prices are opened once the technical scoring is closed.
    lifecycle.open_prices(session, selection.id, actor=chair)

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
    if documents is not None:
        _bid_documents(session, review.id, chair, documents, REVIEW_DOCUMENTS)
    lifecycle.transition(session, review.id, "open", actor=chair)
    # A due date a week ahead, so the deadline, the reminders and the outbox can be tried.
    today = utcnow().date()
    reminders.set_due_date(
        session, review.id, actor=chair, due_on=today + timedelta(days=7), today=today
    )
    return DemoLogins(password, [p[0] for p in people], [selection.id, review.id])
