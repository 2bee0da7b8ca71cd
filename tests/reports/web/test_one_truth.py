"""One truth on every surface: a tender whose numbers fall on half a cent shows the same
digits on the results page, the API, `selector score` (table and --json), the PDF, the CSV
export and the workbook (as LibreOffice shows it, recalculated).

The mini template (tests/web/data/mini.yaml): quality weighs 60 over 20 points (× 3), price
40 over the 5 points of `fee` (× 8, tiers 5 / 4 / 3). Four evaluators; in exact arithmetic:

- Alpha: plan 4.5, 4.5, 4.5, 4 -> 4.375; quality 3 × (5 + 2 + 4.375 + 8) = 58.125; price
  8 × 5 = 40 (the lower bid, 1,000 CNY); total 98.125.
- Beta: fit full, full, full, partial -> 4.5; plan 4, 4, 4, 3.5 -> 3.875; quality
  3 × (4.5 + 2 + 3.875 + 8) = 55.125; price 8 × 3 = 24 (the higher of two bids gets the last
  tier); total 79.125. Its bid is 2,469.13 USD at 0.5 CNY: 1,234.565 CNY.

These are exact in binary too, so rounding half to even (Python's `round`, `:.2f`, a
Decimal's default context) gives 98.12 / 79.12 / 58.12 / 55.12 / 1,234.56 where the rule —
half-up, once, at the end — gives 98.13 / 79.13 / 58.13 / 55.13 / 1,234.57.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from selector.cli import main
from tests.reports.conftest import pdf_pages
from tests.web.conftest import DATA, MINI_VALUES, login

EVALUATORS = ["eval1", "eval2", "eval3", "eval4"]
VENDORS = ["Alpha", "Beta"]
PLAN = {"Alpha": ("4.5", "4.5", "4.5", "4"), "Beta": ("4", "4", "4", "3.5")}
FIT = {"Alpha": ("full",) * 4, "Beta": ("full", "full", "full", "partial")}
BIDS = {"Alpha": ("1000", "CNY"), "Beta": ("2469.13", "USD")}
RATES = {"USD": "0.5"}

# vendor -> (total, quality, price, bid total), half-up
TOTALS = {"Alpha": ("98.13", "58.13", "40.00", "1,000.00"),
          "Beta": ("79.13", "55.13", "24.00", "1,234.57")}
SHOWN = ["98.13", "79.13", "58.13", "55.13", "1,234.57"]
HALF_EVEN = ["98.12", "79.12", "58.12", "55.12", "1,234.56", "1234.56"]


def values(index: int, vendor: str) -> dict[str, str]:
    """What evaluator number `index` enters for `vendor`."""
    return {**MINI_VALUES, "plan": PLAN[vendor][index], "fit": FIT[vendor][index]}


def half_cent_tender(make_tender: Any) -> Any:
    """The tender of this module's docstring, closed, every sheet submitted."""
    return make_tender(
        state="closed",
        vendors=VENDORS,
        evaluators=len(EVALUATORS),
        bids=BIDS,
        rates=RATES,
        values={e: {v: values(i, v) for v in VENDORS} for i, e in enumerate(EVALUATORS)},
    )


def chair_client(app: Any) -> Any:
    client = app.test_client()
    login(client, "chair")
    return client


def assert_half_up(text: str) -> None:
    """Every half-up figure is in `text`, and none of the half-to-even ones."""
    for digits in SHOWN:
        assert digits in text
    for digits in HALF_EVEN:
        assert not re.search(rf"(?<![\d,]){re.escape(digits)}(?!\d)", text), digits


def test_the_results_page_shows_the_totals_and_the_bid_rounded_half_up(
    app: Any, make_tender: Any
) -> None:
    setup = half_cent_tender(make_tender)
    page = chair_client(app).get(f"/tenders/{setup.id}/results?lang=en").get_data(as_text=True)
    assert_half_up(page)
    assert "2,469.13" in page  # the bid as given, in USD


def test_the_api_gives_the_same_totals_groups_and_bid_totals(app: Any, make_tender: Any) -> None:
    setup = half_cent_tender(make_tender)
    body = chair_client(app).get(f"/api/tenders/{setup.id}/result").get_json()
    ranking = {row["vendor"]: row for row in body["ranking"]}
    for vendor, (total, quality, price, bid) in TOTALS.items():
        assert ranking[vendor]["total"] == float(total)
        assert ranking[vendor]["groups"] == {"quality": float(quality), "price": float(price)}
        assert ranking[vendor]["bid_total"] == bid.replace(",", "")
    assert [row["vendor"] for row in body["ranking"]] == ["Alpha", "Beta"]


