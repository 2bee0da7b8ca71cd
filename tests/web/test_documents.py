"""Bid documents: uploads checked by content, stored by SHA-256, sealed price documents,
safe downloads, audit events."""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from selector.files.tinypdf import pdf
from selector.services import ServiceError, results
from selector.store.db import get_session
from selector.store.models import AuditEvent, BidDocument, DocumentLink, Tender, utcnow
from tests.web.conftest import login

LIMIT = 64 * 1024
PDF = pdf([("Technical proposal", ["Section 3.2: open API"]), ("Delivery", ["In 3 months"])])
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def office(main_part: str, extra: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
        for name in extra:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"DOCUMENTS_DIR": str(tmp_path / "documents"), "DOCUMENT_MAX_BYTES": LIMIT}


@pytest.fixture
def tender(make_tender):
    return make_tender(state="open", submitted=False)


@pytest.fixture
def chair(app, make_user):
    with contextlib.suppress(ServiceError):  # make_tender may have made the chair already
        make_user("chair", "chair")
    client = app.test_client()
    login(client, "chair")
    return client


def upload(client, tender, data, name="offer.pdf", vendor="Alpha", envelope="technical",
           criterion="", page=""):
    return client.post(
        f"/tenders/{tender.id}/documents/new",
        data={
            "vendor": str(tender.vendors[vendor]),
            "envelope": envelope,
            "criterion": criterion,
            "page": page,
            "document_file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def stored(app, tmp_path):
    with app.test_request_context():
        rows = get_session().scalars(select(BidDocument)).all()
    files = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    return rows, files


def document_id(response) -> int:
    return int(response.location.rstrip("/").split("/")[-1])


def last_document(app) -> int:
    with app.test_request_context():
        return get_session().scalar(select(func.max(BidDocument.id)))


def open_envelope(app, tender) -> None:
    """Open the tender's price envelope (as the sealed-bid step will)."""
    with app.test_request_context():
        session = get_session()
        session.get(Tender, tender.id).prices_opened_at = utcnow()
        session.commit()


def test_a_pdf_is_kept_under_its_sha256_and_the_hash_is_shown(app, tender, chair, tmp_path):
    response = upload(chair, tender, PDF, criterion="api", page="p. 1")
    assert response.status_code == 302
    sha = hashlib.sha256(PDF).hexdigest()
    rows, files = stored(app, tmp_path)
    assert [(r.sha256, r.kind, r.size, r.name) for r in rows] == [(sha, "pdf", len(PDF),
                                                                    "offer.pdf")]
    assert files == [tmp_path / "documents" / sha[:2] / sha]
    assert files[0].read_bytes() == PDF
    page = chair.get(response.location).get_data(as_text=True)
    assert sha in page and "Open API" in page and "p. 1" in page
    listing = chair.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert sha in listing and "offer.pdf" in listing and 'id="documents"' in listing
    api = chair.get(f"/api/tenders/{tender.id}/documents").get_json()
    assert api[0]["sha256"] == sha and api[0]["links"] == [{"criterion": "api", "page": "p. 1"}]
    with app.test_request_context():  # and the PDF's detail lists it
        listed = results.report_context_extras(get_session(), tender.id)["documents"]
    assert [(d["vendor"], d["name"], d["sha256"]) for d in listed] == [("Alpha", "offer.pdf", sha)]


@pytest.mark.parametrize(
    "data,name,says",
    [
        (b"<!doctype html><script>alert(1)</script>", "offer.pdf", "not an accepted type"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "plan.png", "not an accepted type"),
        (b"MZ\x90\x00" + b"\x00" * 100, "tool.docx", "not an accepted type"),
        (office("xl/workbook.xml"), "offer.docx", "the content is a Excel workbook"),
        (office("word/document.xml", ("word/vbaProject.bin",)), "offer.docx", "macros"),
        (b"PK\x03\x04 not really a zip", "offer.xlsx", "not an accepted type"),
        (PDF[:-40], "cut.pdf", "incomplete"),
        (b"", "empty.pdf", "The file"),
        (PDF + b"\0" * LIMIT, "big.pdf", "too large"),
    ],
)
def test_an_upload_is_refused_by_its_content_and_nothing_is_kept(
    app, tender, chair, tmp_path, data, name, says
):
    response = upload(chair, tender, data, name=name)
    assert response.status_code in (413, 422)
    body = response.get_data(as_text=True)
    assert says in body.replace("&#39;", "'")
    rows, files = stored(app, tmp_path)
    assert rows == [] and files == []
    with app.test_request_context():
        uploads = get_session().scalar(
            select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "document.upload")
        )
    assert uploads == 0


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(app, tender, chair, tmp_path):
    response = upload(chair, tender, PDF + b"\0" * (4 * LIMIT), name="huge.pdf")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert stored(app, tmp_path) == ([], [])


@pytest.mark.parametrize(
    "name,kept",
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("/absolute/path/.hidden.pdf", "hidden.pdf"),
        ("..", "document.pdf"),
        ("offer.html", "offer.html.pdf"),
        ("技术方案", "技术方案.pdf"),
    ],
)
def test_a_name_with_a_path_is_kept_as_its_last_part_and_never_used_on_disk(
    app, tender, chair, tmp_path, name, kept
):
    response = upload(chair, tender, PDF, name=name)
    assert response.status_code == 302
    rows, files = stored(app, tmp_path)
    assert [r.name for r in rows] == [kept]
    assert all(f.is_relative_to(tmp_path / "documents") for f in files)
    assert not (tmp_path / "etc").exists()
    download = chair.get(f"/tenders/{tender.id}/documents/{rows[0].id}/file")
    assert "/" not in download.headers["Content-Disposition"].split("filename")[1]


