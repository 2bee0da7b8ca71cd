"""Commands of the web application: init-db, serve, worker, remind, demo, user.

init-db, demo and user work on the configured database without building the web app
(`load_config` and `database_from_config`: the settings and database the app itself uses);
serve and worker run the app and its report queue, so they build it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from selector import create_app
from selector.config import documents_dir, load_config
from selector.mail import base_url_of, mailer_from_config, today_of
from selector.paths import EXAMPLES_DIR
from selector.queue import get_queue
from selector.services import ServiceError
from selector.services.demo import is_empty, load_demo
from selector.services.passwords import password_problem
from selector.services.reminders import send_due_reminders
from selector.services.users import (
    create_user,
    find_user,
    hash_method_of,
    list_users,
    set_active,
    set_password,
)
from selector.store.blobs import BlobStore
from selector.store.db import database_from_config
from selector.store.migrations import current_revision, head_revision, upgrade


def _app(**config: Any) -> Any:
    return create_app(config or None)


class _Store:
    """The configured settings and a session on the configured database, for one command:
    `with _Store() as store: store.session ...` (committed by the services, closed after)."""

    def __enter__(self) -> _Store:
        self.config = load_config()
        self.database = database_from_config(self.config)
        self.session: Session = self.database.session()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.session.close()
        self.database.dispose()

    @property
    def hash_method(self) -> str:
        return hash_method_of(self.config)


@click.command("init-db")
def init_db() -> None:
    """Create the database, or upgrade it to the newest schema (Alembic)."""
    config = load_config()
    url = config["DATABASE_URL"]
    before = current_revision(url)
    upgrade(url)
    after = head_revision()
    database = database_from_config(config)
    shown = database.url.render_as_string(hide_password=True)
    database.dispose()
    if before == after:
        click.echo(f"Database {shown} is up to date (revision {after}).")
    else:
        click.echo(f"Database {shown} upgraded from {before or 'empty'} to {after}.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=None,
    help="Send the session cookie over HTTPS only (default: off for this plain-HTTP "
    "development server unless SELECTOR_SESSION_COOKIE_SECURE says otherwise).",
)
def serve(host: str, port: int, secure_cookies: bool | None) -> None:
    """Run the development server (for production use gunicorn; see the README)."""
    overrides: dict[str, Any] = {}
    if secure_cookies is not None:
        overrides["SESSION_COOKIE_SECURE"] = secure_cookies
    elif "SELECTOR_SESSION_COOKIE_SECURE" not in os.environ:
        overrides["SESSION_COOKIE_SECURE"] = False  # plain HTTP: a Secure cookie would not stick
    app = _app(**overrides)
    reports = get_queue(app)
    consumer = None if reports.immediate else reports.consumer(workers=1)
    if consumer is not None:  # reports render in this process, beside the requests
        consumer.start()
    click.echo(f"Selector on http://{host}:{port}/  (Ctrl+C stops it)")
    try:
        app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@click.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Threads rendering reports at once.")
def worker(workers: int) -> None:
    """Render the reports the web application queues (run it beside gunicorn).

    Uses the queue SELECTOR_QUEUE_URL names (default: SQLite in the instance folder, which
    `selector serve` also works itself). Ctrl+C or SIGTERM stops it after the current work.
    """
    reports = get_queue(_app())
    if reports.immediate:
        raise click.ClickException("SELECTOR_QUEUE_URL is 'immediate': there is no queue to "
                                   "work (reports render in the request)")
    click.echo(f"Rendering reports from {reports.url or 'instance/queue.sqlite3'} "
               f"with {workers} thread(s)")
    reports.consumer(workers=workers).run()


@click.command("remind")
@click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="The day to remind for (default: today in TIMEZONE).",
)
def remind(today: Any) -> None:
    """Send the automatic reminders due today: to every evaluator with sheets left on a
    tender due tomorrow or today, once each (the worker runs this every hour)."""
    with _Store() as store:
        count = send_due_reminders(
            store.session,
            mailer=mailer_from_config(store.config),
            base_url=base_url_of(store.config),
            today=today.date() if today else today_of(store.config),
        )
    click.echo(f"{count} reminder(s) recorded.")


@click.command("demo")
@click.option(
    "--password", default=None, help="Password for every demo user (default: random, printed)."
)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data."
)
def demo(password: str | None, if_empty: bool) -> None:
    """Load the demo users and the two CRM tenders, and print the logins."""
    with _Store() as store:
        session = store.session
        if not is_empty(session):
            if if_empty:
                click.echo(
                    "The database already has data: the demo was not loaded again. "
                    "Reset a password with: selector user password USERNAME"
                )
                return
            raise click.ClickException(
                "the database already has users or tenders; the demo goes into an empty "
                "database (delete instance/selector.db, then run selector init-db)"
            )
        problem = None if password is None else password_problem(password)
        if problem is not None:
            raise click.BadParameter(problem.en, param_hint="--password")
        try:
            logins = load_demo(
                session,
                examples_dir=EXAMPLES_DIR / "crm-tender",
                criteria_dir=Path(store.config["CRITERIA_DIR"]),
                password=password,
                hash_method=store.hash_method,
                documents=BlobStore(documents_dir(store.config)),
            )
        except ServiceError as error:
            for problem in [error.message, *error.problems]:
                click.echo(problem.en, err=True)
            sys.exit(1)
    click.echo(
        "Demo loaded: 'CRM system selection' (scoring closed, results ready) and "
        "'CRM proof-of-concept review' (open for scoring)."
    )
    click.echo("Logins (username / password):")
    for username in logins.usernames:
        click.echo(f"  {username:<12} {logins.password}")


@click.group("user")
def user() -> None:
    """Create, list and disable users."""


@user.command("create")
@click.argument("username")
@click.option("--email", default="", help="Where reminders go (optional).")
@click.option(
    "--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
    help="The language of the messages they receive.",
)
@click.option(
    "--role", type=click.Choice(["admin", "chair", "evaluator", "observer"]), required=True
)
@click.option("--name", "display_name", default="", help="Full name shown on pages.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters, not the username nor a common password (prompted when not "
    "given).",
)
def user_create(
    username: str, role: str, display_name: str, password: str, email: str, language: str
) -> None:
    """Create a user."""
    with _Store() as store:
        try:
            created = create_user(
                store.session,
                username=username,
                display_name=display_name,
                password=password,
                role=role,
                hash_method=store.hash_method,
                email=email,
                language=language,
            )
        except ServiceError as error:
            raise click.ClickException(error.message.en) from None
        click.echo(f"Created {created.role} '{created.username}'.")


@user.command("list")
def user_list() -> None:
    """List the users."""
    with _Store() as store:
        for item in list_users(store.session):
            state = "active" if item.active else "disabled"
            click.echo(f"{item.username:<20} {item.role:<10} {state:<9} {item.display_name}")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable a user; their sessions end at once."""
    _set_active(username, False)


@user.command("enable")
@click.argument("username")
def user_enable(username: str) -> None:
    """Enable a disabled user."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    with _Store() as store:
        session = store.session
        found = find_user(session, username)
        if found is None:
            raise click.ClickException(f"no user '{username}'")
        set_active(session, found.id, active)
        click.echo(f"User '{found.username}' {'enabled' if active else 'disabled'}.")


@user.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_password(username: str, password: str) -> None:
    """Set a user's password; their sessions end."""
    with _Store() as store:
        session = store.session
        found = find_user(session, username)
        if found is None:
            raise click.ClickException(f"no user '{username}'")
        try:
            set_password(session, found.id, password, hash_method=store.hash_method)
        except ServiceError as error:
            raise click.ClickException(error.message.en) from None
        click.echo(f"Password of '{found.username}' changed.")
