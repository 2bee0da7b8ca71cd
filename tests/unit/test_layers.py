"""The services layer knows nothing of the web: no Flask, no Flask extensions, no
`selector.web`, at module level or inside a function (read from the source with `ast`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "selector" / "services"
WEB_PACKAGES = ("flask", "flask_babel", "flask_wtf", "flask_login", "flask_limiter", "wtforms")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def is_web(module: str) -> bool:
    top = module.split(".")[0]
    return top in WEB_PACKAGES or module == "selector.web" or module.startswith("selector.web.")


def test_the_reader_finds_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from flask_babel import gettext\n")
    assert [m for _, m in imported_modules(sample) if is_web(m)] == ["flask_babel"]


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_a_service_module_imports_nothing_from_the_web(path):
    offending = [f"{path.name}:{line}: {module}" for line, module in imported_modules(path)
                 if is_web(module)]
    assert offending == []
