"""People by name (issue 10): the PDF's context, the CSV export and the workbook name the
evaluators by their display names — never by login — and show no internal flag id."""

from __future__ import annotations

import io
from dataclasses import asdict, is_dataclass

import openpyxl

from selector.reports.context import build_context, evaluator_names
from selector.reports.export import export_csv
from selector.reports.html import render_html
from selector.reports.workbook import build_workbook
from selector.scoring.checks import decision_checks
from selector.scoring.model import Result

NAMES = {f"evaluator{i}": name for i, name in
         enumerate(["王芳", "Li Wei", "Anna Schmidt", "Li Wei", "Omar Haddad"], start=1)}
EXTRAS = {"committee": [{"username": u, "name": n, "role": "evaluator"} for u, n in NAMES.items()]}


def everything(value: object) -> str:
    """Every text a context holds, joined (dataclasses, mappings and sequences walked)."""
    if is_dataclass(value) and not isinstance(value, type):
        return everything(asdict(value))
    if isinstance(value, dict):
        return " ".join(everything(k) + " " + everything(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return " ".join(everything(v) for v in value)
    return str(value)


def test_two_members_of_the_same_name_are_told_apart():
    assert evaluator_names(EXTRAS) == {**NAMES, "evaluator4": "Li Wei (2)"}


def test_the_report_names_people_and_shows_no_login_nor_flag_id(example_result: Result):
    checks = decision_checks(example_result)
    assert any(f.evaluator for f in checks.flags), "the example raises evaluator flags"
    for lang in ("zh", "en"):
        for appendix in (False, True):
            context = build_context(example_result, lang, EXTRAS, checks=checks,
                                    appendix=appendix)
            html = render_html(context)  # what WeasyPrint lays out
            assert "Anna Schmidt" in html and "Li Wei (2)" in html, (lang, appendix)
            assert "evaluator1" not in html and "evaluator3" not in html, (lang, appendix)
            assert not any(flag.id in html for flag in checks.flags), (lang, appendix)
        # the sentences of the stability page say who, by name
        text = everything(context.stability.flags)
        assert "王芳" in text or "Li Wei" in text or "Omar Haddad" in text


def test_the_csv_export_names_people_and_shows_no_flag_id(example_result: Result):
    checks = decision_checks(example_result)
    for sheet in ("Entries", "Flags"):
        _name, _mime, data = export_csv(example_result, sheet, "en", EXTRAS, checks=checks)
        text = data.decode("utf-8-sig")
        assert "evaluator1" not in text and "evaluator5" not in text, sheet
        assert "Omar Haddad" in text, sheet
    _name, _mime, data = export_csv(example_result, "Flags", "en", EXTRAS, checks=checks)
    text = data.decode("utf-8-sig")
    assert not any(flag.id in text for flag in checks.flags)
    assert text.splitlines()[0] == "kind,vendor,criterion,evaluator,message,review"


def test_the_workbook_names_people_and_shows_no_flag_id(example_result: Result):
    checks = decision_checks(example_result)
    _name, _mime, data = build_workbook(example_result, "zh", EXTRAS, checks=checks)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows()
                     for c in row if c.value is not None)
    assert "Anna Schmidt" in cells and "王芳" in cells
    assert "evaluator1" not in cells and "evaluator2" not in cells
    assert not any(flag.id in cells for flag in checks.flags)
