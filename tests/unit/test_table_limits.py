"""Table files within their limits (scoring.limits.TableLimits): a file too large is refused
from its declared size or at the first row beyond the limit, never read to its end. The
workbooks are written byte by byte (tests/xlsx.py)."""

from __future__ import annotations

import io
import os
from dataclasses import replace

import pytest

from selector.files import tables
from selector.files.tables import TooLarge, read_table
from selector.files.workbook import BIDS, exported_sheet
from selector.scoring.limits import COMMAND_LINE_TABLE, MAX_UPLOAD_BYTES, UPLOAD_TABLE
from tests.xlsx import HEADER, bids_rows, xlsx


def read(data: bytes, name: str = "bids.xlsx", limits=UPLOAD_TABLE):
    return read_table(io.BytesIO(data), name, limits=limits)


def test_a_small_workbook_is_read_as_before():
    table = read(xlsx([HEADER, ["Alpha", "fee", 100], [], ["Beta", "fee", 90.5]]))
    assert list(table["vendor"]) == ["Alpha", "Beta"]
    assert list(table["amount"]) == ["100", "90.5"]
    assert table.lines() == [2, 4]  # the blank row is skipped, the lines kept


def test_a_workbook_declaring_30000_rows_is_refused_before_any_row_is_read():
    data = xlsx(bids_rows(30_000), refs=False)
    assert len(data) < 13_000  # 12 KB  # a small file: 30,000 rows compress well
    with pytest.raises(TooLarge) as refused:
        read(data)
    assert refused.value.rows_read == 0
    assert "30,000 rows of data, more than the 5,000 a table may have" in refused.value.texts[0].en
    assert "超过上限 5,000 行" in refused.value.texts[0].zh


def test_a_workbook_hiding_its_size_is_refused_from_its_row_tags():
    for dimension in (None, "A1"):  # no size declared, or a size smaller than the rows
        with pytest.raises(TooLarge) as refused:
            read(xlsx(bids_rows(30_000), dimension=dimension, refs=False))
        assert refused.value.rows_read == 0
        assert "5,000+ rows of data, more than the 5,000" in refused.value.texts[0].en


def test_rows_beyond_the_limit_are_never_read(monkeypatch):
    """Where the rows cannot be counted beforehand, reading stops at the first one over."""
    monkeypatch.setattr(tables, "_count_cells", lambda sheet, limits: None)
    with pytest.raises(TooLarge) as refused:
        read(xlsx(bids_rows(6_000), dimension="A1", refs=False))
    assert refused.value.rows_read == UPLOAD_TABLE.rows
    assert "5,000+ rows of data, more than the 5,000" in refused.value.texts[0].en


def test_row_tags_are_counted_across_pieces():
    rows = [HEADER] + [["V" * 997, "fee", 1]] * 3000  # the tags fall across 1 MiB pieces
    book = xlsx(rows, dimension=None)
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(book), read_only=True).worksheets[0]
    counted = tables._count_cells(sheet, COMMAND_LINE_TABLE)
    assert counted == {b"row": 3001, b"c": 3 * 3001}


def test_a_sheet_understating_its_size_loses_no_row():
    table = read(xlsx(bids_rows(5), dimension="A1:C2"))
    assert len(table) == 5


def test_a_2_mb_workbook_of_rows_is_refused_without_reading_them_all():
    # random names do not compress: the file is as large as an upload may be
    rows = [HEADER] + [[os.urandom(24).hex(), "fee", n] for n in range(1, 42_000)]
    data = xlsx(rows, dimension=None)
    assert 1.8 * 1024**2 < len(data) <= MAX_UPLOAD_BYTES
    with pytest.raises(TooLarge) as refused:
        read(data)
    assert refused.value.rows_read == 0  # counted, not read


def test_a_zip_bomb_is_refused_from_its_declared_sizes():
    bomb = {"xl/media/padding.bin": b"\0" * (60 * 1024**2)}  # 60 MiB of zeros: ~60 KB packed
    data = xlsx(bids_rows(2), extra=bomb)
    assert len(data) < 200_000
    with pytest.raises(TooLarge) as refused:
        read(data)
    assert "unpacks to 60 MiB, more than the 32 MiB an Excel file may" in refused.value.texts[0].en
    with pytest.raises(TooLarge):  # the exported-workbook reader of the bids upload too
        exported_sheet(io.BytesIO(data), BIDS, "bids.xlsx", UPLOAD_TABLE)


def test_a_few_rows_of_many_cells_are_refused_before_they_are_parsed():
    rows = [HEADER] + [["V", "fee", 1] + [0] * 40_000] * 3  # beyond the header: ignored, but
    with pytest.raises(TooLarge, match="more than 100,000 cells"):  # parsed by openpyxl
        read(xlsx(rows, dimension="A1:C4", refs=False))


def test_a_workbook_of_too_many_distinct_texts_is_refused_before_openpyxl_reads_them():
    strings = "".join(f"<si><t>{n:08d}</t></si>" for n in range(12_000))
    sst = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    data = xlsx(bids_rows(2), extra={"xl/sharedStrings.xml": sst.encode()})
    with pytest.raises(TooLarge, match="more than 10,000 distinct texts"):
        read(data)


def test_too_many_columns_and_too_long_cells_are_refused_naming_the_limit():
    wide = [[f"c{i}" for i in range(60)], ["x"] * 60]
    with pytest.raises(TooLarge, match="60 columns, more than the 50"):
        read(xlsx(wide))
    with pytest.raises(TooLarge, match="50[+] columns, more than the 50"):
        read(xlsx(wide, dimension=None))
    long = [HEADER, ["Alpha", "fee", 1], ["B" * 9000, "fee", 2]]
    with pytest.raises(TooLarge) as refused:
        read(xlsx(long))
    message = refused.value.texts[0].en
    assert "bids.xlsx:3: column 'vendor': a cell of 9,000 characters, more than the 8,000" in (
        message
    )


def test_csv_files_have_the_same_limits():
    with pytest.raises(TooLarge, match="30,000 rows of data, more than the 5,000"):
        read(b"vendor,component,amount\n" + b"V,fee,1\n" * 30_000, "bids.csv")
    with pytest.raises(TooLarge, match="60 columns"):
        read(",".join(f"c{i}" for i in range(60)).encode() + b"\n", "bids.csv")
    for line in (b"B" * 9000 + b",fee,2\n", b'"' + b"B" * 9000 + b'",fee,2\n'):
        with pytest.raises(TooLarge, match="bids.csv:3: column 'vendor': a cell of 9,000"):
            read(b"vendor,component,amount\nA,fee,1\n" + line, "bids.csv")


def test_the_command_line_reads_a_large_table():
    table = read(xlsx(bids_rows(6_000), dimension=None, refs=False), limits=COMMAND_LINE_TABLE)
    assert len(table) == 6_000


def test_reading_stops_at_the_time_limit():
    no_time = replace(UPLOAD_TABLE, seconds=0.0)
    with pytest.raises(TooLarge) as refused:
        read(xlsx(bids_rows(2_000), refs=False), limits=no_time)
    assert refused.value.rows_read == 510  # checked every 512 lines: lines 2-511 were read
    assert "still reading after 0 seconds (510 rows read)" in refused.value.texts[0].en
