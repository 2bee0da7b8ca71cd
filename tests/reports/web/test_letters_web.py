"""The bidders' letters on the web: once the tender is final, singly and as a zip."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from tests.reports.conftest import pdf_pages
from tests.reports.web.test_downloads import client_as


def test_a_finalised_tender_offers_every_letter_singly_and_as_a_zip(
    app: Any, make_tender: Any, make_user: Any
) -> None:
    setup = make_tender(state="finalised", vendors=["Alpha", "<b>Beta</b>"])
    make_user("observer", "observer")
    observer = client_as(app, "observer")
    page = observer.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert f"/tenders/{setup.id}/letters.zip" in page
    assert f"/tenders/{setup.id}/letters/2.pdf" in page

    response = observer.get(f"/tenders/{setup.id}/letters.zip?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert set(json.loads(archive.read("letters.json"))) == {"Alpha", "<b>Beta</b>"}

    single = observer.get(f"/tenders/{setup.id}/letters/2.pdf?lang=zh")
    assert single.status_code == 200 and single.mimetype == "application/pdf"
    pages = pdf_pages(single.data)
    assert len(pages) == 1
    text = " ".join(pages[0].split())
    assert "<b>Beta</b>" in text and "评审结果通知书" in text
    assert observer.get(f"/tenders/{setup.id}/letters/3.pdf").status_code == 404


def test_letters_wait_for_the_final_result(app: Any, make_tender: Any) -> None:
    setup = make_tender(state="closed")
    chair = client_as(app, "chair")
    response = chair.get(f"/tenders/{setup.id}/letters.zip")
    assert response.status_code == 302
    assert response.location.endswith(f"/tenders/{setup.id}/results")
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert "letters.zip" not in page


def test_evaluators_cannot_download_letters(app: Any, make_tender: Any) -> None:
    setup = make_tender(state="finalised")
    response = client_as(app, "eval1").get(f"/tenders/{setup.id}/letters.zip")
    assert response.status_code in (403, 404)
