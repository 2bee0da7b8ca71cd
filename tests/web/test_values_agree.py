"""One reading of a typed value on every surface: the scores reader, the score sheet form,
the sheet service and the consensus service give the same canonical value for the same
text, and refuse it in the same words (each adding only where: a file's line and column,
a form field)."""

from __future__ import annotations

import html
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import select

from selector.files.criteria import load_template
from selector.files.readers import InputError, read_consensus_table, read_scores_table
from selector.scoring import values
from selector.scoring.limits import MAX_AMOUNT, MAX_RATE, MAX_TEXT
from selector.scoring.model import Text
from selector.services import ServiceError, consensus, sheets
from selector.services import setup as tender_setup
from selector.store.db import get_session
from selector.store.models import Entry, User
from tests.web.conftest import DATA, login
from tests.web.test_evaluate import declare, post_sheet

TEMPLATE = load_template(DATA / "mini.yaml")

REFUSED = [
    ("plan", "6"),
    ("plan", "-1"),
    ("plan", "2.3"),
    ("plan", "nan"),
    ("plan", "four"),
    ("plan", "9" * 70),
    ("fit", "superb"),
    ("api", "maybe"),
    ("ux", "fair"),
    ("licence_ok", "ok"),
]
ACCEPTED = [
    ("plan", "3.50", "3.5"),
    ("plan", "0", "0"),
    ("fit", "部分满足", "partial"),
    ("fit", "Full", "full"),
    ("api", "能提供", "yes"),
    ("ux", "良", "good"),
    ("licence_ok", "通过", "pass"),
]


def problem_of(criterion_id: str, raw: str) -> values.Problem:
    problem = values.read(TEMPLATE.criterion(criterion_id), raw)
    assert isinstance(problem, values.Problem)
    return problem


def scores_csv(criterion_id: str, raw: str) -> BytesIO:
    return BytesIO(f"evaluator,vendor,criterion,value\neval1,Alpha,{criterion_id},{raw}\n".encode())


def consensus_csv(criterion_id: str, raw: str) -> BytesIO:
    return BytesIO(f"vendor,criterion,value,reason\nAlpha,{criterion_id},{raw},r\n".encode())


def user(session, username: str) -> User:
    found = session.scalar(select(User).where(User.username == username))
    assert found is not None
    return found


@pytest.mark.parametrize(("criterion_id", "raw"), REFUSED)
def test_the_reader_adds_only_the_place_to_the_problem(criterion_id, raw):
    problem = problem_of(criterion_id, raw).text
    with pytest.raises(InputError) as caught:
        read_scores_table(scores_csv(criterion_id, raw), TEMPLATE, source_name="scores.csv")
    assert caught.value.texts == [
        Text(
            zh=f"scores.csv:第2行: 列“value”: 值“{raw}”: {problem.zh}",
            en=f"scores.csv:2: column 'value': value '{raw}': {problem.en}",
        )
    ]
    with pytest.raises(InputError) as caught:
        read_consensus_table(
            consensus_csv(criterion_id, raw), TEMPLATE, ["Alpha"], source_name="c.csv"
        )
    assert caught.value.texts[0].en == f"c.csv:2: column 'value': value '{raw}': {problem.en}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("criterion_id", "raw"), REFUSED)
def test_the_sheet_form_shows_the_same_words_in_the_pages_language(
    app, make_tender, lang, criterion_id, raw
):
    setup = make_tender(state="open", submitted=False)
    client = app.test_client()
    login(client, "eval1")
    client.post("/language", data={"lang": lang, "next": "/"})
    declare(client, setup.id)
    response = post_sheet(client, setup, **{f"value-{criterion_id}": raw})
    assert response.status_code == 422
    sentence = problem_of(criterion_id, raw).sentence.get(lang)
    assert html.escape(sentence, quote=False) in response.get_data(as_text=True)


