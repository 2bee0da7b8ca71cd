"""Where the project's own files are: the repository root and the folders the app, the
report and the commands read (templates, static files, bundled criteria, the example tender).

Imports nothing of Selector, so that any module may import it.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
CRITERIA_DIR = PROJECT_ROOT / "criteria"
EXAMPLES_DIR = PROJECT_ROOT / "examples"
