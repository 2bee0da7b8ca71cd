"""The spreadsheet cell codec: how a text goes into an exported cell and comes back.

A spreadsheet runs a cell that starts with = + - @ (or their full-width forms ＝ ＋ － ＠,
a tab or a carriage return) as a formula: a vendor named `=HYPERLINK(…)` would run in the
chair's Excel (CSV injection). The export writes such a text with a leading apostrophe
(`neutralise`); the readers take exactly that apostrophe off again (`read_name`), so an
exported name re-imports as it was typed.
"""

from __future__ import annotations

import re
from typing import Any

_FORMULA_STARTS = "=+\\-@\t\r＝＋－＠"
_FORMULA = re.compile(f"^[{_FORMULA_STARTS}]")
_NEUTRALISED = re.compile(f"^'(?=[{_FORMULA_STARTS}])")


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, made inert with a leading `'`."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def read_name(text: str) -> str:
    """A vendor or evaluator name as typed: without surrounding spaces, nor the apostrophe
    that `neutralise` puts before a name starting with = + - @ (so the export re-imports)."""
    return _NEUTRALISED.sub("", text.strip(), count=1)
