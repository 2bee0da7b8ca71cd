"""`limits.search_forbidden` finds what the pattern finds; flag ids keep their four parts."""

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


@settings(max_examples=300)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=":%ab", max_size=6)), min_size=3,
                max_size=3), st.text(alphabet=":%ab", min_size=1, max_size=6))
def test_flag_ids_escape_their_parts_so_that_four_parts_always_read_back(parts, kind):
    from urllib.parse import unquote

    from selector.scoring.checks import flag_id

    made = flag_id(kind, *parts)
    assert made.count(":") == 3
    assert [unquote(p) for p in made.split(":")] == [kind, *(p or "" for p in parts)]
