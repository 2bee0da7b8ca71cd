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
    afterwards, so a caller that runs this in its own process (a test) keeps its own.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
