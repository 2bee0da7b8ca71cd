"""A read-only JSON API for logged-in users (session cookie), with the same access rules."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, url_for
from flask_login import login_required

from selector.scoring.model import ScoringError
from selector.scoring.serialize import result_to_json
from selector.services import Forbidden, NotFound, access, documents, results
from selector.store.db import get_session
from selector.web import denials
from selector.web.auth import user
from selector.web.i18n import text

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> Any:
    denials.mark_hidden()
    return jsonify(error=text(error.message)), 404


@bp.errorhandler(Forbidden)
def forbidden(error: Forbidden) -> Any:
    return jsonify(error=text(error.message)), 403


@bp.get("/tenders")
@login_required
def tender_list() -> Any:
    """The tenders the user may see: id, name, state, template."""
    items = [
        {"id": t.id, "name": t.name, "state": t.state, "template": t.template_key}
        for t in access.tenders_visible_to(get_session(), user())
    ]
    return jsonify(items)


@bp.get("/tenders/<int:tender_id>/result")
@login_required
def tender_result(tender_id: int) -> Any:
    """The result in the `selector score --json` shape (chair after closing, observers
    once finalised); 409 with the problems when it cannot be computed yet."""
    session = get_session()
    tender = access.results_tender(session, tender_id, user())
    try:
        result = results.result_for(session, tender.id)
    except ScoringError as error:
        return jsonify(error="the result cannot be computed yet", problems=error.problems), 409
    return jsonify(result_to_json(result, results.checks_for(result)))


def _document_json(document: documents.DocumentView) -> dict[str, Any]:
    if document.sealed:  # the chair knows it is there; nothing else until the envelope opens
        return {"id": document.id, "vendor": document.vendor, "envelope": document.envelope,
                "sealed": True, "sha256": document.sha256,
                "uploaded_at": document.uploaded_at.isoformat()}
    return {
        "id": document.id,
        "vendor": document.vendor,
        "envelope": document.envelope,
        "sealed": False,
        "name": document.name,
        "type": document.kind,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at.isoformat(),
        "links": [{"criterion": link.criterion, "page": link.page} for link in document.links],
        "url": url_for("documents.file", tender_id=document.tender_id, document_id=document.id),
    }


@bp.get("/tenders/<int:tender_id>/documents")
@login_required
def tender_documents(tender_id: int) -> Any:
    """The tender's documents the user may know of (a sealed price document only as such)."""
    listed = documents.tender_documents(get_session(), tender_id, user())
    return jsonify([_document_json(d) for d in listed])


@bp.get("/tenders/<int:tender_id>/documents/<int:document_id>")
@login_required
def tender_document(tender_id: int, document_id: int) -> Any:
    """One document the user may read; 404 for any other (a sealed price document too)."""
    return jsonify(_document_json(documents.readable(get_session(), tender_id, document_id,
                                                     user())))