def test_downloads_are_inline_only_for_pdf_and_images_and_never_sniffed(app, tender, chair):
    pdf_id = document_id(upload(chair, tender, PDF))
    png_id = document_id(upload(chair, tender, PNG, name="shot.png"))
    docx_id = document_id(upload(chair, tender, office("word/document.xml"), name="a.docx"))
    for doc, mimetype, disposition in (
        (pdf_id, "application/pdf", "inline"),
        (png_id, "image/png", "inline"),
        (docx_id, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "attachment"),
    ):
        response = chair.get(f"/tenders/{tender.id}/documents/{doc}/file")
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Content-Disposition"].startswith(disposition)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert chair.get(f"/tenders/{tender.id}/documents/{pdf_id}/file").data == PDF
    with app.test_request_context():
        taken = get_session().scalars(
            select(AuditEvent).where(AuditEvent.action == "document.download")).all()
    assert [e.detail["file"] for e in taken] == ["offer.pdf", "shot.png", "a.docx", "offer.pdf"]


def test_a_price_document_is_sealed_for_everyone_until_the_envelope_opens(app, tender, chair):
    response = upload(chair, tender, PDF, name="price.pdf", envelope="price")
    assert response.status_code == 302 and response.location.endswith("#documents")
    price = last_document(app)
    for path in (f"/tenders/{tender.id}/documents/{price}",
                 f"/tenders/{tender.id}/documents/{price}/file",
                 f"/api/tenders/{tender.id}/documents/{price}"):
        assert chair.get(path).status_code == 404, path
    page = chair.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "sealed until the price envelope is opened" in page and "price.pdf" not in page
    assert chair.get(f"/api/tenders/{tender.id}/documents").get_json()[0]["sealed"] is True
    with app.test_request_context():  # nor does the PDF list it yet
        assert results.report_context_extras(get_session(), tender.id)["documents"] == []
    open_envelope(app, tender)
    assert chair.get(f"/tenders/{tender.id}/documents/{price}/file").status_code == 200
    with app.test_request_context():
        assert len(results.report_context_extras(get_session(), tender.id)["documents"]) == 1


def test_the_chair_may_delete_a_sealed_price_document_unseen(app, tender, chair, tmp_path):
    upload(chair, tender, PDF, name="wrong-price.pdf", envelope="price")
    price = last_document(app)
    confirm = chair.get(f"/tenders/{tender.id}/documents/{price}/delete")
    assert confirm.status_code == 200
    body = confirm.get_data(as_text=True).split("danger-box")[1]  # after the upload's flash
    assert "sealed price document" in body and "wrong-price.pdf" not in body
    assert chair.post(f"/tenders/{tender.id}/documents/{price}/delete").status_code == 302
    assert stored(app, tmp_path) == ([], [])


