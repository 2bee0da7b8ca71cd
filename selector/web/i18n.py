"""Language choice: 简体中文 or English, picked in the page header and kept in the session.

Flask-Babel looks catalogs up by locale: the Chinese catalog lives in
`translations/zh_Hans_CN` (a `zh_CN` folder would be silently ignored), and the template
texts of a tender (`Text`) are shown with `Text.get("zh" | "en")`.
"""

from __future__ import annotations

from typing import Any

from flask import request, session

from selector.scoring import words

LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "en"


def current_lang() -> str:
    """'zh' or 'en': the session's choice, else the browser's preference, else English."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    try:
        best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"])
    except RuntimeError:  # outside a request (CLI): the default
        return DEFAULT_LANG
    if best and best.startswith("zh"):
        return "zh"
    return DEFAULT_LANG


def select_locale() -> str:
    try:
        return LANGUAGES[current_lang()]
    except RuntimeError:
        return LANGUAGES[DEFAULT_LANG]


def text(value: Any, lang: str | None = None) -> str:
    """A template text in the current language: a `Text`, a {"zh", "en"} dict, or a string."""
    if value is None:
        return ""
    lang = lang or current_lang()
    if hasattr(value, "get") and not isinstance(value, dict):
        return str(value.get(lang))
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or value.get("zh") or "")
    return str(value)


def word(table: str, code: str) -> str:
    """A domain word (`selector.scoring.words`) in the page's language, e.g.
    `word("tender_state", tender.state)` in a template."""
    return words.word(table, code, current_lang())
