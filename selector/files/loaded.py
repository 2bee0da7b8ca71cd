"""Templates the command line has loaded before, kept so the next run need not load them again.

Loading a template file means YAML, pydantic's import and the model checks: most of what
`selector score` spends before it can read a bid (~0.1 s of CPU), for a file that is the same
in every run of a tender. Once a file has loaded without a problem, its `Template` is kept in
the cache folder under a key of everything the result depends on: the file's bytes and name,
and the code that reads it (this package's loader and scoring model, pydantic, Python). A
run that finds its key reads the `Template` back and imports none of the loader; anything
else — a new key, a file that does not read back, a folder that cannot be written — loads
the file as `selector.files.criteria.load_template` does, with its messages.

The folder is `SELECTOR_CACHE_DIR`, else `$XDG_CACHE_HOME/selector`, else
`~/.cache/selector`; `SELECTOR_CACHE_DIR=` (empty) keeps nothing. What is read back can build
only the scoring model's values (`_Reader`): a file put there by someone else cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from selector.scoring.model import Template

_CODE = (  # this package's modules that decide what a template file loads as
    Path(__file__).with_name("criteria.py"),
    *sorted(Path(__file__).parents[1].joinpath("scoring").glob("*.py")),
)
_PICKLE = pickle.HIGHEST_PROTOCOL
KEPT = 64  # templates kept at most: writing one more removes the least recently written


def load_template(path: str | Path) -> Template:
    """The template file at `path`, from the cache folder when it was loaded before;
    raises `TemplateError` listing every problem in it, as the loader does."""
    name = str(path)
    folder = cache_folder()
    try:
        data = Path(path).read_bytes()
    except OSError:
        data = None
    if folder is None or data is None:
        return _load(path)
    kept = folder / f"template-{_key(name, data)}.pickle"
    template = _read_back(kept)
    if template is None:
        template = _load(path)
        _keep(folder, kept, template)
    return template


def cache_folder() -> Path | None:
    """Where loaded templates are kept, or None when nothing is to be kept."""
    given = os.environ.get("SELECTOR_CACHE_DIR")
    if given is not None:
        return Path(given) if given.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "selector")


def _load(path: str | Path) -> Template:
    from selector.files.criteria import load_template as load  # pydantic: only here

    return load(path)


def _key(name: str, data: bytes) -> str:
    """SHA-256 of the file's name and bytes and of the code that reads it."""
    digest = hashlib.sha256()
    for part in (name.encode("utf-8", "surrogateescape"), data, sys.version.encode()):
        digest.update(len(part).to_bytes(8, "big") + part)
    for source in (*_CODE, *_library_versions()):
        try:
            seen = source.stat()
            digest.update(f"{source}:{seen.st_size}:{seen.st_mtime_ns};".encode())
        except OSError:
            digest.update(f"{source}:missing;".encode())
    return digest.hexdigest()


def _library_versions() -> list[Path]:
    """The files that carry the versions of the libraries the loader reads with (found
    without importing them)."""
    found = []
    for package, version_file in (("pydantic", "version.py"), ("yaml", "__init__.py")):
        spec = find_spec(package)
        if spec is not None and spec.origin:
            found.append(Path(spec.origin).with_name(version_file))
    return found


class _Reader(pickle.Unpickler):
    """Builds only the scoring model's values and the plain ones they hold."""

    ALLOWED = {
        "selector.scoring.model": None,  # any of its classes
        "decimal": {"Decimal"},
        "builtins": {"frozenset", "set", "tuple", "list", "dict"},
    }

    def find_class(self, module: str, name: str) -> Any:
        allowed = self.ALLOWED.get(module, set())
        if allowed is not None and name not in allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not a template value")
        return super().find_class(module, name)


def _read_back(kept: Path) -> Template | None:
    try:
        with kept.open("rb") as file:
            owner = os.fstat(file.fileno())
            if owner.st_uid != os.getuid() or owner.st_mode & 0o022:
                return None  # someone else could have written it
            template = _Reader(io.BytesIO(file.read())).load()
    except Exception:  # noqa: BLE001  missing, unreadable or not ours: load the file
        return None
    return template if isinstance(template, Template) else None


def _keep(folder: Path, kept: Path, template: Template) -> None:
    """Write `template` to `kept` whole or not at all, and leave at most `KEPT` in the
    folder; a folder that cannot be written keeps nothing (the next run loads the file
    again)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".template-")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(template, file, protocol=_PICKLE)
            os.replace(temporary, kept)
        except BaseException:
            os.unlink(temporary)
            raise
        others = [path for path in folder.glob("template-*.pickle") if path != kept]
        others.sort(key=lambda path: path.stat().st_mtime_ns)
        for old in others[: max(len(others) - (KEPT - 1), 0)]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass
