"""The score sheet with the vendor's documents, on a 390 px phone in both languages: the
evidence beside its criterion, a comment citing a document and page, the PDF opening."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from selector import PROJECT_ROOT
from selector.config import documents_dir
from selector.services.demo import load_demo
from selector.store.blobs import BlobStore
from selector.store.db import get_session
from selector.store.models import Tender
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser
PASSWORD = "sheet-password"


@pytest.fixture
def review(live_app: Any) -> tuple[int, int]:
    """The demo with its documents: the open proof-of-concept review and its first vendor."""
    with live_app.test_request_context():
        session = get_session()
        logins = load_demo(
            session,
            examples_dir=PROJECT_ROOT / "examples" / "crm-tender",
            criteria_dir=Path(live_app.config["CRITERIA_DIR"]),
            password=PASSWORD,
            hash_method=live_app.config["PASSWORD_HASH_METHOD"],
            documents=BlobStore(documents_dir(live_app.config, live_app.instance_path)),
        )
        tender = session.get(Tender, logins.tender_ids[1])
        assert tender is not None
        return tender.id, tender.vendors[0].id


@pytest.mark.parametrize("lang,evidence,saved", [("zh", "投标文件依据", "草稿已保存"),
                                                 ("en", "Evidence", "Draft saved")])
def test_the_sheet_shows_and_cites_the_vendors_documents_at_390px(
    browser, live_server, review, artifacts, lang, evidence, saved
):
    tender_id, vendor_id = review
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.click(f"button.lang[value={lang}]")
    page.fill("#username", "evaluator1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{live_server}/tenders/{tender_id}/evaluate")
    page.check("#no_conflict")
    page.click("form button[type=submit].primary")
    page.goto(f"{live_server}/tenders/{tender_id}/evaluate/{vendor_id}")

    box = page.locator("#c-ux_ease .evidence")
    assert evidence in box.inner_text() and "poc-report.pdf" in box.inner_text()
    assert "3.2" in box.inner_text()
    link = box.locator("a")
    assert link.bounding_box()["height"] >= 44  # a tap target
    assert page.locator("#c-dq_accuracy .evidence").count() == 1
    assert page.locator("#c-fn_coverage .evidence").count() == 0  # not linked there
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the sheet is {width}px wide at 390px"

    # cite the report and a page in the comment, save the draft, find it again
    page.locator("#c-ux_ease .options label.option").nth(1).click()
    page.fill("#c-ux_ease textarea", "Pilot users found the search slow.")
    page.select_option("#ref-ux_ease", label="poc-report.pdf")
    page.fill("#page-ux_ease", "p. 3")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert saved in page.inner_text(".flash-success")
    assert page.locator("#ref-ux_ease option:checked").inner_text() == "poc-report.pdf"
    assert page.input_value("#page-ux_ease") == "p. 3"
    page.screenshot(path=str(artifacts / f"sheet-documents-{lang}-390.png"), full_page=True)
    page.locator("#c-ux_ease").screenshot(
        path=str(artifacts / f"sheet-documents-{lang}-390-criterion.png"))

    # the evidence opens as the PDF it is, never as a page of the site
    response = page.request.get(live_server + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.body().startswith(b"%PDF-")
    context.close()
    assert not errors, errors


def test_the_chairs_documents_section_and_a_documents_page_fit_390px(
    browser, live_server, review, artifacts
):
    tender_id, _vendor_id = review
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", "chair")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{live_server}/tenders/{tender_id}#documents")
    section = page.locator("#documents")
    assert section.locator("li.document-item").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    section.screenshot(path=str(artifacts / "documents-section-en-390.png"))
    section.locator("li.document-item a").first.click()
    page.wait_for_load_state()
    assert "SHA-256" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.screenshot(path=str(artifacts / "document-page-en-390.png"), full_page=True)
    context.close()
