"""One vocabulary: the flag kinds and the state names read the same on the web pages and in
the PDF report, in Chinese and in English."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from selector.scoring.checks import decision_checks
from selector.scoring.words import FLAG_KIND_NAMES, word
from selector.services import lifecycle, sheets
from selector.services.results import result_for
from selector.store.db import get_session
from selector.store.models import User
from tests.reports.conftest import pdf_pages
from tests.web.conftest import MINI_VALUES, login

# eval4 answers "none" where the others say "full" (a divergence, and an outlier total);
# Alpha bids less than 60% of the median bid (a low bid); eval1 declares a conflict with
# Beta, so one of the sheet cells is "conflict declared".
DIVERGENT = {"fit": "none"}
BIDS = {"Alpha": 100, "Beta": 300}


@pytest.fixture
def flagged(app: Any, make_tender: Any) -> Any:
    """A closed tender whose result raises flags of three kinds, one evaluator conflicted."""
    setup = make_tender(state="open", evaluators=5, submitted=False, bids=BIDS)
    with app.test_request_context():
        session = get_session()
        chair = session.scalar(select(User).where(User.username == setup.chair))
        for name in setup.evaluators:
            evaluator = session.scalar(select(User).where(User.username == name))
            conflicted = [setup.vendors["Beta"]] if name == "eval1" else []
            sheets.declare_conflicts(
                session, setup.id, evaluator=evaluator, vendor_ids=conflicted,
                statement="持有该公司股份" if conflicted else "",
            )
            for vendor, vendor_id in setup.vendors.items():
                if vendor_id in conflicted:
                    continue
                values = dict(MINI_VALUES)
                if name == "eval5" and vendor == "Alpha":
                    values.update(DIVERGENT)
                sheets.save_sheet(session, setup.id, vendor_id, evaluator=evaluator, version=0,
                                  values=values, comments={k: "because" for k in values},
                                  submit=True)
        lifecycle.transition(session, setup.id, "close", actor=chair)
        lifecycle.open_prices(session, setup.id, actor=chair)
        kinds = {flag.kind for flag in decision_checks(result_for(session, setup.id)).flags}
    assert {"divergence", "outlier_evaluator", "low_bid"} <= kinds
    setup.kinds = kinds
    return setup


def _flat(text: str) -> str:
    """Text without white space: a PDF line break may fall inside a word."""
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flag_kinds_and_state_names_read_the_same_on_the_web_and_in_the_pdf(
    app: Any, flagged: Any, lang: str
) -> None:
    client = app.test_client()
    login(client, flagged.chair)
    client.post("/language", data={"lang": lang, "next": "/"})
    decisions = _flat(client.get(f"/tenders/{flagged.id}/decisions").get_data(as_text=True))
    tender_page = _flat(client.get(f"/tenders/{flagged.id}").get_data(as_text=True))
    response = client.get(f"/tenders/{flagged.id}/report.pdf?lang={lang}")
    assert response.status_code == 200
    pdf = _flat(" ".join(pdf_pages(response.data)))

    for kind in flagged.kinds:
        name = _flat(word("flag_kind", kind, lang))
        assert name in decisions, (kind, name)
        assert name in pdf, (kind, name)
    for kind in set(FLAG_KIND_NAMES) - flagged.kinds:
        assert _flat(word("flag_kind", kind, lang)) not in pdf

    closed = _flat(word("tender_state", "closed", lang))
    assert f'state-closed">{closed}<' in tender_page
    assert closed in pdf
    for state in ("submitted", "conflict"):
        name = _flat(word("sheet_state", state, lang))
        assert f'sheet-{state}">{name}<' in tender_page, state
        assert name in pdf, state


def test_the_old_pdf_wordings_are_gone(app: Any, flagged: Any) -> None:
    client = app.test_client()
    login(client, flagged.chair)
    pdf = _flat(" ".join(pdf_pages(client.get(f"/tenders/{flagged.id}/report.pdf?lang=zh")
                                   .data)))
    assert "评委评分异常" in pdf and "异常低价" in pdf
    for old in ("评委偏离", "主持人", "合议"):
        assert old not in pdf
    assert "结果不稳" not in pdf.replace("结果不稳定", "")


def test_a_sheet_amount_and_roles_use_the_vocabulary_in_the_pdf(app: Any, flagged: Any) -> None:
    client = app.test_client()
    login(client, flagged.chair)
    pdf = _flat(" ".join(pdf_pages(client.get(f"/tenders/{flagged.id}/report.pdf?lang=en")
                                   .data)))
    assert _flat(f"{word('sheet_state', 'submitted', 'en')} 2/2") in pdf  # eval2…eval5
    assert _flat(f"{word('sheet_state', 'submitted', 'en')} 1/1") in pdf  # eval1 (conflicted)
    assert _flat(f"{word('role', 'chair', 'en')}'s signature") in pdf
