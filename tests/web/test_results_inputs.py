"""A large tender's results page links to one page per vendor's inputs instead of holding
every input (50 vendors × 15 evaluators made 2.5 MB of HTML)."""

from __future__ import annotations

from selector.web import results as results_view
from tests.web.conftest import login


def test_a_large_tender_links_to_each_vendors_inputs(client, make_tender, monkeypatch):
    setup = make_tender(state="closed", evaluators=2)
    login(client, setup.chair)
    small = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "because" in small and f"/tenders/{setup.id}/results/inputs/1" not in small
    monkeypatch.setattr(results_view, "INLINE_INPUTS", 3)  # as if it were a large tender
    page = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "because" not in page  # no comment: no input is on the page itself
    assert f"/tenders/{setup.id}/results/inputs/1" in page
    assert f"/tenders/{setup.id}/results/inputs/2" in page
    second = client.get(f"/tenders/{setup.id}/results/inputs/2")
    assert second.status_code == 200
    text = second.get_data(as_text=True)
    assert "Beta" in text and "because" in text
    assert "Eval1" in text and "Eval2" in text  # display names, not logins
    assert f"/tenders/{setup.id}/results/inputs/1" in text  # the previous vendor


def test_a_vendor_number_outside_the_tender_is_404(client, make_tender):
    setup = make_tender(state="closed", evaluators=2)
    login(client, setup.chair)
    assert client.get(f"/tenders/{setup.id}/results/inputs/3").status_code == 404
    assert client.get(f"/tenders/{setup.id}/results/inputs/0").status_code == 404


def test_an_evaluator_cannot_read_the_inputs_page(client, make_tender):
    setup = make_tender(state="closed", evaluators=2)
    login(client, setup.evaluators[0])
    assert client.get(f"/tenders/{setup.id}/results/inputs/1").status_code in (403, 404)


def test_the_inputs_page_in_chinese(client, make_tender, monkeypatch):
    setup = make_tender(state="closed", evaluators=2)
    login(client, setup.chair)
    client.post("/language", data={"lang": "zh", "next": "/"})
    monkeypatch.setattr(results_view, "INLINE_INPUTS", 3)
    page = client.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "每个投标人的输入在单独的页面上" in page