def test_a_price_document_is_hidden_from_a_technical_evaluator_everywhere(
    app, make_tender, chair
):
    tender = make_tender(state="open", submitted=False)
    technical = document_id(upload(chair, tender, PDF, name="tech.pdf"))
    upload(chair, tender, pdf([("Price", ["1,000,000 CNY"])]), name="price.pdf",
           envelope="price")
    price = last_document(app)
    open_envelope(app, tender)
    evaluator = app.test_client()
    login(evaluator, "eval1")
    # before declaring conflicts: no document at all
    assert evaluator.get(f"/tenders/{tender.id}/documents/{technical}").status_code == 404
    evaluator.post(f"/tenders/{tender.id}/evaluate/conflicts", data={"no_conflict": "y"})
    assert evaluator.get(f"/tenders/{tender.id}/documents/{technical}").status_code == 200
    assert evaluator.get(f"/tenders/{tender.id}/documents/{technical}/file").status_code == 200
    for path in (f"/tenders/{tender.id}/documents/{price}",
                 f"/tenders/{tender.id}/documents/{price}/file",
                 f"/api/tenders/{tender.id}/documents/{price}"):
        assert evaluator.get(path).status_code == 404, path
    listed = evaluator.get(f"/api/tenders/{tender.id}/documents").get_json()
    assert [d["id"] for d in listed] == [technical]
    sheet = evaluator.get(f"/tenders/{tender.id}/evaluate/{tender.vendors['Alpha']}")
    assert "price.pdf" not in sheet.get_data(as_text=True)
    # the chair sees both; another tender's id is not a way in
    assert chair.get(f"/tenders/{tender.id}/documents/{price}/file").status_code == 200
    other = make_tender(state="open", submitted=False)
    assert chair.get(f"/tenders/{other.id}/documents/{price}").status_code == 404


def test_an_evaluator_who_may_see_prices_opens_price_documents(app, make_tender, chair):
    tender = make_tender(state="open", submitted=False, can_see_prices=True)
    upload(chair, tender, PDF, name="price.pdf", envelope="price")
    price = last_document(app)
    evaluator = app.test_client()
    login(evaluator, "eval1")
    evaluator.post(f"/tenders/{tender.id}/evaluate/conflicts", data={"no_conflict": "y"})
    assert evaluator.get(f"/tenders/{tender.id}/documents/{price}/file").status_code == 404
    open_envelope(app, tender)
    assert evaluator.get(f"/tenders/{tender.id}/documents/{price}/file").status_code == 200


def test_a_conflicted_evaluator_does_not_see_that_vendors_documents(app, tender, chair):
    alpha = document_id(upload(chair, tender, PDF, vendor="Alpha"))
    evaluator = app.test_client()
    login(evaluator, "eval1")
    evaluator.post(f"/tenders/{tender.id}/evaluate/conflicts",
                   data={"vendors": str(tender.vendors["Alpha"]), "statement": "my brother"})
    assert evaluator.get(f"/tenders/{tender.id}/documents/{alpha}").status_code == 404


def test_only_the_chair_uploads_links_and_deletes(app, tender, chair):
    doc = document_id(upload(chair, tender, PDF))
    evaluator = app.test_client()
    login(evaluator, "eval1")
    assert upload(evaluator, tender, PDF).status_code == 403
    assert evaluator.post(f"/tenders/{tender.id}/documents/{doc}/delete").status_code == 403
    assert evaluator.post(f"/tenders/{tender.id}/documents/{doc}/links",
                          data={"criterion": "fit"}).status_code == 403


def test_upload_link_and_delete_are_audited_with_the_hash(app, tender, chair, tmp_path):
    sha = hashlib.sha256(PDF).hexdigest()
    doc = document_id(upload(chair, tender, PDF))
    assert chair.post(f"/tenders/{tender.id}/documents/{doc}/links",
                      data={"criterion": "fit", "page": "3.2"}).status_code == 302
    confirm = chair.get(f"/tenders/{tender.id}/documents/{doc}/delete")
    assert confirm.status_code == 200 and "Delete for good" in confirm.get_data(as_text=True)
    assert chair.post(f"/tenders/{tender.id}/documents/{doc}/delete").status_code == 302
    with app.test_request_context():
        events = get_session().scalars(
            select(AuditEvent).where(AuditEvent.action.like("document.%")).order_by(
                AuditEvent.seq)
        ).all()
    assert [e.action for e in events] == ["document.upload", "document.link", "document.delete"]
    assert all(e.detail["sha256"] == sha for e in events)
    assert stored(app, tmp_path) == ([], [])
    for lang, words in (("en", "uploaded the technical document offer.pdf of Alpha"),
                        ("zh", "上传了 Alpha 的技术文件 offer.pdf")):
        history = chair.get(f"/tenders/{tender.id}/history",
                            headers={"Accept-Language": lang}).get_data(as_text=True)
        assert words in history and sha in history, lang


