"""Benchmark of the ranked PDF report.

    .venv/bin/python bench/bench_report.py [--repeat 5]

Two tenders: the bundled example (`examples/crm-tender/`, 5 vendors × 25 criteria × 5
evaluators) and a synthetic large one, 50 vendors × 100 criteria × 15 evaluators (75,000
entries; the tender of `bench_engine.py`, whose panel mostly agrees, plus a comment on 2% of
the entries). For each it measures, and prints as a Markdown table for bench/RESULTS.md:

- the whole `selector report ... -o x.pdf` process (median of --repeat runs);
- in-process, side by side in one run: *ours* — `build_context` + `render_html` +
  WeasyPrint, as `selector.reports` renders a result — and *WeasyPrint alone* on the same
  finished HTML (`html_to_pdf`), alternating so that both see the same machine state. Goal:
  ours ≤ 1.25 × WeasyPrint alone, i.e. our own preparation stays small;
- pages and size of the PDF;
- the machine's floor: a bare process that imports WeasyPrint and writes a one-line CJK
  PDF, which every report command pays, to compare machines.

Goals (issue 5): example whole command ≤ 1.5 s; large ≤ 6 s; ratio ≤ 1.25.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pypdf

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import write_tender  # noqa: E402

from selector import PROJECT_ROOT  # noqa: E402
from selector.files.readers import load_evaluation_input  # noqa: E402
from selector.reports.context import build_context  # noqa: E402
from selector.reports.html import render_html  # noqa: E402
from selector.reports.pdf import html_to_pdf  # noqa: E402
from selector.scoring.checks import decision_checks  # noqa: E402
from selector.scoring.engine import evaluate  # noqa: E402

EXAMPLE = PROJECT_ROOT / "examples" / "crm-tender"
COMMENTS = ["Demonstrated live / 现场演示", "Not offered in the bid / 投标文件未提供",
            "Needs a third-party add-on / 需第三方插件", "Strong references / 案例充分"]


def example_args() -> list[str]:
    return ["--criteria", str(PROJECT_ROOT / "criteria" / "crm_selection.yaml"),
            "--bids", str(EXAMPLE / "bids.csv"), "--scores", str(EXAMPLE / "scores.csv"),
            "--consensus", str(EXAMPLE / "consensus.csv"), "--rates", str(EXAMPLE / "rates.csv")]


def large_args(folder: Path) -> list[str]:
    paths = write_tender(folder, 50, 100, 15)
    rnd = random.Random(5)
    lines = paths["scores"].read_text(encoding="utf-8").splitlines()
    with_comments = [lines[0]] + [
        line + (rnd.choice(COMMENTS) if rnd.random() < 0.02 else "") for line in lines[1:]
    ]
    paths["scores"].write_text("\n".join(with_comments) + "\n", encoding="utf-8")
    return ["--criteria", str(paths["criteria"]), "--bids", str(paths["bids"]),
            "--scores", str(paths["scores"])]


def options(args: list[str]) -> dict[str, Any]:
    pairs = dict(zip(args[::2], args[1::2], strict=True))
    return {
        "criteria": pairs["--criteria"], "bids": pairs["--bids"], "scores": pairs["--scores"],
        "consensus": pairs.get("--consensus"), "rates_file": pairs.get("--rates"),
    }


FLOOR = """
import sys
from weasyprint import HTML
HTML(string='<p style="font-family: Noto Sans CJK SC">评审报告 Report</p>').write_pdf(sys.argv[1])
"""


def floor(out: Path, repeat: int) -> float:
    """The machine's floor: a bare process that imports WeasyPrint and writes a one-line
    CJK PDF (median seconds). Any report command pays at least this; compare machines by it."""
    script = out.with_suffix(".py")
    script.write_text(FLOOR, encoding="utf-8")
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, str(script), str(out)], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def whole_command(args: list[str], out: Path, lang: str) -> float:
    selector = str(Path(sys.executable).with_name("selector"))
    start = time.perf_counter()
    subprocess.run([selector, "report", *args, "--lang", lang, "-q", "-o", str(out)],
                   check=True)
    return time.perf_counter() - start


def bench(name: str, args: list[str], repeat: int, folder: Path, lang: str) -> dict[str, Any]:
    files = options(args)
    result = evaluate(load_evaluation_input(
        files["criteria"], files["bids"], files["scores"], files["consensus"],
        rates_file=files["rates_file"]))
    checks = decision_checks(result)  # as `evaluate` used to: outside the timings
    html = render_html(build_context(result, lang, checks=checks))
    pdf = html_to_pdf(html)  # warm: fonts, the stylesheet, the template
    ours, alone = [], []
    for _ in range(repeat):  # alternate, so that both see the same machine state
        gc.collect()  # the last document's garbage is not ours to collect in the next timing
        start = time.perf_counter()
        html = render_html(build_context(result, lang, checks=checks))
        pdf = html_to_pdf(html)
        ours.append(time.perf_counter() - start)
        gc.collect()
        start = time.perf_counter()
        html_to_pdf(html)
        alone.append(time.perf_counter() - start)
    out = folder / f"{name}.pdf"
    command = [whole_command(args, out, lang) for _ in range(repeat)]
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    ours_s, alone_s = statistics.median(ours), statistics.median(alone)
    return {
        "name": name,
        "entries": len(result.input.entries),
        "flags": len(checks.flags),
        "pages": pages,
        "kib": len(pdf) // 1024,
        "command_s": statistics.median(command),
        "ours_s": ours_s,
        "alone_s": alone_s,
        "ratio": ours_s / alone_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    arguments = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}, "
          f"{time.strftime('%Y-%m-%d')}; medians of {arguments.repeat} runs; "
          f"lang {arguments.lang}\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = floor(folder / "floor.pdf", arguments.repeat)
        rows = [
            bench("example 5 × 25 × 5", example_args(), arguments.repeat, folder,
                  arguments.lang),
            bench("large 50 × 100 × 15", large_args(folder), arguments.repeat, folder,
                  arguments.lang),
        ]
    print(f"Floor of this machine (a bare process: import WeasyPrint, write a one-line CJK "
          f"PDF): {bare:.2f} s\n")
    print("| tender | entries | flags | pages | PDF KiB | whole `selector report` s | "
          "ours in-process s | WeasyPrint alone s | ours ÷ alone |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['name']} | {row['entries']:,} | {row['flags']:,} | {row['pages']} | "
              f"{row['kib']:,} | {row['command_s']:.2f} | {row['ours_s']:.2f} | "
              f"{row['alone_s']:.2f} | {row['ratio']:.2f} |")


if __name__ == "__main__":
    main()
