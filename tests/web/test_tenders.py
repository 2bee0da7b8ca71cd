"""The chair's workflow: create, set up, vendors and bids, committee, every transition."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from selector.store.db import get_session
from selector.store.models import AuditEvent, Bid, Tender, Vendor
from tests.web.conftest import DATA, login


@pytest.fixture
def chair(client, make_user):
    make_user("chair", "chair")
    login(client, "chair")
    return client


def count(app, model, **where):
    with app.test_request_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return get_session().scalar(query)


def tender_row(app, tender_id):
    with app.test_request_context():
        tender = get_session().get(Tender, tender_id)
        return {
            "state": tender.state,
            "name": tender.name,
            "method": tender.method,
            "currency": tender.base_currency,
            "template": tender.template_key,
            "divergence": tender.divergence_threshold,
        }


NEW = {
    "name": "CRM 2025",
    "organisation": "ACME",
    "template": "crm_selection",
    "base_currency": "",
    "method": "mean",
    "divergence_percent": "40",
    "low_bid_percent": "60",
}


def test_a_chair_creates_a_tender_from_a_template_in_criteria(app, chair):
    response = chair.post("/tenders/new", data=NEW)
    assert response.status_code == 302
    tender_id = int(response.location.rstrip("/").split("/")[-1])
    row = tender_row(app, tender_id)
    assert row == {
        "state": "draft",
        "name": "CRM 2025",
        "method": "mean",
        "currency": "CNY",
        "template": "crm_selection",
        "divergence": row["divergence"],
    }
    assert float(row["divergence"]) == 0.4
    page = chair.get(f"/tenders/{tender_id}").get_data(as_text=True)
    assert "Add at least one vendor." in page


def test_the_new_tender_form_lists_the_templates(chair):
    page = chair.get("/tenders/new").get_data(as_text=True)
    for key in ("crm_selection", "crm_selection_ratio", "crm_poc_review"):
        assert f'value="{key}"' in page


def test_a_tender_keeps_its_template_even_when_the_file_changes(app, chair, tmp_path):
    criteria = tmp_path / "criteria"
    criteria.mkdir()
    source = (DATA / "mini.yaml").read_text(encoding="utf-8")
    (criteria / "mini.yaml").write_text(source, encoding="utf-8")
    app.config["CRITERIA_DIR"] = str(criteria)
    response = chair.post("/tenders/new", data={**NEW, "template": "mini"})
    tender_id = int(response.location.split("/")[-1])
    (criteria / "mini.yaml").write_text(
        source.replace("Functional fit", "Changed title"), encoding="utf-8"
    )
    page = chair.get(f"/tenders/{tender_id}/criteria").get_data(as_text=True)
    assert "Functional fit" in page
    assert "Changed title" not in page


def test_a_chair_creates_a_tender_from_an_uploaded_yaml(app, chair):
    data = {
        **NEW,
        "template": "",
        "template_file": (BytesIO((DATA / "mini.yaml").read_bytes()), "mini.yaml"),
    }
    response = chair.post("/tenders/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert tender_row(app, int(response.location.split("/")[-1]))["template"] == "mini"


def test_a_bad_uploaded_template_is_refused_with_the_loaders_messages(app, chair):
    bad = (DATA / "mini.yaml").read_text().replace("weight: 60", "weight: 50")
    data = {**NEW, "template": "", "template_file": (BytesIO(bad.encode()), "bad.yaml")}
    response = chair.post("/tenders/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The template has problems" in page
    assert "bad.yaml" in page  # the loader's message names the file
    assert count(app, Tender) == 0


def test_a_template_that_is_not_yaml_at_all_is_refused(app, chair):
    data = {**NEW, "template": "", "template_file": (BytesIO(b"\xff\xfe\x00"), "x.yaml")}
    response = chair.post("/tenders/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not UTF-8" in response.get_data(as_text=True)
    assert count(app, Tender) == 0


def test_a_template_upload_must_be_yaml(app, chair):
    data = {**NEW, "template": "", "template_file": (BytesIO(b"x"), "evil.exe")}
    response = chair.post("/tenders/new", data=data, content_type="multipart/form-data")
    assert "Upload a .yaml or .yml file." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("name", "", "Tender name: This field is required."),
        ("name", "x" * 201, "Tender name: Field cannot be longer than 200 characters."),
        ("base_currency", "yuan", "Use a three-letter currency code"),
        ("divergence_percent", "NaN", "Enter a number"),
        ("divergence_percent", "0", "Enter a number of at least 1."),
        ("low_bid_percent", "101", "Enter a number of at most 100."),
        ("low_bid_percent", "abc", "Enter a number, for example 125000.50."),
    ],
)
def test_tender_fields_are_checked_and_named(app, chair, field, value, message):
    response = chair.post("/tenders/new", data={**NEW, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Tender) == 0


def test_tender_field_errors_are_chinese_in_chinese(app, chair):
    chair.post("/language", data={"lang": "zh", "next": "/"})
    response = chair.post("/tenders/new", data={**NEW, "low_bid_percent": "abc"})
    page = response.get_data(as_text=True)
    assert "请输入数字" in page
    assert "异常低价阈值" in page


def test_settings_change_and_are_audited(app, chair, make_tender):
    setup = make_tender()
    response = chair.post(
        f"/tenders/{setup.id}/settings",
        data={
            "name": "Renamed",
            "organisation": "",
            "base_currency": "USD",
            "method": "median",
            "divergence_percent": "25",
            "low_bid_percent": "50",
        },
    )
    assert response.status_code == 302
    row = tender_row(app, setup.id)
    assert (row["name"], row["currency"], row["method"]) == ("Renamed", "USD", "median")
    assert count(app, AuditEvent, action="tender.settings") == 1


SETTINGS = {
    "name": "X",
    "base_currency": "USD",
    "method": "median",
    "divergence_percent": "40",
    "low_bid_percent": "60",
}


def test_the_settings_are_locked_once_scoring_opens(app, chair, make_tender):
    setup = make_tender(state="open")
    response = chair.post(f"/tenders/{setup.id}/settings", data=SETTINGS)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "settings, criteria and committee are locked once scoring has opened" in page
    assert "reopen it with a written reason" in page
    row = tender_row(app, setup.id)
    assert (row["currency"], row["method"]) == ("CNY", "mean")


def test_the_base_currency_is_fixed_even_after_reopening(app, chair, make_tender):
    setup = make_tender(state="closed")
    reopened = chair.post(f"/tenders/{setup.id}/reopen", data={"reason": "a sheet was wrong"})
    assert reopened.status_code == 302
    response = chair.post(f"/tenders/{setup.id}/settings", data=SETTINGS)
    assert response.status_code == 422
    assert "The base currency can only change while the tender is a draft." in response.get_data(
        as_text=True
    )
    assert tender_row(app, setup.id)["currency"] == "CNY"
    # other settings may change after the reopening, and the change is audited
    allowed = chair.post(f"/tenders/{setup.id}/settings", data={**SETTINGS, "base_currency": "CNY"})
    assert allowed.status_code == 302
    assert tender_row(app, setup.id)["method"] == "median"


def test_vendors_are_added_and_names_must_be_unique(app, chair, make_tender):
    setup = make_tender(vendors=["Alpha"])
    assert chair.post(f"/tenders/{setup.id}/vendors", data={"name": "Beta"}).status_code == 302
    response = chair.post(f"/tenders/{setup.id}/vendors", data={"name": "beta"})
    assert response.status_code == 422
    assert "There is already a vendor called" in response.get_data(as_text=True)
    response = chair.post(f"/tenders/{setup.id}/vendors", data={"name": ""})
    assert "Vendor name: This field is required." in response.get_data(as_text=True)
    assert count(app, Vendor, tender_id=setup.id) == 2


def test_html_in_a_vendor_name_is_shown_as_text(app, chair, make_tender):
    setup = make_tender(vendors=["Alpha"])
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    chair.post(f"/tenders/{setup.id}/vendors", data={"name": evil})
    page = chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_vendors_are_fixed_once_scoring_opens(app, chair, make_tender):
    setup = make_tender(state="open")
    response = chair.post(f"/tenders/{setup.id}/vendors", data={"name": "Late"})
    assert "Vendors can only be added while the tender is a draft." in response.get_data(
        as_text=True
    )
    response = chair.post(
        f"/tenders/{setup.id}/vendors/{setup.vendors['Alpha']}/delete", data={"confirmed": "1"}
    )
    assert count(app, Vendor, tender_id=setup.id) == 2


def test_a_vendor_is_removed_with_its_bids_in_draft(app, chair, make_tender):
    setup = make_tender()
    chair.post(
        f"/tenders/{setup.id}/vendors/{setup.vendors['Alpha']}/delete", data={"confirmed": "1"}
    )
    assert count(app, Vendor, tender_id=setup.id) == 1
    assert count(app, Bid) == 1


@pytest.mark.parametrize(
    "amount,message",
    [
        ("", "Amount: This field is required."),
        ("abc", "Enter a number, for example 125000.50."),
        ("NaN", "Enter a number"),
        ("inf", "Enter a number"),
        ("-5", "Enter a number greater than 0."),
        ("0", "Enter a number greater than 0."),
        ("1e20", "Enter a number of at most"),
    ],
)
def test_bid_amounts_are_checked_and_nothing_half_saves(app, chair, make_tender, amount, message):
    setup = make_tender(bids={})
    response = chair.post(
        f"/tenders/{setup.id}/bids",
        data={"vendor": setup.vendors["Alpha"], "component": "fee", "amount": amount},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Bid) == 0


def test_a_bid_is_saved_and_corrected(app, chair, make_tender):
    setup = make_tender(bids={})
    data = {"vendor": setup.vendors["Alpha"], "component": "fee", "amount": "1,250.50"}
    assert chair.post(f"/tenders/{setup.id}/bids", data=data).status_code == 302
    assert (
        chair.post(f"/tenders/{setup.id}/bids", data={**data, "amount": "900"}).status_code == 302
    )
    with app.test_request_context():
        bids = get_session().scalars(select(Bid)).all()
        assert [(format(b.amount.normalize(), "f"), b.currency) for b in bids] == [("900", "CNY")]


def test_a_bid_in_a_currency_without_a_rate_is_refused(app, chair, make_tender):
    setup = make_tender(bids={})
    response = chair.post(
        f"/tenders/{setup.id}/bids",
        data={
            "vendor": setup.vendors["Alpha"],
            "component": "fee",
            "amount": "10",
            "currency": "USD",
        },
    )
    assert "There is no exchange rate for USD: add the rate first." in response.get_data(
        as_text=True
    )
    chair.post(f"/tenders/{setup.id}/rates", data={"currency": "usd", "rate": "7.1"})
    response = chair.post(
        f"/tenders/{setup.id}/bids",
        data={
            "vendor": setup.vendors["Alpha"],
            "component": "fee",
            "amount": "10",
            "currency": "USD",
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "data,message",
    [
        ({"currency": "US", "rate": "7"}, "Use a three-letter currency code"),
        ({"currency": "USD", "rate": "-1"}, "Enter a number greater than 0."),
        ({"currency": "USD", "rate": "nan"}, "Enter a number"),
        ({"currency": "CNY", "rate": "2"}, "CNY is the base currency"),
    ],
)
def test_rates_are_checked(app, chair, make_tender, data, message):
    setup = make_tender()
    response = chair.post(f"/tenders/{setup.id}/rates", data=data)
    assert message in response.get_data(as_text=True)


def test_a_rate_in_use_cannot_be_removed(app, chair, make_tender):
    setup = make_tender(bids={})
    chair.post(f"/tenders/{setup.id}/rates", data={"currency": "USD", "rate": "7"})
    chair.post(
        f"/tenders/{setup.id}/bids",
        data={
            "vendor": setup.vendors["Alpha"],
            "component": "fee",
            "amount": "10",
            "currency": "USD",
        },
    )
    chair.post(f"/tenders/{setup.id}/rates/USD/delete", data={"confirmed": "1"})
    page = chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "Bids are given in USD" in page
    # the rate stays, sealed with the bids: the page names its currency, not its value
    assert "USD: <span class=\"badge\">sealed</span>" in page
    assert "1 USD = 7 CNY" not in page


def upload(client, tender_id, content: bytes, filename="bids.csv"):
    return client.post(
        f"/tenders/{tender_id}/bids/upload",
        data={"bids_file": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_a_bids_csv_adds_vendors_and_bids_in_draft(app, chair, make_tender):
    setup = make_tender(vendors=[], bids={})
    response = upload(
        chair,
        setup.id,
        "vendor,component,amount\nAlpha,fee,100\n华云软件,fee,120\n".encode("utf-8-sig"),
    )
    assert response.status_code == 302
    assert count(app, Vendor, tender_id=setup.id) == 2
    assert count(app, Bid) == 2


def test_a_bids_excel_file_is_read(app, chair, make_tender):
    import openpyxl

    setup = make_tender(vendors=[], bids={})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["vendor", "component", "amount", "currency"])
    sheet.append(["Alpha", "fee", 100, "CNY"])
    sheet.append(["Beta", "fee", 90.5, ""])
    buffer = BytesIO()
    book.save(buffer)
    response = upload(chair, setup.id, buffer.getvalue(), "bids.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert count(app, Bid) == 2


def test_a_bids_file_with_any_bad_row_saves_nothing_and_lists_every_problem(
    app, chair, make_tender
):
    setup = make_tender(vendors=[], bids={})
    content = b"vendor,component,amount\nAlpha,fee,100\nBeta,fee,-3\nGamma,nope,5\nDelta,fee,NaN\n"
    response = upload(chair, setup.id, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in page
    assert "bids.csv:3" in page and "bids.csv:4" in page and "bids.csv:5" in page
    assert count(app, Bid) == 0
    assert count(app, Vendor, tender_id=setup.id) == 0


def test_a_bids_file_naming_new_vendors_is_refused_once_scoring_is_open(app, chair, make_tender):
    setup = make_tender(state="open")
    response = upload(chair, setup.id, b"vendor,component,amount\nAlpha,fee,50\nNewcomer,fee,10\n")
    assert "Newcomer" in response.get_data(as_text=True)
    assert count(app, Vendor, tender_id=setup.id) == 2
    with app.test_request_context():
        assert {format(b.amount.normalize(), "f") for b in get_session().scalars(select(Bid))} == {
            "100",
            "110",
        }


def test_a_bids_file_must_be_csv_or_excel(app, chair, make_tender):
    setup = make_tender()
    response = upload(chair, setup.id, b"<html>", "bids.html")
    assert "Upload a .csv or .xlsx file." in response.get_data(as_text=True)


def test_evaluators_are_assigned_with_groups_and_price_visibility(
    app, chair, make_tender, make_user
):
    setup = make_tender(evaluators=0)
    tech = make_user("tech", "evaluator")
    response = chair.post(
        f"/tenders/{setup.id}/assignments", data={"evaluator": tech, "groups": ["quality"]}
    )
    assert response.status_code == 302
    page = chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "Quality" in page
    # price groups cannot be scored by evaluators
    response = chair.post(
        f"/tenders/{setup.id}/assignments", data={"evaluator": tech, "groups": ["price"]}
    )
    assert response.status_code == 422


def test_only_evaluators_can_be_assigned(app, chair, make_tender, make_user):
    setup = make_tender(evaluators=0)
    observer = make_user("obs", "observer")
    response = chair.post(f"/tenders/{setup.id}/assignments", data={"evaluator": observer})
    assert response.status_code == 422


# --- the state machine ------------------------------------------------------------------


def test_open_needs_vendors_evaluators_and_bids(app, chair, make_tender):
    setup = make_tender(vendors=[], evaluators=0, bids={})
    response = chair.post(f"/tenders/{setup.id}/open")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Add at least one vendor." in page
    assert "Assign at least one evaluator." in page
    assert tender_row(app, setup.id)["state"] == "draft"


def test_scoring_opens_without_bids_and_the_price_envelope_lists_missing_ones(
    app, chair, make_tender
):
    setup = make_tender(bids={"Alpha": 100})
    assert chair.post(f"/tenders/{setup.id}/open").status_code == 302  # bids may come later
    assert chair.post(f"/tenders/{setup.id}/close").status_code == 302
    response = chair.post(f"/tenders/{setup.id}/prices")
    assert response.status_code == 422
    assert "Bids are missing: Beta: fee." in response.get_data(as_text=True)
    assert tender_row(app, setup.id)["state"] == "closed"


def test_the_confirmation_page_comes_before_a_transition(app, chair, make_tender):
    setup = make_tender()
    page = chair.get(f"/tenders/{setup.id}/open").get_data(as_text=True)
    assert "Evaluators will be able to declare conflicts and score" in page
    assert tender_row(app, setup.id)["state"] == "draft"


@pytest.mark.parametrize(
    "start,action,end",
    [
        ("draft", "open", "open"),
        ("open", "close", "closed"),
        ("closed", "finalise", "finalised"),
        ("closed", "reopen", "open"),
        ("finalised", "reopen", "open"),
    ],
)
def test_every_legal_transition(app, chair, make_tender, start, action, end):
    setup = make_tender(state=start)
    response = chair.post(f"/tenders/{setup.id}/{action}", data={"reason": "a recount"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert tender_row(app, setup.id)["state"] == end
    assert count(app, AuditEvent, action=f"tender.{action}") == 1


ILLEGAL = [
    (s, a)
    for s in ("draft", "open", "closed", "finalised")
    for a in ("open", "close", "finalise", "reopen")
    if (s, a)
    not in {
        ("draft", "open"),
        ("open", "close"),
        ("closed", "finalise"),
        ("closed", "reopen"),
        ("finalised", "reopen"),
    }
]


@pytest.mark.parametrize("start,action", ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_message(app, chair, make_tender, start, action):
    setup = make_tender(state=start)
    response = chair.post(f"/tenders/{setup.id}/{action}", data={"reason": "why not"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert any(
        text in page
        for text in (
            "Scoring can only be opened from a draft.",
            "Scoring can only be closed while it is open.",
            "Only a tender whose scoring is closed can be finalised.",
            "Only a closed or finalised tender can be reopened.",
        )
    )
    assert tender_row(app, setup.id)["state"] == start


def test_illegal_transition_messages_are_chinese_in_chinese(app, chair, make_tender):
    setup = make_tender(state="draft")
    chair.post("/language", data={"lang": "zh", "next": "/"})
    page = chair.post(f"/tenders/{setup.id}/close").get_data(as_text=True)
    assert "只有在评分开放期间才能关闭评分。" in page


def test_reopen_needs_a_written_reason(app, chair, make_tender):
    setup = make_tender(state="closed")
    response = chair.post(f"/tenders/{setup.id}/reopen", data={"reason": "  "})
    assert "Write the reason for reopening" in response.get_data(as_text=True)
    assert tender_row(app, setup.id)["state"] == "closed"
    chair.post(f"/tenders/{setup.id}/reopen", data={"reason": "eval2 scored the wrong vendor"})
    assert tender_row(app, setup.id)["state"] == "open"
    history = chair.get(f"/tenders/{setup.id}/history").get_data(as_text=True)
    assert "eval2 scored the wrong vendor" in history


def test_close_warns_about_missing_sheets_before_it_happens(app, chair, make_tender):
    setup = make_tender(state="open")
    page = chair.get(f"/tenders/{setup.id}/close").get_data(as_text=True)
    assert "0 of 4 score sheets submitted." in page
    assert "Not every sheet is submitted." in page


def test_a_draft_tender_is_deleted_after_confirmation(app, chair, make_tender):
    setup = make_tender()
    page = chair.get(f"/tenders/{setup.id}/delete").get_data(as_text=True)
    assert "This cannot be undone." in page
    assert count(app, Tender) == 1
    assert chair.post(f"/tenders/{setup.id}/delete").status_code == 302
    assert count(app, Tender) == 0
    assert count(app, AuditEvent, action="tender.delete") == 1


def test_an_opened_tender_cannot_be_deleted(app, chair, make_tender):
    setup = make_tender(state="open")
    chair.post(f"/tenders/{setup.id}/delete")
    assert count(app, Tender) == 1


def test_progress_shows_sheet_states_but_never_scores(app, chair, make_tender):
    setup = make_tender(state="open", submitted=True)
    page = chair.get(f"/tenders/{setup.id}").get_data(as_text=True)
    assert "4 of 4 score sheets submitted." in page
    assert "because" not in page  # the comments
    assert "excellent" not in page.lower().split("progress")[1][:5000]


def test_a_submitted_sheet_can_be_returned_to_its_evaluator_with_a_reason(app, chair, make_tender):
    setup = make_tender(state="open", submitted=True)
    from selector.store.models import ScoreSheet

    with app.test_request_context():
        sheet_id = get_session().scalars(select(ScoreSheet.id)).first()
    response = chair.post(f"/tenders/{setup.id}/sheets/{sheet_id}/return", data={"reason": ""})
    assert count(app, ScoreSheet, state="submitted") == 4
    response = chair.post(
        f"/tenders/{setup.id}/sheets/{sheet_id}/return", data={"reason": "wrong vendor"}
    )
    assert response.status_code == 302
    assert count(app, ScoreSheet, state="submitted") == 3


def test_the_template_of_a_draft_can_be_replaced(app, chair, make_tender):
    setup = make_tender()
    data = {
        "template_file": (
            BytesIO((DATA / "mini.yaml").read_bytes().replace(b"id: mini", b"id: mini2")),
            "mini2.yaml",
        )
    }
    asked = chair.post(
        f"/tenders/{setup.id}/template", data=dict(data), content_type="multipart/form-data"
    )
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Replace the template? Bids and assignments will be cleared." in page
    assert "mini2.yaml" in page and 'type="file"' in page and 'name="confirmed" value="1"' in page
    assert tender_row(app, setup.id)["template"] == "mini"
    data = {
        "confirmed": "1",
        "template_file": (
            BytesIO((DATA / "mini.yaml").read_bytes().replace(b"id: mini", b"id: mini2")),
            "mini2.yaml",
        ),
    }
    response = chair.post(
        f"/tenders/{setup.id}/template", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert tender_row(app, setup.id)["template"] == "mini2"
    assert count(app, Bid) == 0


def test_a_bids_file_over_the_upload_limits_is_refused_naming_the_limit(app, chair, make_tender):
    from tests.xlsx import bids_rows, xlsx  # the table-limit files, built when used

    setup = make_tender(vendors=[], bids={})
    for content, filename, limit in (
        (xlsx(bids_rows(30_000), refs=False), "bids.xlsx", "more than the 5,000 a table may have"),
        (xlsx(bids_rows(30_000), dimension=None, refs=False), "bids.xlsx", "5,000+ rows"),
        (b"vendor,component,amount\n" + b"V,fee,1\n" * 30_000, "bids.csv", "30,000 rows"),
    ):
        response = upload(chair, setup.id, content, filename)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Nothing was saved" in page and limit in page
        assert count(app, Bid) == 0
        assert count(app, Vendor, tender_id=setup.id) == 0
