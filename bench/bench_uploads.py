"""How long a table upload takes to be refused, or read, within the upload limits.

    .venv/bin/python bench/bench_uploads.py [--repeat 5]

Each file is built in memory (tests/xlsx.py writes the workbooks byte by byte) and read
by `selector.files.tables.read_table` with `UPLOAD_TABLE`, as the bids
upload reads it; the median of `--repeat` runs. `pandas` is how the same file was read
before the limits (pandas.read_excel, which parses every row), for comparison.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selector.files.tables import InputError, read_table  # noqa: E402
from selector.scoring.limits import UPLOAD_TABLE  # noqa: E402
from tests.xlsx import HEADER, bids_rows, xlsx  # noqa: E402


def files() -> list[tuple[str, str, bytes]]:
    random_rows = [HEADER] + [[os.urandom(24).hex(), "fee", n] for n in range(1, 42_000)]
    bomb = {"xl/media/padding.bin": b"\0" * (200 * 1024**2)}
    return [
        ("30,000 rows, size declared", "bids.xlsx", xlsx(bids_rows(30_000), refs=False)),
        ("30,000 rows, no size", "bids.xlsx", xlsx(bids_rows(30_000), dimension=None, refs=False)),
        ("42,000 random rows, no size", "bids.xlsx", xlsx(random_rows, dimension=None)),
        ("zip bomb (200 MiB of zeros)", "bids.xlsx", xlsx(bids_rows(2), extra=bomb)),
        ("30,000 rows CSV", "bids.csv", b"vendor,component,amount\n" + b"V,fee,1\n" * 30_000),
        ("5,000 rows (the limit), read", "bids.xlsx", xlsx(bids_rows(5_000))),
        ("250 rows, read", "bids.xlsx", xlsx(bids_rows(250))),
    ]


def timed(run, repeat: int) -> tuple[float, str]:
    times, outcome = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            outcome = f"read {len(run())} rows"
        except InputError as error:
            outcome = "refused: " + error.texts[0].en.split(": ", 1)[1][:60]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pandas", action="store_true", help="also time pandas.read_excel")
    args = parser.parse_args()
    print("| file | size KB | ms | outcome | pandas ms |")
    print("|---|---:|---:|---|---:|")
    for label, name, data in files():
        ms, outcome = timed(lambda d=data, n=name: read_table(io.BytesIO(d), n,
                                                              limits=UPLOAD_TABLE), args.repeat)
        old = ""
        if args.pandas and name.endswith(".xlsx") and "bomb" not in label:
            import pandas as pd  # only for the comparison

            old_ms, _ = timed(lambda d=data: pd.read_excel(io.BytesIO(d), dtype=str), 1)
            old = f"{old_ms:,.0f}"
        print(f"| {label} | {len(data) / 1024:,.0f} | {ms:,.1f} | {outcome} | {old} |")


if __name__ == "__main__":
    main()
