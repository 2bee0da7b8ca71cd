"""The command line of the web application: init-db, demo, user, serve."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool

from selector.store.migrations import head_revision
from selector.store.models import Base
from tests.web.conftest import SelectorRunner


def test_init_db_creates_the_schema_the_models_describe(database_url):
    runner = SelectorRunner(database_url)
    result = runner.invoke(["init-db"])
    assert result.exit_code == 0, result.output
    assert f"upgraded from empty to {head_revision()}" in result.output  # 0002: issue 11
    engine = create_engine(database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    again = runner.invoke(["init-db"])
    assert again.exit_code == 0
    assert "up to date" in again.output


def test_demo_loads_users_and_two_tenders_and_prints_the_logins(runner):
    result = runner.invoke(["demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    for username in ("chair", "evaluator1", "evaluator5", "observer"):
        assert username in result.output
    assert "demo-password" in result.output
    listing = runner.invoke(["user", "list"])
    assert "evaluator3" in listing.output and "observer" in listing.output


def test_demo_prints_a_random_password_when_none_is_given(runner):
    result = runner.invoke(["demo"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.strip().startswith("chair"))
    assert len(line.split()[1]) >= 10


def test_demo_refuses_a_database_with_data_unless_told_to_skip(runner):
    assert runner.invoke(["demo", "--password", "demo-password"]).exit_code == 0
    second = runner.invoke(["demo", "--password", "demo-password"])
    assert second.exit_code == 1
    assert "already has users or tenders" in second.output
    skipped = runner.invoke(["demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "was not loaded again" in skipped.output


def test_demo_rejects_a_short_password(runner):
    result = runner.invoke(["demo", "--password", "short"])
    assert result.exit_code == 2


def test_demo_tenders_are_closed_and_open(app, runner, client):
    runner.invoke(["demo", "--password", "demo-password"])
    client.post("/login", data={"username": "chair", "password": "demo-password"})
    states = {t["template"]: t["state"] for t in client.get("/api/tenders").get_json()}
    assert states == {"crm_selection": "closed", "crm_poc_review": "open"}
    assert client.get("/tenders/1/results").status_code == 200


def test_user_create_list_disable_enable_password(runner):
    created = runner.invoke(
        [
            "user",
            "create",
            "alice",
            "--role",
            "chair",
            "--name",
            "Alice",
            "--password",
            "alice-password",
        ]
    )
    assert created.exit_code == 0, created.output
    duplicate = runner.invoke(
        ["user", "create", "alice", "--role", "chair", "--password", "alice-password"]
    )
    assert duplicate.exit_code == 1
    assert "taken" in duplicate.output
    short = runner.invoke(["user", "create", "bob", "--role", "chair", "--password", "x"])
    assert "too short" in short.output
    assert "alice" in runner.invoke(["user", "list"]).output
    assert runner.invoke(["user", "disable", "alice"]).exit_code == 0
    assert "disabled" in runner.invoke(["user", "list"]).output
    assert runner.invoke(["user", "enable", "alice"]).exit_code == 0
    assert (
        runner.invoke(["user", "password", "alice", "--password", "new-password-1"]).exit_code == 0
    )
    assert runner.invoke(["user", "disable", "nobody"]).exit_code == 1


def test_user_create_prompts_for_the_password(runner):
    result = runner.invoke(
        ["user", "create", "carol", "--role", "observer"], input="carol-password\ncarol-password\n"
    )
    assert result.exit_code == 0, result.output


def test_serve_documents_host_and_port(runner):
    result = runner.invoke(["serve", "--help"])
    assert "--host" in result.output and "--port" in result.output
