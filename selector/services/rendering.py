"""Rendering a stored tender's reports into the report cache, off the request path.

`job_for` names what a download would hold (its cache key) without scoring or rendering:
the input's fingerprint and the facts the report prints. `render` is the queue's task
(`selector.queue`): it scores the tender, renders the document and keeps it in the cache,
or records why it could not (no font for its glyphs, a tender that cannot be scored).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from selector.reports.cache import ReportCache, report_key
from selector.reports.context import build_context
from selector.reports.fonts import MissingFont, require_font
from selector.reports.html import render_html
from selector.scoring.engine import evaluate
from selector.scoring.model import EvaluationInput, Result, ScoringError, Text
from selector.scoring.serialize import fingerprint
from selector.services.results import evaluation_input_for, report_context_extras

KINDS = ("report", "appendix", "letters")
log = logging.getLogger(__name__)

CANNOT_SCORE = Text(zh="结果尚无法计算。", en="The result cannot be computed yet.")
FAILED = Text(zh="生成报告时出错,请稍后重试。",
              en="The report could not be made; try again later.")


@dataclass(frozen=True)
class RenderJob:
    """One document to render: a tender, a language and a kind, and its cache key.

    `names` are the texts of the tender a font must be able to draw (vendor, tender and
    committee names), for the font guard before anything is queued."""

    tender_id: int
    lang: str
    kind: str
    key: str
    names: str


def job_for(session: Session, tender_id: int, lang: str, kind: str) -> RenderJob:
    """What a download of `kind` in `lang` would hold, from the stored rows (no scoring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of report {kind!r}")
    inp = evaluation_input_for(session, tender_id)
    extras = report_context_extras(session, tender_id)
    return RenderJob(tender_id, lang, kind, _key(inp, lang, kind, extras),
                     _names(inp, extras, lang))


def render(session: Session, cache: ReportCache, tender_id: int, lang: str, kind: str,
           key: str) -> str:
    """Score the tender and render its document into `cache`; returns the key it is kept
    under (another than `key` when the tender changed since it was queued).

    A tender that cannot be scored, or a report no installed font can draw, is recorded
    as a failure of `key` with its message in both languages.
    """
    inp = evaluation_input_for(session, tender_id)
    extras = report_context_extras(session, tender_id)
    current = _key(inp, lang, kind, extras)
    if current != key:
        cache.release(key)  # the tender changed: the page asks again and finds `current`
        if not cache.claim(current):
            return current
    try:
        result = evaluate(inp)
        cache.put(current, render_document(result, lang, kind, extras))
    except ScoringError as error:
        cache.fail(current, "scoring", Text(zh="\n".join([CANNOT_SCORE.zh, *error.in_language(
            "zh")]), en="\n".join([CANNOT_SCORE.en, *error.in_language("en")])))
    except MissingFont as error:
        cache.fail(current, "font", error.text)
    except Exception:
        log.exception("rendering %s of tender %s failed", kind, tender_id)
        cache.fail(current, "error", FAILED)
        raise
    return current


def render_document(result: Result, lang: str, kind: str, extras: Mapping[str, Any]) -> bytes:
    """The document's bytes: the leadership report or its appendix (PDF), or the bidders'
    letters (a zip of PDFs). Raises MissingFont when no font can draw it."""
    if kind == "letters":
        from selector.reports.letters import letters_zip  # openpyxl: for the letters only

        return letters_zip(result, lang, extras)
    html = render_html(build_context(result, lang, extras, appendix=kind == "appendix"))
    require_font(lang, html)
    from selector.reports.pdf import html_to_pdf  # WeasyPrint: half a second to import

    return html_to_pdf(html)


# Printed, but not part of the key: the audit chain's head moves with every logged event
# (a login too), so a report names the head as it stood when the report was rendered.
VOLATILE = frozenset({"audit_head"})


def _key(inp: EvaluationInput, lang: str, kind: str, extras: Mapping[str, Any]) -> str:
    facts = {name: value for name, value in extras.items() if name not in VOLATILE}
    return report_key(fingerprint(inp), lang, kind, facts)


def _names(inp: EvaluationInput, extras: Mapping[str, Any], lang: str) -> str:
    members = [str(m.get("name", "")) for m in extras.get("committee", ()) or ()]
    chair = extras.get("chair") or {}
    return " ".join([
        *inp.vendors, str(extras.get("tender_name") or ""), str(extras.get("organisation") or ""),
        *members, str(chair.get("name", "") if isinstance(chair, Mapping) else chair),
        *(f"{c.get('by', '')} {c.get('reason', '')}" for c in extras.get("price_changes", ())),
        inp.template.title.get(lang), *(g.title.get(lang) for g in inp.template.groups),
    ])
