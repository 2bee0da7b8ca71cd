"""The exported workbook uploaded as a bids table: its Bids sheet (报价) is read."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from selector.store.db import get_session
from selector.store.models import Bid, Vendor
from tests.reports.web.test_downloads import client_as


def test_an_exported_workbook_uploads_its_bids_sheet(app: Any, make_tender: Any) -> None:
    source = make_tender(state="closed", vendors=["Alpha", "华云软件"],
                         bids={"Alpha": 123.45, "华云软件": 99})
    chair = client_as(app, "chair")
    for lang in ("zh", "en"):
        workbook = chair.get(f"/tenders/{source.id}/export.xlsx?lang={lang}")
        assert workbook.status_code == 200
        target = make_tender(vendors=[], bids={})
        response = chair.post(
            f"/tenders/{target.id}/bids/upload",
            data={"bids_file": (BytesIO(workbook.data), f"tender-{lang}.xlsx")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        with app.app_context():
            session = get_session()
            vendors = {v.id: v.name for v in session.query(Vendor).filter_by(
                tender_id=target.id)}
            amounts = {(vendors[b.vendor_id], float(b.amount))
                       for b in session.query(Bid) if b.vendor_id in vendors}
        assert {v for v, _ in amounts} == {"Alpha", "华云软件"}
        assert ("Alpha", 123.45) in amounts and ("华云软件", 99.0) in amounts
