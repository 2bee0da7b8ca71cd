"""Every problem the scoring core, the file readers and the template loader raise has Chinese.

`pytest_runtest_call` below is imported by the conftests of `tests/unit` and `tests/web`: while
each test runs, it records every `ScoringError` built by `selector.scoring` or `selector.files`
(the readers and the template loader), and fails the test when one of its messages lacks a
Chinese version (the Chinese equal to the English, or without a single Chinese character). So
every error case of the suite also checks that its message is bilingual.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from selector.scoring.model import ScoringError, Text

CJK = re.compile(r"[\u4e00-\u9fff]")
CHECKED_MODULES = ("selector.scoring", "selector.files")


def lacks_chinese(text: Text) -> bool:
    """True when a problem has no real Chinese version."""
    return text.zh == text.en or not CJK.search(text.zh)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    english_only: list[str] = []
    original = ScoringError.__init__

    def recording(self: ScoringError, problems: Any) -> None:
        original(self, problems)
        raiser = sys._getframe(1).f_globals.get("__name__", "")
        if raiser.startswith(CHECKED_MODULES):
            english_only.extend(f"{raiser}: {t.en}" for t in self.texts if lacks_chinese(t))

    ScoringError.__init__ = recording  # type: ignore[method-assign]
    try:
        result = yield
    finally:
        ScoringError.__init__ = original  # type: ignore[method-assign]
    if english_only:
        raise AssertionError(
            "problems raised without a Chinese version:\n" + "\n".join(english_only[:20])
        )
    return result
