"""Bid documents: the chair uploads, links and deletes them; the committee opens them.

Each document has its page at `/tenders/<id>/documents/<document_id>` and its file at
`…/file`. A file is served as what its content is (`selector.files.sniff`): inline only for
PDF and images, every other type as an attachment, always with `X-Content-Type-Options:
nosniff`, so nothing uploaded is ever run by the browser as a page. A document the user may
not read (another tender's, a sealed price document) is a 404, whatever the address.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from selector.config import documents_dir
from selector.files.sniff import TYPES
from selector.services import ServiceError, access, templates, views
from selector.services import documents as service
from selector.store.blobs import BlobStore
from selector.store.db import get_session
from selector.store.models import Tender
from selector.web.auth import roles_required, user
from selector.web.confirm import unconfirmed
from selector.web.forms import (
    ActionForm,
    DocumentLinkForm,
    DocumentUploadForm,
    apply_error,
    flash_error,
    flash_form_errors,
    refusal_status,
)
from selector.web.i18n import current_lang, text

bp = Blueprint("documents", __name__, url_prefix="/tenders")

# What a multipart request may carry beyond the file itself (the other fields, boundaries).
FORM_OVERHEAD = 64 * 1024


def store() -> BlobStore:
    """The folder of the documents' files (`DOCUMENTS_DIR`, else instance/documents)."""
    return BlobStore(documents_dir(current_app.config, current_app.instance_path))


def _criterion_choices(tender: Tender, blank: str | None) -> list[tuple[str, str]]:
    lang = current_lang()
    template = templates.template_of(tender)
    choices = [("", blank)] if blank is not None else []
    return choices + [(c.id, f"{c.title.get(lang)}") for c in template.criteria()]


def upload_form(tender: Tender, form: DocumentUploadForm | None = None) -> DocumentUploadForm:
    """The upload form of `tender`'s page, its choices filled in."""
    form = form or DocumentUploadForm(formdata=None)
    form.vendor.choices = [(v.id, v.name) for v in tender.vendors]
    form.criterion.choices = _criterion_choices(tender, _("— none —"))
    return form


def document_section(tender: Tender, form: DocumentUploadForm | None = None) -> dict[str, Any]:
    """What the tender page's Documents section needs: the list and the upload form."""
    return {
        "documents": service.tender_documents(get_session(), tender.id, user()),
        "document_form": upload_form(tender, form),
        "document_max": service.size_text(int(current_app.config["DOCUMENT_MAX_BYTES"])),
    }


def _chaired(tender_id: int) -> Tender:
    return access.chaired_tender(get_session(), tender_id, user())


def _upload_page(tender: Tender, form: DocumentUploadForm, status: int) -> Any:
    return render_template(
        "documents/upload.html",
        tender=views.tender_heading(tender),
        document_form=upload_form(tender, form),
        document_max=service.size_text(int(current_app.config["DOCUMENT_MAX_BYTES"])),
    ), status


@bp.route("/<int:tender_id>/documents/new", methods=["GET", "POST"])
@roles_required("chair")
def upload(tender_id: int) -> Any:
    """Upload one of a vendor's documents (the tender page's form posts here too)."""
    tender = _chaired(tender_id)
    if request.method == "GET":
        return _upload_page(tender, DocumentUploadForm(formdata=None), 200)
    limit = int(current_app.config["DOCUMENT_MAX_BYTES"])
    request.max_content_length = limit + FORM_OVERHEAD
    try:
        form = DocumentUploadForm()
        form.vendor.choices = [(v.id, v.name) for v in tender.vendors]
    except RequestEntityTooLarge:
        form = DocumentUploadForm(formdata=None)
        form.document_file.errors = [text(service.too_large(limit))]
        return _upload_page(tender, form, 413)
    if form.validate_on_submit():
        upload_file = form.document_file.data
        try:
            document = service.upload_document(
                get_session(),
                tender.id,
                actor=user(),
                store=store(),
                data=upload_file.read(limit + 1),
                filename=upload_file.filename or "",
                vendor_id=form.vendor.data,
                envelope=form.envelope.data or "",
                criterion=form.criterion.data or "",
                page=form.page.data or "",
                max_bytes=limit,
            )
        except ServiceError as error:
            if error.field == "file":
                error.field = "document_file"
            apply_error(form, error)
        else:
            flash(_("Document '%(name)s' kept.", name=document.name), "success")
            if document.envelope == "price" and not access.may_see_prices(
                get_session(), tender, user()
            ):  # sealed until the price envelope is opened, for its chair too
                return redirect(url_for("tenders.show", tender_id=tender.id, _anchor="documents"))
            return redirect(
                url_for("documents.show", tender_id=tender.id, document_id=document.id)
            )
    return _upload_page(_chaired(tender_id), form, 422)


