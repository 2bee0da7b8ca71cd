"""Process-level helpers that the commands and the report share."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of one large piece of work.

    Work that builds a large structure which stays alive until it is done (a tender's
    million entries, WeasyPrint's box tree of every page) has nothing for the collector to
    free, while the collector would walk that whole structure again and again as it grows.
    Reference counting still frees everything else; the collector's state is restored
    afterwards, so a caller that runs this in its own process (a test) keeps its own. Not
    in the console script once its command asked `leave_without_teardown`: the process ends
    right after, and the collector resumed would first walk every object the work left
    (all of them young, never collected: a fiftieth of `selector score` at 75,000 entries).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled and not (_teardown["skip"] and _teardown["console"]):
            gc.enable()


_teardown = {"skip": False, "console": False}


def leave_without_teardown() -> None:
    """Let the console script end this process as soon as the command returns.

    A command whose only product is what it wrote to stdout and stderr (`selector score`)
    calls this: `selector.cli.run` then flushes both and ends the process with `os._exit`,
    instead of letting the interpreter free a large tender's objects one by one on the way
    out (a twentieth of the run at 75,000 entries). Nothing else is skipped that such a
    command needs: no file is left open for writing, no database connection is held. A
    command run in-process (click's test runner) is not ended: only `run` reads this.
    """
    _teardown["skip"] = True


def console_script_started() -> None:
    """Note that this process is the `selector` console script (`selector.cli.run`), which
    ends the process at once when a command asked `leave_without_teardown`."""
    _teardown["console"] = True


def teardown_skipped() -> bool:
    """Whether the command that ran asked `leave_without_teardown`."""
    return _teardown["skip"]