def write_files(folder: Path) -> list[str]:
    """The same tender as `selector score` files; returns the command's options."""
    scores = folder / "scores.csv"
    with scores.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["evaluator", "vendor", "criterion", "value"])
        for index, evaluator in enumerate(EVALUATORS):
            for vendor in VENDORS:
                for criterion, value in values(index, vendor).items():
                    writer.writerow([evaluator, vendor, criterion, value])
    bids = folder / "bids.csv"
    bids.write_text("vendor,component,amount,currency\n" + "".join(
        f"{vendor},fee,{amount},{currency}\n" for vendor, (amount, currency) in BIDS.items()),
        encoding="utf-8")
    rates = folder / "rates.csv"
    rates.write_text("currency,rate\n" + "".join(f"{c},{r}\n" for c, r in RATES.items()),
                     encoding="utf-8")
    return ["--criteria", str(DATA / "mini.yaml"), "--bids", str(bids), "--scores",
            str(scores), "--rates", str(rates)]


def test_selector_score_prints_the_same_digits_and_the_api_s_json(
    app: Any, make_tender: Any, tmp_path: Path
) -> None:
    setup = half_cent_tender(make_tender)
    api = chair_client(app).get(f"/api/tenders/{setup.id}/result").get_json()
    options = write_files(tmp_path)

    table = CliRunner().invoke(main, ["score", *options, "--lang", "en"])
    assert table.exit_code == 0, table.output
    assert_half_up(table.output)
    for vendor, (total, quality, price, bid) in TOTALS.items():
        line = next(line for line in table.output.splitlines() if f" {vendor} " in line)
        assert line.split()[2:] == [total, "-", quality, price, bid]  # "-": no band

    printed = CliRunner().invoke(main, ["score", *options, "--json"])
    assert printed.exit_code == 0, printed.output
    cli = json.loads(printed.output)
    assert cli["fingerprint"] == api["fingerprint"]  # the very same input
    assert cli["ranking"] == api["ranking"]
    assert cli["points"] == api["points"]


def test_the_pdf_report_shows_the_same_digits(app: Any, make_tender: Any) -> None:
    setup = half_cent_tender(make_tender)
    response = chair_client(app).get(f"/tenders/{setup.id}/report.pdf?lang=en")
    assert response.status_code == 200
    text = " ".join(" ".join(pdf_pages(response.data)).split())
    assert_half_up(text)
    assert "98.1250 → 98.13" in text  # the worked line: exact, then rounded once


def test_the_csv_export_and_the_recalculated_workbook_hold_the_same_numbers(
    app: Any, make_tender: Any, tmp_path: Path
) -> None:
    setup = half_cent_tender(make_tender)
    chair = chair_client(app)

    def sheet(name: str) -> list[dict[str, str]]:
        response = chair.get(f"/tenders/{setup.id}/export/{name}.csv?lang=en")
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))

    exported = {row["vendor"]: row for row in sheet("summary")}
    for vendor, (total, quality, price, bid) in TOTALS.items():
        row = exported[vendor]
        assert [row["total"], row["quality (Quality, 60)"], row["price (Price, 40)"]] == [
            str(float(total)), str(float(quality)), str(float(price))]  # numbers, as pandas writes
        assert row["bid_total_CNY"] == str(float(bid.replace(",", "")))
    assert sheet("bids")[1]["amount_CNY"] == "1234.57"

    response = chair.get(f"/tenders/{setup.id}/export.xlsx?lang=en")
    assert response.status_code == 200
    shown = displayed_sheets(response.data, tmp_path)
    assert_half_up(shown["Summary"] + shown["Bids"])
    summary = {row["Vendor"]: row for row in csv.DictReader(io.StringIO(shown["Summary"]))}
    for vendor, (total, quality, price, bid) in TOTALS.items():
        assert summary[vendor]["Rank"] == str(VENDORS.index(vendor) + 1)
        assert [summary[vendor][k] for k in ("Total", "Quality", "Price", "Total bid (CNY)")] == [
            total, quality, price, bid]


def displayed_sheets(workbook: bytes, directory: Path) -> dict[str, str]:
    """Each sheet of a workbook as LibreOffice shows it (recalculated, number formats
    applied), as CSV text: `soffice --convert-to csv` with every sheet (-1) as displayed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    source = directory / "book.xlsx"
    source.write_bytes(workbook)
    options = "44,34,76,1,,0,false,true,true,false,false,-1"  # ',', '"', UTF-8, as shown, all
    subprocess.run(
        [soffice, "--headless", "--norestore",
         f"-env:UserInstallation={(directory / 'lo').as_uri()}",
         "--convert-to", f"csv:Text - txt - csv (StarCalc):{options}",
         "--outdir", str(directory / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return {path.stem.removeprefix("book-"): path.read_text(encoding="utf-8")
            for path in (directory / "out").glob("book-*.csv")}
