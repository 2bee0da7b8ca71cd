"""The translation catalogs hold exactly the messages the sources use, each in Chinese.

The sources are extracted as `make messages` extracts them (babel.cfg, keywords `_l` and
`lazy_gettext`); a failure here is fixed by running `make messages` and writing the Chinese.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from selector import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "selector" / "translations"
LOCALES = ("zh_Hans_CN", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_catalog(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def catalog(locale: str) -> Catalog:
    return read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")


@pytest.fixture(scope="module")
def used(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The msgids the sources use now, from a fresh extraction."""
    pot = tmp_path_factory.mktemp("catalogs") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract",
         "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), "."],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    return {m.id for m in read_catalog(pot) if m.id}


def test_the_chinese_catalog_is_zh_hans_cn_because_flask_babel_ignores_zh_cn():
    assert (TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").exists()
    assert (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").exists()
    assert not (TRANSLATIONS / "zh_CN").exists()


def test_the_extraction_finds_the_messages_of_views_forms_services_and_templates(used):
    assert "Log out" in used  # templates/base.html
    assert "Save draft" in used  # a form's label through _l
    assert len(used) > 300


@pytest.mark.parametrize("locale", LOCALES)
def test_a_catalog_holds_no_message_the_sources_no_longer_use(used, locale):
    unused = sorted(str(m.id) for m in catalog(locale) if m.id and m.id not in used)
    assert not unused, f"{len(unused)} unused (run make messages): " + "; ".join(unused[:20])


@pytest.mark.parametrize("locale", LOCALES)
def test_a_catalog_lacks_no_message_the_sources_use(used, locale):
    held = {m.id for m in catalog(locale) if m.id}
    missing = sorted(str(m) for m in used - held)
    assert not missing, f"{len(missing)} missing (run make messages): " + "; ".join(missing[:20])


def test_every_chinese_message_is_translated():
    untranslated = sorted(
        str(m.id) for m in catalog("zh_Hans_CN") if m.id and (not m.string or m.fuzzy)
    )
    assert not untranslated, "untranslated: " + "; ".join(untranslated[:20])


def test_placeholders_survive_translation():
    for message in catalog("zh_Hans_CN"):
        if message.id:
            wanted = sorted(PLACEHOLDER.findall(message.id))
            assert sorted(PLACEHOLDER.findall(message.string)) == wanted, message.id
