"""Evidence on the score sheet: the vendor's linked documents beside each criterion, and a
comment's reference to a document and page, shown to the chair with the inputs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.services import lifecycle
from selector.store.db import get_session
from selector.store.models import Entry, User
from tests.web.conftest import login
from tests.web.test_documents import PDF, app_config, chair, document_id, upload  # noqa: F401


@pytest.fixture
def setting(app, make_tender, chair):  # noqa: F811
    tender = make_tender(state="open", submitted=False, evaluators=1)
    alpha = document_id(upload(chair, tender, PDF, name="alpha-offer.pdf", criterion="fit",
                               page="p. 3"))
    beta = document_id(upload(chair, tender, PDF, name="beta-offer.pdf", vendor="Beta",
                              criterion="fit", page="p. 9"))
    evaluator = app.test_client()
    login(evaluator, "eval1")
    evaluator.post(f"/tenders/{tender.id}/evaluate/conflicts", data={"no_conflict": "y"})
    return tender, evaluator, alpha, beta


def sheet_path(tender, vendor="Alpha"):
    return f"/tenders/{tender.id}/evaluate/{tender.vendors[vendor]}"


def save(evaluator, tender, **fields):
    data = {"version": str(fields.pop("version", 0)), "save": "1", "value-fit": "partial"}
    data.update(fields)
    return evaluator.post(sheet_path(tender), data=data)


def test_each_criterion_shows_that_vendors_linked_documents_with_their_page(setting):
    tender, evaluator, alpha, beta = setting
    page = evaluator.get(sheet_path(tender)).get_data(as_text=True)
    fit = page[page.index('id="c-fit"'):page.index('id="c-api"')]
    assert "alpha-offer.pdf" in fit and "p. 3" in fit
    assert f"/documents/{alpha}/file" in fit
    assert "beta-offer.pdf" not in page
    other = evaluator.get(sheet_path(tender, "Beta")).get_data(as_text=True)
    assert "beta-offer.pdf" in other and "alpha-offer.pdf" not in other


def test_a_comment_cites_a_document_and_page_and_the_chair_sees_it(app, setting, chair):  # noqa: F811
    tender, evaluator, alpha, _beta = setting
    response = save(evaluator, tender, **{"comment-fit": "weak workflow", "ref-fit": str(alpha),
                                          "page-fit": "4.2"})
    assert response.status_code == 302
    with app.test_request_context():
        entry = get_session().scalar(select(Entry))
        assert (entry.document_id, entry.document_page) == (alpha, "4.2")
    again = evaluator.get(sheet_path(tender)).get_data(as_text=True)
    assert f'<option value="{alpha}" selected>' in again and 'value="4.2"' in again
    # submit everything, close, and the chair reads the reference beside the comment
    values = {"value-licence_ok": "pass", "value-fit": "partial", "comment-fit": "weak workflow",
              "ref-fit": str(alpha), "page-fit": "4.2", "value-api": "yes", "value-plan": "4",
              "value-ux": "excellent", "submit_sheet": "1", "version": "1"}
    assert evaluator.post(sheet_path(tender), data=values).status_code == 302
    beta = {**values, "ref-fit": "", "page-fit": "", "version": "0"}
    assert evaluator.post(sheet_path(tender, "Beta"), data=beta).status_code == 302
    with app.test_request_context():
        session = get_session()
        owner = session.scalar(select(User).where(User.username == "chair"))
        lifecycle.transition(session, tender.id, "close", actor=owner)
        lifecycle.open_prices(session, tender.id, actor=owner)
    results = chair.get(f"/tenders/{tender.id}/results").get_data(as_text=True)
    assert "Cites" in results and "alpha-offer.pdf" in results and "4.2" in results
    moderation = chair.get(f"/tenders/{tender.id}/moderation?criterion=fit")
    assert moderation.status_code == 200
    assert "alpha-offer.pdf" in moderation.get_data(as_text=True)
    refused = chair.post(f"/tenders/{tender.id}/documents/{alpha}/delete")
    assert refused.status_code == 422
    assert "cites this document" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    "fields,says",
    [
        ({"comment-fit": "see there", "ref-fit": "BETA"}, "not one of this vendor"),
        ({"ref-fit": "ALPHA"}, "goes with a comment"),
        ({"comment-fit": "x", "page-fit": "p. 2"}, "goes with a document"),
        ({"comment-fit": "x", "ref-fit": "ALPHA", "page-fit": "p" * 41}, "at most 40"),
        ({"comment-fit": "x", "ref-fit": "99999999999"}, "not one of this vendor"),
    ],
)
def test_a_bad_reference_is_refused_naming_the_criterion_and_nothing_is_saved(
    app, setting, fields, says
):
    tender, evaluator, alpha, beta = setting
    fields = {k: v.replace("ALPHA", str(alpha)).replace("BETA", str(beta))
              for k, v in fields.items()}
    response = save(evaluator, tender, **fields)
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    with app.test_request_context():
        assert get_session().scalar(select(Entry)) is None
