"""Downloads on the results page: the PDF and the spreadsheet, for those who may read them."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from tests.reports.conftest import pdf_pages
from tests.web.conftest import login


def client_as(app: Any, username: str) -> Any:
    client = app.test_client()
    login(client, username)
    return client


def test_the_chair_downloads_the_report_and_the_workbook_of_a_closed_tender(
    app: Any, make_tender: Any
) -> None:
    setup = make_tender(state="closed", vendors=["Alpha", "<b>Beta</b>"])
    chair = client_as(app, "chair")
    page = chair.get(f"/tenders/{setup.id}/results").get_data(as_text=True)
    assert f"/tenders/{setup.id}/report.pdf" in page
    assert f"/tenders/{setup.id}/appendix.pdf" in page
    assert f"/tenders/{setup.id}/export.xlsx" in page

    response = chair.get(f"/tenders/{setup.id}/report.pdf?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="tender-{setup.id}-report-en.pdf"')
    text = " ".join(" ".join(pdf_pages(response.data)).split())
    assert "Tender" in pdf_pages(response.data)[0]
    assert "<b>Beta</b>" in text
    assert "DRAFT" in text  # closed, not finalised

    response = chair.get(f"/tenders/{setup.id}/appendix.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    appendix = " ".join(" ".join(pdf_pages(response.data)).split())
    assert "Appendix: evidence ledger" in appendix and "<b>Beta</b>" in appendix
    assert "Executive summary" not in appendix

    response = chair.get(f"/tenders/{setup.id}/export.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    vendors = {row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert vendors == {"Alpha", "<b>Beta</b>"}

    response = chair.get(f"/tenders/{setup.id}/export/entries.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbfevaluator,vendor,criterion,value,comment")
    assert chair.get(f"/tenders/{setup.id}/export/secrets.csv").status_code == 404


def test_a_finalised_report_has_no_watermark_and_lists_the_committee(
    app: Any, make_tender: Any, make_user: Any
) -> None:
    setup = make_tender(state="finalised")
    make_user("observer", "observer")
    response = client_as(app, "observer").get(f"/tenders/{setup.id}/report.pdf?lang=zh")
    assert response.status_code == 200
    text = " ".join(" ".join(pdf_pages(response.data)).split())
    assert "草稿" not in text
    assert "已定稿" in text
    assert "Eval1" in text and "无利益冲突" in text  # the committee: name and role


def test_evaluators_and_early_observers_cannot_download(
    app: Any, make_tender: Any, make_user: Any
) -> None:
    setup = make_tender(state="closed")
    make_user("observer", "observer")
    for username in ("eval1", "observer"):
        client = client_as(app, username)
        for path in ("report.pdf", "appendix.pdf", "export.xlsx", "export/entries.csv"):
            response = client.get(f"/tenders/{setup.id}/{path}")
            assert response.status_code in (403, 404), (username, path)
            assert response.mimetype != "application/pdf"


def test_downloads_need_a_login(app: Any, make_tender: Any) -> None:
    setup = make_tender(state="closed")
    response = app.test_client().get(f"/tenders/{setup.id}/report.pdf")
    assert response.status_code == 302
    assert "/login" in response.location
