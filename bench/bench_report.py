"""Benchmark of the PDF documents: the leadership report, its appendix, the bidders' letters.

    .venv/bin/python bench/bench_report.py [--repeat 5] [--kinds report,appendix,letters]

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
  PDF, which every report command pays, run alternately with each row's command (medians);
- selector/ is byte-compiled first, as an installation is (see `compile_selector`).

Each kind is measured: `report` (the decision: `selector report`), `appendix` (the
evidence ledger: `selector report --appendix`) and `letters` (one page per vendor, laid out
once and split: `selector report --letters DIR`).

Goals (issue 13): the large tender's leadership report ≤ 3 × the floor (whole command);
ours ≤ 1.25 × WeasyPrint alone.
"""

from __future__ import annotations

import argparse
import compileall
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
from selector.reports.letters import letters, letters_html, letters_zip  # noqa: E402
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


def floor_once(out: Path) -> float:
    """The machine's floor, once: a bare process that imports WeasyPrint and writes a
    one-line CJK PDF (seconds). Any report command pays at least this; compare machines by
    it. Run alternately with the commands, so that both see the same machine state."""
    script = out.with_suffix(".py")
    if not script.exists():
        script.write_text(FLOOR, encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([sys.executable, str(script), str(out)], check=True)
    return time.perf_counter() - start


def compile_selector() -> None:
    """Byte-compile selector/ as an installation does (`make install`; pip for a wheel):
    with PYTHONDONTWRITEBYTECODE set and no __pycache__, every command would compile its
    modules again (WeasyPrint, in site-packages, was compiled by pip: the floor pays none)."""
    compileall.compile_dir(str(PROJECT_ROOT / "selector"), quiet=1)


KIND_ARGS = {"report": [], "appendix": ["--appendix"]}


def whole_command(args: list[str], folder: Path, lang: str, kind: str) -> float:
    selector = str(Path(sys.executable).with_name("selector"))
    target = (["--letters", str(folder / "letters")] if kind == "letters"
              else [*KIND_ARGS[kind], "-o", str(folder / f"{kind}.pdf")])
    start = time.perf_counter()
    subprocess.run([selector, "report", *args, "--lang", lang, "-q", *target], check=True)
    return time.perf_counter() - start


def document_html(result: Any, lang: str, kind: str, checks: Any) -> str:
    """Our preparation of a document: the context (or letters) and the HTML."""
    if kind == "letters":
        return letters_html(letters(result, lang), lang)
    return render_html(build_context(result, lang, checks=checks,
                                     appendix=kind == "appendix"))


def ours(result: Any, lang: str, kind: str, checks: Any) -> bytes:
    """A document as selector renders it."""
    if kind == "letters":
        return letters_zip(result, lang)
    return html_to_pdf(document_html(result, lang, kind, checks))


def bench(name: str, args: list[str], repeat: int, folder: Path, lang: str,
          kinds: list[str]) -> list[dict[str, Any]]:
    files = options(args)
    result = evaluate(load_evaluation_input(
        files["criteria"], files["bids"], files["scores"], files["consensus"],
        rates_file=files["rates_file"]))
    checks = decision_checks(result)  # as `evaluate` used to: outside the timings
    rows = []
    for kind in kinds:
        html = document_html(result, lang, kind, checks)
        data = ours(result, lang, kind, checks)  # warm: fonts, the stylesheet, the template
        mine, alone = [], []
        for _ in range(repeat):  # alternate, so that both see the same machine state
            gc.collect()  # the last document's garbage is not ours to collect in the next
            start = time.perf_counter()
            data = ours(result, lang, kind, checks)
            mine.append(time.perf_counter() - start)
            gc.collect()
            start = time.perf_counter()
            pdf = html_to_pdf(html)
            alone.append(time.perf_counter() - start)
        command, floors = [], []
        for _ in range(repeat):  # the floor and the command alternately
            floors.append(floor_once(folder / "floor.pdf"))
            command.append(whole_command(args, folder, lang, kind))
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        ours_s, alone_s = statistics.median(mine), statistics.median(alone)
        rows.append({
            "name": name,
            "kind": kind,
            "entries": len(result.input.entries),
            "pages": pages,
            "kib": len(data) // 1024,
            "command_s": statistics.median(command),
            "floor_s": statistics.median(floors),
            "ours_s": ours_s,
            "alone_s": alone_s,
            "ratio": ours_s / alone_s,
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--kinds", default="report,appendix,letters")
    arguments = parser.parse_args()
    kinds = [k for k in arguments.kinds.split(",") if k]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}, "
          f"{time.strftime('%Y-%m-%d')}; medians of {arguments.repeat} runs; "
          f"lang {arguments.lang}\n")
    compile_selector()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor_once(folder / "floor.pdf")  # warm: the font files in the page cache
        rows = [
            *bench("example 5 × 25 × 5", example_args(), arguments.repeat, folder,
                   arguments.lang, kinds),
            *bench("large 50 × 100 × 15", large_args(folder), arguments.repeat, folder,
                   arguments.lang, kinds),
        ]
    print("*Floor*: median of the bare process run alternately with each row's command; "
          "*÷ floor*: the command's median over it.\n")
    print("| tender | document | pages | KiB | whole command s | floor s | ÷ floor "
          "| ours in-process s | WeasyPrint alone s | ours ÷ alone |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['name']} | {row['kind']} | {row['pages']} | {row['kib']:,} | "
              f"{row['command_s']:.2f} | {row['floor_s']:.2f} | "
              f"{row['command_s'] / row['floor_s']:.2f} | {row['ours_s']:.2f} "
              f"| {row['alone_s']:.2f} | {row['ratio']:.2f} |")


if __name__ == "__main__":
    main()