@pytest.mark.parametrize(("criterion_id", "raw"), REFUSED)
def test_the_services_refuse_in_the_same_words_on_the_field(app, make_tender, criterion_id, raw):
    sentence = problem_of(criterion_id, raw).sentence
    sheet_setup = make_tender(state="open", submitted=False)
    closed = make_tender(state="closed")
    with app.test_request_context():
        session = get_session()
        evaluator = user(session, "eval1")
        sheets.declare_conflicts(
            session, sheet_setup.id, evaluator=evaluator, vendor_ids=[], statement=""
        )
        with pytest.raises(sheets.SheetInvalid) as invalid:
            sheets.save_sheet(
                session,
                sheet_setup.id,
                sheet_setup.vendors["Alpha"],
                evaluator=evaluator,
                version=0,
                values={criterion_id: raw},
                comments={},
                submit=False,
            )
        assert invalid.value.fields == {criterion_id: sentence}
        with pytest.raises(ServiceError) as refused:
            consensus.record_consensus(
                session,
                closed.id,
                actor=user(session, "chair"),
                vendor_id=closed.vendors["Alpha"],
                criterion_key=criterion_id,
                value=raw,
                reason="agreed",
            )
        assert (refused.value.message, refused.value.field) == (sentence, "value")


@pytest.mark.parametrize(("criterion_id", "raw", "stored"), ACCEPTED)
def test_every_surface_keeps_the_same_canonical_value(
    app, make_tender, criterion_id, raw, stored
):
    canonical = values.read(TEMPLATE.criterion(criterion_id), raw)
    assert values.as_text(canonical) == stored  # type: ignore[arg-type]
    (entry,) = read_scores_table(scores_csv(criterion_id, raw), TEMPLATE)
    assert entry.value == canonical
    (agreed,) = read_consensus_table(consensus_csv(criterion_id, raw), TEMPLATE, ["Alpha"])
    assert agreed.value == canonical

    setup = make_tender(state="open", submitted=False)
    client = app.test_client()
    login(client, "eval1")
    declare(client, setup.id)
    assert post_sheet(client, setup, **{f"value-{criterion_id}": raw}).status_code == 302
    with app.test_request_context():
        assert [e.value for e in get_session().scalars(select(Entry))] == [stored]
    closed = make_tender(state="closed")
    with app.test_request_context():
        session = get_session()
        row = consensus.record_consensus(
            session,
            closed.id,
            actor=user(session, "chair"),
            vendor_id=closed.vendors["Alpha"],
            criterion_key=criterion_id,
            value=raw,
            reason="agreed",
        )
        assert row.value == stored


def test_the_services_hold_the_limits_the_forms_hold(app, make_tender):
    draft = make_tender()
    closed = make_tender(state="closed")
    with app.test_request_context():
        session = get_session()
        chair = user(session, "chair")
        with pytest.raises(ServiceError) as long_reason:
            consensus.record_consensus(
                session,
                closed.id,
                actor=chair,
                vendor_id=closed.vendors["Alpha"],
                criterion_key="fit",
                value="full",
                reason="x" * (MAX_TEXT + 1),
            )
        assert long_reason.value.field == "reason"
        assert long_reason.value.message == Text(
            zh=f"理由过长:最多 {MAX_TEXT} 个字符。",
            en=f"The reason is too long: use at most {MAX_TEXT} characters.",
        )
        bid = dict(actor=chair, vendor_id=draft.vendors["Alpha"], component="fee", currency=None)
        with pytest.raises(ServiceError) as large:
            tender_setup.set_bid(session, draft.id, amount=MAX_AMOUNT + 1, **bid)
        assert large.value.field == "amount"
        with pytest.raises(ServiceError) as rate:
            tender_setup.set_rate(session, draft.id, actor=chair, currency="USD", rate=MAX_RATE * 2)
        assert rate.value.field == "rate"
        with pytest.raises(ServiceError) as percent:
            tender_setup.update_settings(
                session,
                draft.id,
                actor=chair,
                name="Tender",
                organisation="",
                base_currency="CNY",
                method="mean",
                divergence_threshold=Decimal("0.005"),
                low_bid_threshold=Decimal("0.6"),
            )
        assert percent.value.field == "divergence_percent"