def _link_form(tender: Tender, form: DocumentLinkForm | None = None) -> DocumentLinkForm:
    form = form or DocumentLinkForm(formdata=None)
    form.criterion.choices = _criterion_choices(tender, None)
    return form


def _show(tender_id: int, document_id: int, link_form: Any = None, status: int = 200) -> Any:
    session = get_session()
    document = service.readable(session, tender_id, document_id, user())
    tender = access.visible_tender(session, tender_id, user())
    is_chair = user().role == "chair" and tender.chair_id == user().id
    return render_template(
        "documents/show.html",
        tender=views.tender_heading(tender),
        document=document,
        size=service.size_text(document.size),
        is_chair=is_chair,
        link_form=_link_form(tender, link_form) if is_chair else None,
        action_form=ActionForm(formdata=None),
    ), status


@bp.get("/<int:tender_id>/documents/<int:document_id>")
@login_required
def show(tender_id: int, document_id: int) -> Any:
    """A document's page: whose, which envelope, its type, size, SHA-256 and upload time,
    the criteria it is evidence for; the chair links and deletes it here."""
    return _show(tender_id, document_id)


@bp.get("/<int:tender_id>/documents/<int:document_id>/file")
@login_required
def file(tender_id: int, document_id: int) -> Any:
    """The document's bytes: inline for PDF and images, else as an attachment; 404 for a
    document the user may not read (a sealed price document included)."""
    document = service.readable(get_session(), tender_id, document_id, user())
    kind = TYPES[document.kind]
    try:
        stream = store().open(document.sha256)
    except FileNotFoundError:
        current_app.logger.error("the file of document %s is missing", document.id)
        return render_template(
            "error.html",
            code=404,
            title=_("Not found"),
            message=_("The file of this document is missing from the document storage."),
        ), 404
    service.record_download(get_session(), document, actor=user())
    response = send_file(
        stream,
        mimetype=kind.mimetype,
        as_attachment=not kind.inline,
        download_name=document.name,
        etag=document.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not kind.inline:  # were a browser to open it anyway, it runs nothing
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/<int:tender_id>/documents/<int:document_id>/links")
@roles_required("chair")
def link(tender_id: int, document_id: int) -> Any:
    """Name the document as the evidence for a criterion, at a page or section."""
    tender = _chaired(tender_id)
    form = _link_form(tender, DocumentLinkForm())
    if form.validate_on_submit():
        try:
            service.link_document(
                get_session(),
                tender.id,
                document_id,
                actor=user(),
                criterion=form.criterion.data or "",
                page=form.page.data or "",
            )
        except ServiceError as error:
            apply_error(form, error)
            return _show(tender_id, document_id, form, refusal_status(error))
        flash(_("Link saved."), "success")
        return redirect(url_for("documents.show", tender_id=tender_id, document_id=document_id))
    return _show(tender_id, document_id, form, 422)


@bp.post("/<int:tender_id>/documents/<int:document_id>/links/<int:link_id>/delete")
@roles_required("chair")
def unlink(tender_id: int, document_id: int, link_id: int) -> Any:
    """Take the document off a criterion, once confirmed."""
    _chaired(tender_id)
    asking = unconfirmed(
        _("Take this document off the criterion?"),
        service.chaired_document(get_session(), tender_id, document_id, user()).name,
        url_for("documents.show", tender_id=tender_id, document_id=document_id),
    )
    if asking is not None:
        return asking
    if ActionForm().validate_on_submit():
        try:
            service.unlink_document(get_session(), tender_id, document_id, link_id, actor=user())
        except ServiceError as error:
            flash_error(error)
            return _show(tender_id, document_id, None, refusal_status(error))
        flash(_("Link removed."), "success")
    return redirect(url_for("documents.show", tender_id=tender_id, document_id=document_id))


@bp.route("/<int:tender_id>/documents/<int:document_id>/delete", methods=["GET", "POST"])
@roles_required("chair")
def delete(tender_id: int, document_id: int) -> Any:
    """Confirm, then delete a document (refused once a comment cites it)."""
    session = get_session()
    tender = _chaired(tender_id)
    document = service.chaired_document(session, tender.id, document_id, user())
    form = ActionForm()
    status = 200
    if form.validate_on_submit():
        try:
            name = service.delete_document(
                session, tender.id, document_id, actor=user(), store=store()
            )
        except ServiceError as error:
            flash_error(error)
            status = refusal_status(error)
        else:
            flash(_("Document '%(name)s' deleted.", name=name), "success")
            return redirect(url_for("tenders.show", tender_id=tender_id, _anchor="documents"))
    elif form.is_submitted():
        flash_form_errors(form)
        status = 422
    return render_template(
        "documents/delete.html",
        tender=views.tender_heading(tender),
        document=document,
        form=ActionForm(formdata=None),
    ), status
