"""The bid documents' bytes, kept outside the database in a folder, each under its SHA-256.

The folder is the setting `DOCUMENTS_DIR` (`instance/documents/` by default); several app
servers share it by pointing the setting at the same shared folder (NFS, a mounted volume).
A file is `<folder>/<first two hex digits>/<sha256>`: the name a person gave it is never
used on disk, so no name can reach outside the folder, and the same bytes uploaded twice are
kept once. A file is written to a temporary name in the same folder and renamed into place,
so a reader never sees half a file, on one server or another.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

_HEX = re.compile(r"^[0-9a-f]{64}$")


def digest(data: bytes) -> str:
    """The SHA-256 of `data`, as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """A folder of files named by their SHA-256."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, sha256: str) -> Path:
        """Where the file of `sha256` is kept (ValueError for anything but a SHA-256)."""
        if not _HEX.match(sha256):
            raise ValueError("not a SHA-256 in hex")
        return self.folder / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Keep `data` (once, whatever number of times it is put); returns its SHA-256."""
        sha256 = digest(data)
        target = self.path(sha256)
        if target.exists() and target.stat().st_size == len(data):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """The kept file, opened for reading (FileNotFoundError when it is gone)."""
        return open(self.path(sha256), "rb")

    def discard(self, sha256: str) -> None:
        """Remove the file of `sha256` (the caller knows no document refers to it)."""
        self.path(sha256).unlink(missing_ok=True)
