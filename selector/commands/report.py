"""`selector report` (the ranked PDF) and `selector export` (xlsx / CSV).

Both read a tender either from the database (`selector report 3 ...`) or, without one, from
exactly the files `selector score` takes (`--criteria`, `--bids`, `--scores`, ...), so an
analyst can turn spreadsheets into the same report.
"""

from __future__ import annotations

import getpass
import io
import json
import multiprocessing
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from selector.commands.files import (
    ERROR_PREFIX,
    Forked,
    input_from_options,
    scoring_file_options,
)
from selector.scoring.engine import evaluate
from selector.scoring.model import ScoringError

FILE_OPTIONS = ("criteria", "bids", "scores")


def _file_mode_optional(command: click.Command) -> click.Command:
    """Let the shared file options be left out when a TENDER_ID names a stored tender."""
    for param in command.params:
        if isinstance(param, click.Option) and param.name in FILE_OPTIONS:
            param.required = False
    return command


class Stages:
    """Stage messages on stderr with the time each took, so a long report shows progress."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.started
            click.echo(f"[{elapsed:5.2f}s] {message}", err=True)


def _fail(problems: list[str], lang: str = "en") -> None:
    prefix = ERROR_PREFIX.get(lang, ERROR_PREFIX["en"])
    for problem in problems:
        click.echo(f"{prefix}{problem}", err=True)
    sys.exit(2)


def load_result(tender_id: int | None, options: dict[str, Any], say: Callable[[str], None],
                title: str | None = None, lang: str = "en") -> tuple[Any, dict[str, Any]]:
    """The scored result and the report extras, from the database or from files.

    Exits 2 with one message per problem (in `lang`) when the input is bad or incomplete.
    """
    given = [name for name in (*FILE_OPTIONS, "workbook") if options.get(name)]
    if tender_id is not None:
        if given:
            _fail([f"give either TENDER_ID or --{', --'.join(FILE_OPTIONS)}, not both"])
        return _from_database(tender_id, say, lang)
    needed = ("criteria", "workbook") if options.get("workbook") else FILE_OPTIONS
    if not set(needed) <= set(given):
        missing = [f"--{name}" for name in needed if name not in given]
        _fail([f"give a TENDER_ID, or the files {', '.join(missing)} (see selector score)"])
    say("reading the input files")
    try:
        inp = input_from_options(options)
        say(f"scoring {len(inp.vendors)} vendors × {sum(1 for _ in inp.template.criteria())} "
            f"criteria, {len(inp.entries)} entries")
        # the fingerprint (a sort and a hash of every entry) in a forked child meanwhile
        from selector.scoring.serialize import fingerprint as fingerprint_of

        pending = Forked(fingerprint_of, inp)
        try:
            result = evaluate(inp)
            extras: dict[str, Any] = {"fingerprint": pending.result()}
        finally:
            pending.close()
    except ScoringError as error:
        _fail(error.in_language(lang), lang)
    if title:
        extras["title"] = title
    return result, extras


def _from_database(
    tender_id: int, say: Callable[[str], None], lang: str
) -> tuple[Any, dict[str, Any]]:
    # SQLAlchemy and the services: only for a tender read from the database
    from selector.services import NotFound
    from selector.services.results import report_context_extras, result_for
    from selector.store.db import configured_database

    say(f"reading tender {tender_id} from the database")
    database = configured_database()
    try:
        with database.session() as session:
            try:
                result = result_for(session, tender_id)
                extras = report_context_extras(session, tender_id)
            except NotFound as error:
                _fail([error.message.get(lang)], lang)
            except ScoringError as error:
                _fail([f"tender {tender_id}: {p}" for p in error.in_language(lang)], lang)
    finally:
        database.dispose()
    return result, extras


@click.command()
@click.argument("tender_id", type=int, required=False)
@scoring_file_options
@click.option("--title", help="Tender name on the cover (file mode; default: the template's).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the report.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF (required unless --letters).")
@click.option("--appendix", is_flag=True,
              help="Write the appendix instead: every evaluator's input on every criterion, "
              "with comments and consensus reasons (the evidence behind the report).")
@click.option("--letters", "letters_dir", type=click.Path(file_okay=False, writable=True),
              help="Write the letters to the bidders instead: one PDF per vendor (its total, "
              "group scores, rank, the winner) into this directory, and letters.zip.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")
def report(tender_id: int | None, title: str | None, lang: str, output: str | None,
           appendix: bool, letters_dir: str | None, quiet: bool, **options: Any) -> None:
    """Write the ranked PDF report of a tender (the decision), or with --appendix its
    evidence ledger.

    From the database: selector report TENDER_ID --lang zh -o report.pdf. Without one, from
    the files of `selector score`: selector report --criteria ... --bids ... --scores ...
    [--consensus ...] [--rates ...] --lang en -o report.pdf. Exits 2 on bad input.
    """
    say = Stages(quiet)
    if letters_dir is not None:
        if output or appendix:
            _fail(["--letters writes a directory of letters: leave out -o and --appendix"])
        _letters(tender_id, options, say, title, lang, Path(letters_dir))
        return
    if not output:
        _fail(["say where to write the PDF with -o FILE (or give --letters DIR)"])
    assert output is not None
    renderer = _Renderer.start()
    try:
        result, extras = load_result(tender_id, options, say, title, lang)
        # after the WeasyPrint helper has forked (it need not carry them), on good input only
        from selector.reports.context import build_context
        from selector.reports.fonts import missing_font
        from selector.reports.html import render_html

        say("building the report")
        html = render_html(build_context(result, lang, extras, appendix=appendix))
        problem = missing_font(lang, html)
        if problem is not None:
            _fail([problem.get(lang)], lang)
        say("laying out the pages (WeasyPrint)")
        pdf = renderer.render(html, say)
    finally:
        renderer.close()  # also when reading or scoring failed: the helper must not linger
    Path(output).write_bytes(pdf)
    _record(tender_id, "appendix" if appendix else "report", lang)
    say(f"wrote {output} ({len(pdf) // 1024} KiB)")


def _letters(tender_id: int | None, options: dict[str, Any], say: Callable[[str], None],
             title: str | None, lang: str, directory: Path) -> None:
    """One letter per vendor into `directory` (named as in letters.zip), and the zip."""
    result, extras = load_result(tender_id, options, say, title, lang)
    # WeasyPrint and openpyxl load under these: once the input has been read and scored
    from selector.reports.fonts import MissingFont
    from selector.reports.letters import MANIFEST, letters_zip

    say(f"writing {len(result.vendors)} letters")
    try:
        data = letters_zip(result, lang, extras)
    except MissingFont as error:
        _fail([error.text.get(lang)], lang)
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in json.loads(archive.read(MANIFEST)).values():
            (directory / name).write_bytes(archive.read(name))
    (directory / "letters.zip").write_bytes(data)
    _record(tender_id, "letters", lang)
    say(f"wrote {len(result.vendors)} letters and letters.zip to {directory}")


@click.command()
@click.argument("tender_id", type=int, required=False)
@scoring_file_options
@click.option("--title", help="Tender name used for the file name (file mode).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True,
              help="Language of titles and rule texts in the sheets.")
@click.option("--sheet", help="With a .csv output: which sheet (Summary, Groups, Criteria, "
              "Entries, Bids, Consensus, Rates, Flags, Method).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="tender.xlsx for the workbook, or a .csv file with --sheet.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")
def export(tender_id: int | None, title: str | None, lang: str, sheet: str | None, output: str,
           quiet: bool, **options: Any) -> None:
    """Export a tender's result as a live workbook (xlsx) or one sheet as CSV (UTF-8, BOM).

    The workbook's totals and ranks are formulas over its Points and Weights sheets; its
    Entries, Bids, Consensus and Rates sheets are what `selector score --workbook` reads
    back (and, saved as CSV, what --scores, --bids, --consensus and --rates take).
    """
    say = Stages(quiet)
    is_csv = output.lower().endswith(".csv")
    if is_csv and not sheet:
        _fail(["a .csv output holds one sheet: say which with --sheet"])
    result, extras = load_result(tender_id, options, say, title, lang)
    # pandas and openpyxl: once the input has been read and scored
    from selector.reports.export import export_csv
    from selector.reports.workbook import build_workbook

    say("writing the spreadsheet")
    try:
        if is_csv:
            assert sheet is not None
            _name, _mime, data = export_csv(result, sheet, lang, extras)
        else:
            _name, _mime, data = build_workbook(result, lang, extras)
    except ValueError as error:
        _fail([str(error)])
    Path(output).write_bytes(data)
    _record(tender_id, "csv" if is_csv else "workbook", lang, sheet=sheet if is_csv else None)
    say(f"wrote {output} ({len(data) // 1024} KiB)")


def _record(tender_id: int | None, document: str, lang: str, sheet: str | None = None) -> None:
    """Record in the audit log that the command line wrote `document` of a stored tender,
    as a web download is recorded, naming the operating-system user who ran it (a report
    made from files is no stored tender's, and is not recorded)."""
    if tender_id is None:
        return
    # SQLAlchemy and the services: only for a tender read from the database
    from selector.services.auditlog import record_download
    from selector.store.db import configured_database

    database = configured_database()
    try:
        with database.session() as session:
            record_download(session, tender_id, actor=None, document=document, lang=lang,
                            sheet=sheet, os_user=_os_user())
    finally:
        database.dispose()


def _os_user() -> str:
    """Who runs this command, as the operating system names them ("" when it cannot)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment nor the password file
        return ""


_file_mode_optional(report)
_file_mode_optional(export)


class _Renderer:
    """WeasyPrint in a forked helper process, so that its import (about half a second,
    mostly cffi reading Pango's declarations) overlaps with reading and scoring the tender.

    Where `fork` is not available, the process runs other threads (a fork copies none of
    them, and a lock one of them held would stay held in the helper), or the helper fails,
    the PDF is rendered in this process. `close` ends the helper on every path.
    """

    def __init__(self, process: Any, connection: Any) -> None:
        self.process = process
        self.connection = connection

    @classmethod
    def start(cls) -> _Renderer:
        if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
            return cls(None, None)
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        process = context.Process(target=_render_worker, args=(child,), daemon=True)
        process.start()
        child.close()
        return cls(process, parent)

    def render(self, html: str, say: Callable[[str], None]) -> bytes:
        if self.process is None:
            return _render_here(html, say)
        try:
            self.connection.send(html)
            while True:
                kind, payload = self.connection.recv()
                if kind == "stage":
                    say(payload)
                elif kind == "pdf":
                    return bytes(payload)
                else:
                    raise RuntimeError(payload)
        except (EOFError, OSError, RuntimeError) as error:
            say(f"the helper process failed ({error}); rendering here")
            return _render_here(html, say)

    def close(self) -> None:
        """End the helper: closing the pipe ends its wait; one that hangs on is terminated."""
        if self.process is None:
            return
        self.connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def _render_here(html: str, say: Callable[[str], None]) -> bytes:
    """Render in this process; WeasyPrint is imported only now (the helper usually has it)."""
    from selector.reports.pdf import html_to_pdf  # WeasyPrint, half a second

    return html_to_pdf(html, progress=say)


def _render_worker(connection: Any) -> None:
    """The helper: import WeasyPrint at once, then render the one HTML it is sent."""
    try:
        from selector.reports.pdf import html_to_pdf  # WeasyPrint: what the helper is for

        html = connection.recv()
        pdf = html_to_pdf(html, progress=lambda stage: connection.send(("stage", stage)))
        connection.send(("pdf", pdf))
    except EOFError:
        pass
    except Exception as error:  # the parent renders instead and reports this
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()
