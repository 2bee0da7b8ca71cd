"""Every page asks the database a constant number of queries, whatever the number of
vendors, criteria and evaluators (no lazy load per row: see `selector.services.loading`).

Each test builds two tenders that differ in one dimension only, through the services (every
sheet imported at once), and counts the statements each page sends (SQLAlchemy's
`before_cursor_execute`): the counts must be equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from selector.scoring.model import Entry as ScoreEntry
from selector.services import lifecycle, setup, sheets, users
from selector.store.db import get_database, get_session
from tests.web.conftest import PASSWORD, login

KINDS = ("tiered", "binary", "scale", "grade")
VALUE = {"tiered": "full", "binary": "yes", "scale": "2.5", "grade": "good"}


def template_yaml(criteria: int) -> str:
    """`criteria` evaluator-scored criteria of every kind in five groups, and a price group."""
    lines = ["id: counted", "title: {zh: 计数, en: Counted}", "currency: CNY", "groups:"]
    for group in range(5):
        lines += [f"  - id: g{group}", f"    title: {{zh: 组{group}, en: Group {group}}}",
                  "    weight: 12", "    criteria:"]
        for index in range(group, criteria, 5):
            kind = KINDS[index % 4]
            extra = ", step: 0.5" if kind == "scale" else ""
            if kind == "grade":
                extra = (", levels: [{key: good, points: 5, label: {zh: 良, en: Good}},"
                         " {key: poor, points: 1, label: {zh: 差, en: Poor}}]")
            lines.append(f"      - {{id: c{index}, kind: {kind}, max: 5,"
                         f" title: {{zh: 项{index}, en: Item {index}}}{extra}}}")
    lines += ["  - id: price", "    title: {zh: 价格, en: Price}", "    weight: 40",
              "    criteria:",
              "      - {id: fee, kind: price_rank, tiers: [5, 4, 3],"
              " title: {zh: 费用, en: Fee}}"]
    return "\n".join(lines) + "\n"


@dataclass
class Built:
    closed: int
    open: int
    vendor: int  # a vendor of the open tender with a draft over every criterion


def build(app: Any, tag: str, *, vendors: int, criteria: int, evaluators: int) -> Built:
    """A closed tender (every sheet submitted) and an open one (drafts of the first
    evaluator on three vendors), both of `vendors` × `criteria` × `evaluators`."""
    yaml_text = template_yaml(criteria)
    keys = [(f"c{i}", KINDS[i % 4]) for i in range(criteria)]
    with app.test_request_context():
        session = get_session()

        def person(username: str, role: str) -> Any:
            return users.find_user(session, username) or users.create_user(
                session, username=username, display_name=username.title(), password=PASSWORD,
                role=role, hash_method="pbkdf2:sha256:1000")

        chair = person("chair", "chair")
        panel = [person(f"eval{n}", "evaluator") for n in range(1, evaluators + 1)]
        ids = []
        for state in ("closed", "open"):
            tender = setup.create_tender(
                session, chair=chair, name=f"{tag} {state}", organisation="Org",
                template_yaml=yaml_text, template_source="counted.yaml", base_currency=None,
                method="mean", divergence_threshold=Decimal("0.4"),
                low_bid_threshold=Decimal("0.6"))
            names = {}
            for v in range(vendors):
                vendor = setup.add_vendor(session, tender.id, actor=chair, name=f"Vendor {v}")
                names[vendor.name] = vendor.id
                setup.set_bid(session, tender.id, actor=chair, vendor_id=vendor.id,
                              component="fee", amount=Decimal(1000 + 10 * v), currency=None)
            for index, evaluator in enumerate(panel):
                setup.assign_evaluator(session, tender.id, actor=chair, user_id=evaluator.id,
                                       group_keys=[], can_see_prices=index == 0)
            lifecycle.transition(session, tender.id, "open", actor=chair)
            for evaluator in panel:
                sheets.declare_conflicts(session, tender.id, evaluator=evaluator,
                                         vendor_ids=[], statement="")
            values = {key: VALUE[kind] for key, kind in keys}
            if state == "closed":
                entries = [
                    ScoreEntry(evaluator.username, name, key,
                               Decimal(VALUE[kind]) if kind == "scale" else VALUE[kind],
                               "a comment" if key == "c0" else "")
                    for evaluator in panel for name in names for key, kind in keys
                ]
                sheets.import_submitted_sheets(session, tender.id, actor=chair, entries=entries)
                lifecycle.transition(session, tender.id, "close", actor=chair)
                lifecycle.open_prices(session, tender.id, actor=chair)  # results need the bids
            else:
                for vendor_id in list(names.values())[:3]:
                    sheets.save_sheet(session, tender.id, vendor_id, evaluator=panel[0],
                                      version=0, values=values, comments={}, submit=False)
            ids.append((tender.id, list(names.values())[0]))
    return Built(closed=ids[0][0], open=ids[1][0], vendor=ids[1][1])


@contextmanager
def counting(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = get_database(app).engine

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def chair_pages(built: Built) -> dict[str, str]:
    closed = built.closed
    return {
        "tender page (closed)": f"/tenders/{closed}",
        "tender page with the progress grid (open)": f"/tenders/{built.open}",
        "results": f"/tenders/{closed}/results",
        "results again (the result kept)": f"/tenders/{closed}/results",
        "a vendor's inputs": f"/tenders/{closed}/results/inputs/1",
        "decisions": f"/tenders/{closed}/decisions",
        "what if": f"/tenders/{closed}/what-if?w.g0=30&anchor=g0",
        "consensus": f"/tenders/{closed}/consensus",
        "API result": f"/api/tenders/{closed}/result",
        "API tenders": "/api/tenders",
        "tender list": "/tenders/",
    }


def evaluator_pages(built: Built) -> dict[str, str]:
    return {
        "evaluator workspace": f"/tenders/{built.open}/evaluate",
        "evaluator sheet with a draft": f"/tenders/{built.open}/evaluate/{built.vendor}",
    }


def page_counts(app: Any, built: Built) -> dict[str, int]:
    counts = {}
    for username, pages in (("chair", chair_pages(built)), ("eval1", evaluator_pages(built))):
        client = app.test_client()
        login(client, username)
        for name, path in pages.items():
            with counting(app) as statements:
                response = client.get(path)
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = len(statements)
    return counts


def test_query_counts_do_not_grow_with_vendors(app):
    small = page_counts(app, build(app, "five", vendors=5, criteria=8, evaluators=2))
    large = page_counts(app, build(app, "fifty", vendors=50, criteria=8, evaluators=2))
    assert large == small


def test_query_counts_do_not_grow_with_criteria(app):
    small = page_counts(app, build(app, "25", vendors=2, criteria=25, evaluators=2))
    large = page_counts(app, build(app, "100", vendors=2, criteria=100, evaluators=2))
    assert large == small


def test_query_counts_do_not_grow_with_evaluators(app):
    small = page_counts(app, build(app, "two", vendors=3, criteria=8, evaluators=2))
    large = page_counts(app, build(app, "seven", vendors=3, criteria=8, evaluators=7))
    assert large == small


def test_the_counter_sees_a_lazy_load_per_row(app, monkeypatch):
    """The counts can differ: without the criteria held in the session, the sheet page
    queries each entry's criterion on its own."""
    from selector.services import loading

    monkeypatch.setattr(loading, "criteria_in_session", lambda tender: [])
    small = page_counts(app, build(app, "a", vendors=2, criteria=8, evaluators=2))
    large = page_counts(app, build(app, "b", vendors=2, criteria=24, evaluators=2))
    page = "evaluator sheet with a draft"
    assert large[page] >= small[page] + 16
