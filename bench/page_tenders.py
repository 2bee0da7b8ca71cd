"""Synthetic tenders in a real database, built through the services (audited, as the app
would store them), for the page benchmarks (`bench_pages.py`) and the load run
(`bench/load/`).

    build_tender(app, vendors=50, evaluators=15) -> BuiltTender

The template is `criteria/crm_selection.yaml` (the source sheet: 17 criteria the
evaluators score, two of them gates, and eight price components) unless `criteria` asks
for a synthetic one of that many criteria (the `bench_engine.py` shape). Every evaluator
declares no conflict and every sheet is stored submitted in one import
(`sheets.import_submitted_sheets`); the panel mostly agrees (each cell has a level 80 % of
the evaluators give, the others one level off), and 2 % of the entries carry a comment.
Scoring is then closed and the price envelope opened, so the results page shows.
"""

from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import write_tender  # noqa: E402

from selector import PROJECT_ROOT  # noqa: E402
from selector.scoring import rules  # noqa: E402
from selector.scoring.model import Entry  # noqa: E402
from selector.services import lifecycle, setup, sheets, users  # noqa: E402
from selector.services.templates import template_from_snapshot  # noqa: E402
from selector.store.db import get_session  # noqa: E402
from selector.store.models import User  # noqa: E402

PASSWORD = "bench-password-1"
HASH = "pbkdf2:sha256:1000"  # fast logins: the load run logs 50 sessions in
COMMENTS = ["Demonstrated live / 现场演示", "Not offered in the bid / 投标文件未提供"]


@dataclass
class BuiltTender:
    id: int
    chair: str
    evaluators: list[str]
    vendors: dict[str, int] = field(default_factory=dict)
    scored_criteria: int = 0  # criteria the evaluators score (gates included)


def _user(session: Any, username: str, role: str) -> User:
    found = users.find_user(session, username)
    if found is not None:
        return found
    return users.create_user(
        session, username=username, display_name=f"{username.title()} / {username}",
        password=PASSWORD, role=role, hash_method=HASH,
    )


def _template_text(criteria: int | None) -> tuple[str, str]:
    if criteria is None:
        path = PROJECT_ROOT / "criteria" / "crm_selection.yaml"
        return path.read_text(encoding="utf-8"), path.name
    with tempfile.TemporaryDirectory() as folder:
        paths = write_tender(Path(folder), 1, criteria, 1)
        return paths["criteria"].read_text(encoding="utf-8"), "synthetic.yaml"


def build_tender(
    app: Any,
    *,
    vendors: int = 50,
    evaluators: int = 15,
    criteria: int | None = None,
    state: str = "closed",
    prefix: str = "bench",
    seed: int = 7,
) -> BuiltTender:
    """A tender of `vendors` × the template's criteria × `evaluators` (see the module doc);
    `state` "open" stops before submitting (declarations made, sheets empty)."""
    rnd = random.Random(seed)
    yaml_text, source = _template_text(criteria)
    template = template_from_snapshot(yaml_text, source)
    with app.test_request_context():
        session = get_session()
        chair = _user(session, f"{prefix}chair", "chair")
        panel = [_user(session, f"{prefix}eval{n}", "evaluator") for n in range(1, evaluators + 1)]
        tender = setup.create_tender(
            session, chair=chair, name=f"Bench {vendors}x{evaluators}", organisation="Bench",
            template_yaml=yaml_text, template_source=source, base_currency=None,
            method="mean", divergence_threshold=Decimal("0.4"),
            low_bid_threshold=Decimal("0.6"),
        )
        built = BuiltTender(tender.id, chair.username, [u.username for u in panel])
        built.scored_criteria = sum(1 for c in template.criteria() if c.is_scored_by_evaluators)
        for v in range(vendors):
            name = f"Vendor {v:03d}"
            vendor = setup.add_vendor(session, tender.id, actor=chair, name=name)
            built.vendors[name] = vendor.id
            for criterion in template.price_criteria():
                setup.set_bid(
                    session, tender.id, actor=chair, vendor_id=vendor.id,
                    component=criterion.id,
                    amount=Decimal(rnd.randint(100, 900) * 1000), currency=None,
                )
        for index, evaluator in enumerate(panel):
            setup.assign_evaluator(
                session, tender.id, actor=chair, user_id=evaluator.id, group_keys=[],
                can_see_prices=index == 0,
            )
        lifecycle.transition(session, tender.id, "open", actor=chair)
        for evaluator in panel:
            sheets.declare_conflicts(
                session, tender.id, evaluator=evaluator, vendor_ids=[], statement=""
            )
        if state == "open":
            return built
        entries = []
        scored = [c for c in template.criteria() if c.is_scored_by_evaluators]
        for name in built.vendors:
            for criterion in scored:
                options: list[Any] = [choice.key for choice in rules.choices(criterion)]
                if criterion.kind == "gate":
                    options = ["pass"]
                elif criterion.kind == "scale":
                    options = [Decimal(0), criterion.max / 2, criterion.max]
                level = rnd.randrange(len(options))
                for evaluator in panel:
                    pick = level
                    if rnd.random() < 0.2:
                        pick = min(len(options) - 1, max(0, level + rnd.choice((-1, 1))))
                    value = options[pick]
                    comment = rnd.choice(COMMENTS) if rnd.random() < 0.02 else ""
                    entries.append(Entry(evaluator.username, name, criterion.id, value, comment))
        sheets.import_submitted_sheets(session, tender.id, actor=chair, entries=entries)
        lifecycle.transition(session, tender.id, "close", actor=chair)
        lifecycle.open_prices(session, tender.id, actor=chair)  # the results use the bids
    return built
