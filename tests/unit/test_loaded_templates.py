"""`selector.files.loaded`: a template file the command line loaded once is read back, not
loaded again, as long as the file and the code that reads it are the same."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from selector.files import loaded
from selector.files.criteria import TemplateError
from selector.files.criteria import load_template as load_fresh
from tests.unit.test_cli_score import CRM, example_args, run


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SELECTOR_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def template_file(tmp_path) -> Path:
    path = tmp_path / "crm.yaml"
    path.write_bytes(CRM.read_bytes())
    return path


def kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("template-*.pickle"))


def test_a_template_read_back_is_the_one_loaded(folder, template_file):
    first = loaded.load_template(template_file)
    assert len(kept(folder)) == 1
    assert oct(kept(folder)[0].stat().st_mode & 0o777) == "0o600"
    again = loaded.load_template(template_file)
    assert again == first == load_fresh(template_file)
    assert again is not first


def test_reading_back_imports_neither_pydantic_nor_yaml(folder, template_file):
    loaded.load_template(template_file)
    code = (
        "import sys; from selector.files.loaded import load_template; "
        f"t = load_template({str(template_file)!r}); "
        "print(t.id, 'pydantic' in sys.modules, 'yaml' in sys.modules)"
    )
    env = {**os.environ, "SELECTOR_CACHE_DIR": str(folder)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout  # fmt: skip
    assert out.split() == ["crm_selection", "False", "False"]


def test_a_changed_file_loads_again(folder, template_file):
    before = loaded.load_template(template_file)
    text = template_file.read_text(encoding="utf-8")
    template_file.write_text(text.replace("currency: CNY", "currency: EUR"), encoding="utf-8")
    after = loaded.load_template(template_file)
    assert (before.currency, after.currency) == ("CNY", "EUR")
    assert len(kept(folder)) == 2


def test_the_same_bytes_under_another_name_are_kept_apart(folder, template_file, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_bytes(template_file.read_bytes())
    loaded.load_template(template_file)
    loaded.load_template(other)
    assert len(kept(folder)) == 2  # the name is part of what a template may say


def test_changed_loader_code_loads_again(folder, template_file, monkeypatch, tmp_path):
    loaded.load_template(template_file)
    code = tmp_path / "criteria.py"
    code.write_text("# another loader\n", encoding="utf-8")
    monkeypatch.setattr(loaded, "_CODE", (*loaded._CODE, code))
    loaded.load_template(template_file)
    assert len(kept(folder)) == 2


@pytest.mark.parametrize("damage", ["truncated", "not a template", "a foreign global",
                                    "written by others"])  # fmt: skip
def test_what_does_not_read_back_as_ours_is_loaded_again(damage, folder, template_file):
    expected = loaded.load_template(template_file)
    (path,) = kept(folder)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    if damage == "not a template":
        path.write_bytes(pickle.dumps({"id": "evil"}))
    if damage == "a foreign global":  # would run `os.system` when unpickled freely
        path.write_bytes(pickle.dumps(os.system))
    if damage == "written by others":
        path.chmod(0o666)
    assert loaded._read_back(path) is None
    assert loaded.load_template(template_file) == expected
    if damage != "written by others":
        assert loaded._read_back(path) == expected  # written anew, whole


def test_a_foreign_global_is_never_built(folder, template_file):
    loaded.load_template(template_file)
    (path,) = kept(folder)

    class Boom:
        def __reduce__(self):
            return (os.system, ("echo built > " + str(folder / "ran"),))

    path.write_bytes(pickle.dumps(Boom()))
    assert loaded._read_back(path) is None
    assert not (folder / "ran").exists()


def test_a_folder_that_cannot_be_written_keeps_nothing(tmp_path, monkeypatch, template_file):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SELECTOR_CACHE_DIR", str(blocker / "cache"))
    assert loaded.load_template(template_file) == load_fresh(template_file)


def test_an_empty_setting_keeps_nothing(tmp_path, monkeypatch, template_file):
    monkeypatch.setenv("SELECTOR_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert loaded.cache_folder() is None
    loaded.load_template(template_file)
    assert not (tmp_path / "xdg").exists()


def test_the_default_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SELECTOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert loaded.cache_folder() == tmp_path / "xdg" / "selector"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert loaded.cache_folder() == tmp_path / "home" / ".cache" / "selector"


def test_a_bad_template_is_reported_as_the_loader_does_and_not_kept(folder, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ngroups: [\n", encoding="utf-8")
    with pytest.raises(TemplateError) as here:
        loaded.load_template(bad)
    with pytest.raises(TemplateError) as fresh:
        load_fresh(bad)
    assert here.value.texts == fresh.value.texts
    with pytest.raises(TemplateError) as missing:
        loaded.load_template(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(missing.value)
    assert kept(folder) == []


def test_selector_score_prints_the_same_from_a_kept_template(folder):
    fresh = run(*example_args(), "--json")
    assert len(kept(folder)) == 1
    again = run(*example_args(), "--json")
    assert (fresh.exit_code, again.exit_code) == (0, 0)
    assert again.stdout == fresh.stdout


def test_only_the_newest_templates_are_kept(folder, template_file, monkeypatch):
    monkeypatch.setattr(loaded, "KEPT", 2)
    text = template_file.read_text(encoding="utf-8")
    for title in ("one", "two", "three"):
        template_file.write_text(text + f"\n# {title}\n", encoding="utf-8")
        loaded.load_template(template_file)
    assert len(kept(folder)) == 2
    newest = loaded._key(str(template_file), template_file.read_bytes())
    assert loaded._read_back(folder / f"template-{newest}.pickle") is not None
