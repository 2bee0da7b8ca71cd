"""Autogenerate a migration: `python -m selector.store.migrations.revise "message"`.

Builds a scratch SQLite database at the current head, compares it with the models and
writes the difference as a new revision file for a person to review.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from selector.store.migrations import alembic_config


def main() -> None:
    message = " ".join(sys.argv[1:]) or "change"
    with tempfile.TemporaryDirectory() as scratch:
        url = "sqlite:///" + str(Path(scratch) / "scratch.db")
        config = alembic_config(url)
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
