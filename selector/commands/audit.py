"""`selector audit verify [TENDER_ID]`: check the audit chain and replay it on the database."""

from __future__ import annotations

import click


@click.group()
def audit() -> None:
    """The tamper-evident audit record."""


@audit.command()
@click.argument("tender_id", type=int, required=False)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the messages.",
)
def verify(tender_id: int | None, lang: str) -> None:
    """Check the chain (naming the first broken event) and that every entry, bid, rate,
    consensus value and tender state equals its last audited value. Exit 0 when intact,
    1 with one line per problem."""
    # SQLAlchemy and the services load only when the command runs (the CLI starts light)
    from selector.commands.backup import require_initialised
    from selector.services.record import verify as verify_record
    from selector.store.db import configured_database

    database = configured_database()
    try:
        require_initialised(database, lang)  # exit 2 with a message, not a traceback
        with database.session() as session:
            found = verify_record(session, tender_id)
    finally:
        database.dispose()
    if found.problems:
        for problem in found.problems:
            click.echo(problem.get(lang))
        raise SystemExit(1)
    head = found.head or "-"
    if lang == "zh":
        click.echo(f"审计记录完整:{found.events} 条事件,链头 {head}")
    else:
        click.echo(f"The audit record is intact: {found.events} events, chain head {head}")
