"""`limits.search_forbidden` finds what the pattern finds, on ASCII text and on any other."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from selector.scoring.limits import FORBIDDEN_IN_TEXT, search_forbidden

ascii_texts = st.text(alphabet=st.characters(max_codepoint=127), max_size=200)
any_texts = st.text(max_size=200)


@settings(max_examples=500)
@given(st.one_of(ascii_texts, any_texts))
def test_the_fast_search_finds_what_the_pattern_finds(text):
    found, expected = search_forbidden(text), FORBIDDEN_IN_TEXT.search(text)
    assert (found and found.start()) == (expected and expected.start())


def test_every_ascii_control_but_tab_and_line_breaks_is_found_in_ascii_text():
    for code in range(128):
        char = chr(code)
        found = search_forbidden(f"a,b\nc,{char}d\n")
        assert (found is not None) == (code < 32 and char not in "\t\n\r" or code == 127)
