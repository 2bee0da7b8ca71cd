"""Rendered reports kept on disk, named by what they were rendered from.

A report's key is the SHA-256 of the scoring input's fingerprint, the language, the kind
(`report`, `appendix`, `letters`), the plain facts printed beside the result (the tender's
name, state, committee, flag reviews…) and `RENDERER_VERSION`; the same key always stands
for the same bytes, so a cached file is served as it is and never goes stale: any change
to what the report shows gives another key. Files are written whole (a temporary file,
then a rename), so a reader never sees half a PDF.

Besides `<key>.pdf` (or `.zip`) a key may have `<key>.queued` (a render is on its way since
the time inside) or `<key>.failed.json` (why it could not be made, in zh and en).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from selector.scoring.model import Text

# Bump when the templates, the stylesheet or the context change what a report shows.
RENDERER_VERSION = "2026-12-02.1"
SUFFIX = {"report": ".pdf", "appendix": ".pdf", "letters": ".zip"}
STALE_AFTER = 15 * 60  # seconds: a render queued longer ago is presumed lost and queued again


def report_key(fingerprint: str, lang: str, kind: str, facts: Mapping[str, Any]) -> str:
    """The name of a rendered file: readable head (kind, language, input), exact tail."""
    digest = hashlib.sha256(json.dumps(
        [RENDERER_VERSION, fingerprint, lang, kind, facts],
        sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"),
    ).encode("utf-8")).hexdigest()
    return f"{kind}-{lang}-{fingerprint[:12]}-{digest[:32]}"


class ReportCache:
    """Rendered files under one directory (`instance/reports/` by default)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        kind = key.split("-", 1)[0]
        return self.directory / f"{key}{SUFFIX.get(kind, '.bin')}"

    def get(self, key: str) -> bytes | None:
        """The rendered bytes, or None when they are not there (yet)."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> Path:
        """Keep `data` under `key` (atomically) and clear its queued and failed marks."""
        path = self.path(key)
        self._write(path, data)
        for mark in (self._queued(key), self._failed(key)):
            mark.unlink(missing_ok=True)
        return path

    def fail(self, key: str, reason: str, message: Text) -> None:
        """Record why `key` could not be rendered (`reason`: "font", "scoring", "error")."""
        payload = {"reason": reason, "message": message.to_json()}
        self._write(self._failed(key), json.dumps(payload, ensure_ascii=False).encode())
        self._queued(key).unlink(missing_ok=True)

    def failure(self, key: str) -> tuple[str, Text] | None:
        """(reason, message) when rendering `key` failed, else None."""
        try:
            payload = json.loads(self._failed(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        message = payload.get("message") or {}
        return str(payload.get("reason")), Text(zh=str(message.get("zh", "")),
                                                 en=str(message.get("en", "")))

    def forget(self, key: str) -> None:
        """Forget a failure of `key` (and any queued mark), so that it is rendered again."""
        self._failed(key).unlink(missing_ok=True)
        self._queued(key).unlink(missing_ok=True)

    def claim(self, key: str) -> bool:
        """Mark `key` as queued; False when a render of it is already on its way."""
        mark = self._queued(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if self.queued_for(key) < STALE_AFTER:
                return False
            mark.unlink(missing_ok=True)  # a lost render: queue it again
            return self.claim(key)
        with os.fdopen(fd, "w") as handle:
            handle.write(str(time.time()))
        return True

    def release(self, key: str) -> None:
        """Forget that `key` is queued (its task could not be queued after all)."""
        self._queued(key).unlink(missing_ok=True)

    def queued_for(self, key: str) -> float:
        """Seconds since `key` was queued; infinity when it is not."""
        try:
            return time.time() - float(self._queued(key).read_text() or 0)
        except (FileNotFoundError, ValueError):
            return float("inf")

    def _queued(self, key: str) -> Path:
        return self.directory / f"{key}.queued"

    def _failed(self, key: str) -> Path:
        return self.directory / f"{key}.failed.json"

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
