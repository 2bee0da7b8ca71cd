"""A read-only JSON API for logged-in users (session cookie), with the same access rules."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import login_required

from selector.scoring.checks import decision_checks
from selector.scoring.model import ScoringError
from selector.scoring.serialize import result_to_json
from selector.services import Forbidden, NotFound, access, results
from selector.store.db import get_session
from selector.web.auth import user
from selector.web.i18n import text

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> Any:
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
    return jsonify(result_to_json(result, decision_checks(result)))