def test_a_second_copy_of_the_same_bytes_keeps_one_file_until_both_are_deleted(
    app, tender, chair, tmp_path
):
    first = document_id(upload(chair, tender, PDF, vendor="Alpha"))
    second = document_id(upload(chair, tender, PDF, vendor="Beta"))
    assert len(stored(app, tmp_path)[1]) == 1
    chair.post(f"/tenders/{tender.id}/documents/{first}/delete")
    assert len(stored(app, tmp_path)[1]) == 1
    chair.post(f"/tenders/{tender.id}/documents/{second}/delete")
    assert stored(app, tmp_path) == ([], [])


def test_the_demo_gives_each_vendor_small_generated_pdfs_linked_to_criteria(
    app, runner, client
):
    assert runner.invoke(["demo", "--password", "demo-password"]).exit_code == 0
    client.post("/login", data={"username": "chair", "password": "demo-password"})
    tenders = {t["template"]: t["id"] for t in client.get("/api/tenders").get_json()}
    review = client.get(f"/api/tenders/{tenders['crm_poc_review']}/documents").get_json()
    assert [d["name"] for d in review] == ["poc-report.pdf"] * 3
    assert {(link["criterion"], link["page"]) for link in review[0]["links"]} == {
        ("dq_accuracy", "p. 2, 2.1"), ("ux_ease", "p. 3, 3.2")}
    selection = client.get(f"/api/tenders/{tenders['crm_selection']}/documents").get_json()
    assert [d["envelope"] for d in selection].count("price") == 5
    for document in review + selection:
        kept = Path(runner.documents_dir) / document["sha256"][:2] / document["sha256"]
        assert kept.read_bytes().startswith(b"%PDF-1.4")
    # generated deterministically: the same vendor's report has the same hash every time
    again = pdf([("Proof-of-concept report - Aurora Cloud", ["1 Scope",
                                                              "Two weeks with 20 pilot users."]),
                 ("2 Data quality", ["2.1 Duplicate detection on 50,000 test accounts."]),
                 ("3 User experience", ["3.2 Pilot users rated ease of use 4.2 of 5."])],
                title="poc-report.pdf - Aurora Cloud")
    assert hashlib.sha256(again).hexdigest() in {d["sha256"] for d in review}


def test_removing_a_vendor_removes_its_documents_and_their_files(app, make_tender, chair,
                                                                  tmp_path):
    tender = make_tender(state="draft", submitted=False)
    upload(chair, tender, PDF, name="alpha.pdf", vendor="Alpha")
    upload(chair, tender, PNG, name="alpha.png", vendor="Alpha")
    upload(chair, tender, PNG, name="same-bytes.png", vendor="Beta")  # shares a file
    rows, files = stored(app, tmp_path)
    assert len(rows) == 3 and len(files) == 2
    page = chair.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "Remove this vendor with its bids and documents?" in page  # the confirmation
    removed = chair.post(
        f"/tenders/{tender.id}/vendors/{tender.vendors['Alpha']}/delete", data={"confirmed": "1"}
    )
    assert removed.status_code == 302
    rows, files = stored(app, tmp_path)
    assert [row.name for row in rows] == ["same-bytes.png"]
    assert [path.name for path in files] == [hashlib.sha256(PNG).hexdigest()]
    with app.test_request_context():
        deleted = get_session().scalars(
            select(AuditEvent).where(AuditEvent.action == "document.delete")
        ).all()
    assert sorted(event.detail["file"] for event in deleted) == ["alpha.pdf", "alpha.png"]


def test_a_link_is_taken_off_only_once_confirmed(app, tender, chair):
    doc = document_id(upload(chair, tender, PDF, criterion="api", page="p. 1"))
    with app.test_request_context():
        link = get_session().scalar(select(DocumentLink.id).where(DocumentLink.document_id == doc))
    url = f"/tenders/{tender.id}/documents/{doc}/links/{link}/delete"
    asked = chair.post(url)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Take this document off the criterion?" in page and "offer.pdf" in page
    assert f'href="/tenders/{tender.id}/documents/{doc}"' in page
    with app.test_request_context():
        assert get_session().get(DocumentLink, link) is not None
    assert chair.post(url, data={"confirmed": "1"}).status_code == 302
    with app.test_request_context():
        assert get_session().get(DocumentLink, link) is None
