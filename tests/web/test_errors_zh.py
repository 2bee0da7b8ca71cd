"""The scoring core's, the readers' and the loader's problems in the page's language."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from selector.store.db import get_session
from selector.store.models import Bid, Tender, Vendor
from tests.web.conftest import DATA, login


@pytest.fixture
def chair_in_chinese(client, make_user):
    make_user("chair", "chair")
    login(client, "chair")
    client.post("/language", data={"lang": "zh", "next": "/"})
    return client


def count(app, model, **where):
    with app.test_request_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return get_session().scalar(query)


def test_a_bad_bids_file_lists_each_row_in_chinese_and_saves_nothing(
    app, chair_in_chinese, make_tender
):
    setup = make_tender(vendors=[], bids={})
    content = b"vendor,component,amount\nAlpha,fee,100\nBeta,fee,-3\nGamma,nope,5\nDelta,fee,NaN\n"
    response = chair_in_chinese.post(
        f"/tenders/{setup.id}/bids/upload",
        data={"bids_file": (BytesIO(content), "bids.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "bids.csv:第3行: 列“amount”: 值“-3”: 金额必须大于零" in page
    assert "bids.csv:第4行: 列“component”: 值“nope”: 不是模板“mini”的价格评分项" in page
    assert "bids.csv:第5行: 列“amount”: 值“NaN”: 不是数字" in page
    assert "must be greater than zero" not in page
    assert count(app, Bid) == 0
    assert count(app, Vendor, tender_id=setup.id) == 0


def test_a_bad_template_upload_lists_the_loaders_problems_in_chinese(app, chair_in_chinese):
    bad = (DATA / "mini.yaml").read_text().replace("weight: 60", "weight: 50")
    data = {
        "name": "CRM 2025",
        "organisation": "ACME",
        "template": "",
        "base_currency": "",
        "method": "mean",
        "divergence_percent": "40",
        "low_bid_percent": "60",
        "template_file": (BytesIO(bad.encode()), "bad.yaml"),
    }
    response = chair_in_chinese.post("/tenders/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "bad.yaml: 模板“mini”的字段“groups[].weight”: 各组权重合计为 90" in page
    assert "add up to" not in page
    assert count(app, Tender) == 0


def test_a_result_that_cannot_be_computed_says_what_is_missing_in_chinese(app, client, make_tender):
    setup = make_tender(state="open", submitted=False)
    login(client, "chair")
    client.post(f"/tenders/{setup.id}/close")
    client.post(f"/tenders/{setup.id}/prices")
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "没有评委对供应商“Alpha”的评分项“fit”打分，也没有该项的共识值" in page
    assert "no evaluator scored vendor" not in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "no evaluator scored vendor &#39;Alpha&#39; on criterion &#39;fit&#39;" in page


def test_a_service_refusal_shows_on_the_form_in_the_pages_language(app, client, make_tender):
    setup = make_tender(vendors=["Alpha"])
    login(client, "chair")
    client.post("/language", data={"lang": "zh", "next": "/"})
    response = client.post(f"/tenders/{setup.id}/vendors", data={"name": "alpha"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "本项目中已有名为“alpha”的投标人。" in page
    assert "There is already a vendor" not in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.post(f"/tenders/{setup.id}/vendors", data={"name": "alpha"}).get_data(
        as_text=True
    )
    assert "There is already a vendor called &#39;alpha&#39; in this tender." in page


def test_what_stops_a_tender_from_opening_is_listed_in_chinese(app, client, make_tender):
    setup = make_tender(vendors=[], bids={}, evaluators=0)
    login(client, "chair")
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "请至少添加一个投标人。" in page
    assert "请至少指派一名评委。" in page
    assert "Add at least one vendor" not in page


def test_a_refused_transition_flashes_its_reason_in_chinese(app, client, make_tender):
    setup = make_tender(state="open")
    login(client, "chair")
    client.post("/language", data={"lang": "zh", "next": "/"})
    response = client.post(f"/tenders/{setup.id}/finalise", data={"reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Only a tender whose scoring is closed" not in page
    assert "只有评分已关闭的项目才能定稿。" in page


def test_the_consensus_table_shows_values_in_the_criterions_own_words(app, client, make_tender):
    setup = make_tender(state="closed")
    login(client, "chair")
    client.post(
        f"/tenders/{setup.id}/consensus",
        data={"vendor": setup.vendors["Alpha"], "criterion": "fit", "value": "partial",
              "reason": "Agreed"},
    )
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get(f"/tenders/{setup.id}/consensus").get_data(as_text=True)
    row = page[page.index("<tbody>"):page.index("</tbody>")]
    assert "<td>部分满足</td>" in row
    assert "partial" not in row
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/tenders/{setup.id}/consensus").get_data(as_text=True)
    assert "<td>Partially meets</td>" in page
