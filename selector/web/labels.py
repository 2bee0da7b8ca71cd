"""Translated names for the stored codes (roles, states, methods), shown on pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "chair": _l("Chair"),
    "evaluator": _l("Evaluator"),
    "observer": _l("Observer"),
}
TENDER_STATE_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open for scoring"),
    "closed": _l("Scoring closed"),
    "finalised": _l("Finalised"),
}
SHEET_STATE_LABELS = {
    "missing": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "conflict": _l("Conflict declared"),
}
METHOD_LABELS = {
    "mean": _l("Mean of the evaluators"),
    "trimmed": _l("Trimmed mean (drop highest and lowest when 5 or more scored)"),
    "median": _l("Median of the evaluators"),
}
KIND_LABELS = {
    "tiered": _l("Full / partial / none"),
    "binary": _l("Can provide / cannot"),
    "scale": _l("Number on a scale"),
    "grade": _l("Grade"),
    "price_rank": _l("Price rank"),
    "price_ratio": _l("Price ratio (lowest / amount)"),
    "gate": _l("Pass / fail gate"),
}
TRANSITION_LABELS = {
    "open": _l("Open scoring"),
    "close": _l("Close scoring"),
    "finalise": _l("Finalise"),
    "reopen": _l("Reopen scoring"),
}
