"""The CSV reader under the scoring files: line numbers, blank lines, quotes, ragged rows."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest

from selector.files.criteria import load_template
from selector.files.readers import InputError, read_bids_table, read_scores_table, read_table
from tests.unit.test_cli_score import CRM

TEMPLATE = load_template(CRM)


def table(content: str, name: str = "x.csv"):
    return read_table(BytesIO(content.encode("utf-8")), name)


def problems(reader, content: str, *args) -> list[str]:
    with pytest.raises(InputError) as caught:
        reader(BytesIO(content.encode("utf-8")), *args, source_name="x.csv")
    return caught.value.problems


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_plain_and_quoted_files_read_alike(newline):
    plain = table(newline.join(["A,B", "1,x", "2,y", ""]))
    quoted = table(newline.join(["A,B", '"1",x', '2,"y"', ""]))
    spaced = table(newline.join(["A, B", "1, x", "2,  y", ""]))
    for read in (plain, quoted, spaced):
        assert dict(read.columns) == {"a": ["1", "2"], "b": ["x", "y"]}
        assert read.lines() == [2, 3]


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers():
    read = table("a,b\n\n1,x\n\n\n2,y\n")
    assert list(read["a"]) == ["1", "2"]
    assert read.lines() == [3, 6]


def test_a_quoted_cell_over_two_lines_keeps_the_next_rows_line_numbers():
    read = table('a,b\n1,"two\nlines"\n2,"a, b"\n')
    assert list(read["b"]) == ["two\nlines", "a, b"]
    assert read.lines() == [2, 4]


def test_a_short_row_is_padded_and_a_long_row_is_refused_with_its_line():
    assert list(table("a,b,c\n1,2\n").columns["c"]) == [""]
    with pytest.raises(InputError) as caught:
        table("a,b\n1,2\n\n3,4,5\n")
    assert caught.value.problems == [
        "x.csv:4: 3 cells where the header has 2 columns; "
        "put a value that contains a comma in double quotes"
    ]
    assert "含逗号的值请用英文双引号括起来" in caught.value.texts[0].zh


@pytest.mark.parametrize("content", ["", "\n\n", "  \n"])
def test_an_empty_file_is_named(content):
    with pytest.raises(InputError, match="x.csv: cannot be read as a table .*empty"):
        table(content)


def test_a_header_alone_is_an_empty_table():
    read = table("vendor,component,amount\n")
    assert len(read) == 0
    assert read_bids_table(BytesIO(b"vendor,component,amount\n"), TEMPLATE) == []


def test_scores_problems_name_the_real_line_after_blank_lines():
    content = (
        "evaluator,vendor,criterion,value\n\n"
        "e1,Aurora,mobile,full\n\n"
        "e1,Aurora,mobile,partial\n"
        "e1,Aurora,mobiel,full\n"
        "e1,Aurora,team,great\n"
        " ,Aurora,team,full\n"
    )
    found = problems(read_scores_table, content, TEMPLATE)
    assert "x.csv:8: column 'evaluator': value '': a evaluator name is required" in found
    assert any(p.startswith("x.csv:6: column 'criterion': value 'mobiel'") for p in found)
    assert any(p.startswith("x.csv:7: column 'value': value 'great'") for p in found)
    assert any(
        p.startswith("x.csv:5: column 'criterion': value 'mobile': evaluator 'e1' already")
        for p in found
    )


def test_scores_read_each_value_as_its_rule_takes_it():
    content = (
        "evaluator,vendor,criterion,value,comment\n"
        "e1, Aurora ,mobile,满足,live demo\n"
        "e2,Aurora,mobile, PARTIAL ,\n"
        "e1,Aurora,understanding,4.5,\n"
    )
    ratio = load_template(CRM.with_name("crm_selection_ratio.yaml"))
    entries = read_scores_table(BytesIO(content.encode()), ratio)
    assert [(e.evaluator, e.vendor, e.criterion, e.value) for e in entries] == [
        ("e1", "Aurora", "mobile", "full"),
        ("e2", "Aurora", "mobile", "partial"),
        ("e1", "Aurora", "understanding", Decimal("4.5")),
    ]
    assert entries[0].comment == "live demo"

