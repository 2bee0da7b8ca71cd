"""Fixtures for the web application's tests.

The database is a file-backed SQLite in `tmp_path`, or — when `SELECTOR_TEST_DATABASE_URL`
is set (CI sets it to PostgreSQL) — a fresh schema of that database per test, dropped
afterwards, so tests never see each other's rows and may run while other suites use the
same database.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from selector import PROJECT_ROOT, create_app
from selector.store.db import get_database, get_session
from selector.store.models import Base, User
from tests.bilingual import pytest_runtest_call  # noqa: F401  # problems are bilingual

DATA = Path(__file__).parent / "data"
PASSWORD = "correct-horse-1"


def compile_catalogs() -> None:
    """Compile the translation catalogs when the .mo files are missing or stale."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (PROJECT_ROOT / "selector" / "translations").glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as handle:
            catalog = read_po(handle)
        with open(mo_path, "wb") as handle:
            write_mo(handle, catalog)


compile_catalogs()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of our own: SQLite in tmp_path, or a new PostgreSQL schema."""
    base = os.environ.get("SELECTOR_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'selector.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(database_url: str, **config: Any) -> Any:
    settings = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "CRITERIA_DIR": str(PROJECT_ROOT / "criteria"),
        # Reports render at once, in the request, into a cache of the test's own.
        "QUEUE_URL": "immediate",
        "REPORT_CACHE_DIR": tempfile.mkdtemp(prefix="selector-reports-"),
        # Bid documents go to a folder of the test's own, never the checkout's instance/.
        "DOCUMENTS_DIR": tempfile.mkdtemp(prefix="selector-documents-"),
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra config for the `app` fixture (override in a test module)."""
    return {}


@pytest.fixture
def app(database_url: str, app_config: dict[str, Any]) -> Iterator[Any]:
    application = make_app(database_url, **app_config)
    engine = get_database(application).engine
    Base.metadata.create_all(engine)
    yield application
    get_database(application).dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


class SelectorRunner:
    """Runs `selector …` commands in-process against the test database."""

    def __init__(self, database_url: str) -> None:
        from click.testing import CliRunner

        self.database_url = database_url
        self.cli = CliRunner()
        self.documents_dir = tempfile.mkdtemp(prefix="selector-documents-")

    def invoke(self, args: list[str], input: str | None = None) -> Any:
        from selector.cli import main

        env = {
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "test-secret-key",
            "SELECTOR_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SELECTOR_DOCUMENTS_DIR": self.documents_dir,
        }
        return self.cli.invoke(main, args, env=env, input=input)


@pytest.fixture
def runner(app: Any, database_url: str) -> SelectorRunner:
    """`runner.invoke(["demo", ...])`: the selector command line on the test database."""
    return SelectorRunner(database_url)


@pytest.fixture
def db(app: Any) -> Iterator[Any]:
    """A session inside an app context, for calling services directly."""
    with app.test_request_context():
        yield get_session()


# --- factories -------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Any) -> Any:
    """make_user(username, role="evaluator", password=PASSWORD, display_name=None) -> id."""
    from selector.services.users import create_user

    def factory(
        username: str,
        role: str = "evaluator",
        password: str = PASSWORD,
        display_name: str | None = None,
    ) -> int:
        with app.test_request_context():
            user = create_user(
                get_session(),
                username=username,
                role=role,
                password=password,
                display_name=display_name or username.title(),
                hash_method=app.config["PASSWORD_HASH_METHOD"],
            )
            return user.id

    return factory


@dataclass
class TenderSetup:
    """What `make_tender` built: ids to use in URLs, and usernames to log in with."""

    id: int
    chair: str
    evaluators: list[str]
    vendors: dict[str, int] = field(default_factory=dict)
    state: str = "draft"


MINI_VALUES = {"licence_ok": "pass", "fit": "full", "api": "yes", "plan": "4.5", "ux": "excellent"}


@pytest.fixture
def make_tender(app: Any, make_user: Any) -> Any:
    """make_tender(**overrides) -> TenderSetup.

    Overrides: name, template ("mini" = tests/web/data/mini.yaml, or a file stem in
    criteria/), vendors (names), bids ({vendor: amount} for every price criterion; an
    (amount, currency) pair for a bid in another currency), rates ({currency: rate}),
    evaluators (count), evaluator_names (instead of eval1, eval2…), chair (username,
    created if missing), state (draft, open, closed,
    finalised), submitted (True: every evaluator declares no conflict and submits
    MINI_VALUES for every vendor before closing), values ({evaluator: {vendor: {criterion:
    value}}} overriding MINI_VALUES), can_see_prices (bool), method, prices_opened (for a
    closed tender: whether the chair opened the price envelope after closing; default
    True, so that its results are there; a finalised tender always has it open).
    """
    from selector.services import lifecycle, sheets
    from selector.services.setup import (
        add_vendor,
        assign_evaluator,
        create_tender,
        set_bid,
        set_rate,
    )
    from selector.services.templates import template_from_snapshot

    counter = {"n": 0}

    def factory(**overrides: Any) -> TenderSetup:
        counter["n"] += 1
        n = counter["n"]
        template_name = overrides.get("template", "mini")
        path = (
            DATA / "mini.yaml"
            if template_name == "mini"
            else (PROJECT_ROOT / "criteria" / f"{template_name}.yaml")
        )
        yaml_text = path.read_text(encoding="utf-8")
        chair_name = overrides.get("chair", "chair")
        vendor_names = overrides.get("vendors", ["Alpha", "Beta"])
        evaluator_count = overrides.get("evaluators", 2)
        state = overrides.get("state", "draft")
        bids = overrides.get("bids", {name: 100 + 10 * i for i, name in enumerate(vendor_names)})
        with app.test_request_context():
            session = get_session()
            from sqlalchemy import select

            def ensure(username: str, role: str) -> User:
                user = session.scalar(select(User).where(User.username == username))
                if user is None:
                    make_user(username, role)
                    user = session.scalar(select(User).where(User.username == username))
                assert user is not None
                return user

            chair = ensure(chair_name, "chair")
            evaluator_names = overrides.get(
                "evaluator_names", [f"eval{i}" for i in range(1, evaluator_count + 1)]
            )
            evaluators = [ensure(name, "evaluator") for name in evaluator_names]
            template = template_from_snapshot(yaml_text, path.name)
            tender = create_tender(
                session,
                chair=chair,
                name=overrides.get("name", f"Tender {n}"),
                organisation="Test Org",
                template_yaml=yaml_text,
                template_source=path.name,
                base_currency=None,
                method=overrides.get("method", "mean"),
                divergence_threshold=Decimal("0.4"),
                low_bid_threshold=Decimal("0.6"),
            )
            setup = TenderSetup(tender.id, chair_name, evaluator_names)
            for name in vendor_names:
                setup.vendors[name] = add_vendor(session, tender.id, actor=chair, name=name).id
            for currency, rate in overrides.get("rates", {}).items():
                set_rate(session, tender.id, actor=chair, currency=currency, rate=Decimal(rate))
            for name, bid in bids.items():
                amount, currency = bid if isinstance(bid, tuple) else (bid, None)
                for criterion in template.price_criteria():
                    set_bid(
                        session,
                        tender.id,
                        actor=chair,
                        vendor_id=setup.vendors[name],
                        component=criterion.id,
                        amount=Decimal(str(amount)),
                        currency=currency,
                    )
            for evaluator in evaluators:
                assign_evaluator(
                    session,
                    tender.id,
                    actor=chair,
                    user_id=evaluator.id,
                    group_keys=[],
                    can_see_prices=overrides.get("can_see_prices", False),
                )
            if state == "draft":
                return setup
            lifecycle.transition(session, tender.id, "open", actor=chair)
            setup.state = "open"
            submitted = overrides.get("submitted", state in ("closed", "finalised"))
            if submitted:
                custom = overrides.get("values", {})
                for evaluator in evaluators:
                    sheets.declare_conflicts(
                        session, tender.id, evaluator=evaluator, vendor_ids=[], statement=""
                    )
                    for name, vendor_id in setup.vendors.items():
                        values = {**MINI_VALUES, **custom.get(evaluator.username, {}).get(name, {})}
                        comments = {k: "because" for k in values}
                        sheets.save_sheet(
                            session,
                            tender.id,
                            vendor_id,
                            evaluator=evaluator,
                            version=0,
                            values=values,
                            comments=comments,
                            submit=True,
                        )
            if state == "open":
                return setup
            lifecycle.transition(session, tender.id, "close", actor=chair)
            setup.state = "closed"
            if overrides.get("prices_opened", True) or state == "finalised":
                lifecycle.open_prices(session, tender.id, actor=chair)
            if state == "closed":
                return setup
            lifecycle.transition(session, tender.id, "finalise", actor=chair)
            setup.state = "finalised"
            return setup

    return factory


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Log `client` in; asserts that it worked."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert (
        response.location.endswith("/")
        or "/tenders" in response.location
        or "/admin" in response.location
    )
    return response


@pytest.fixture
def login_as(client: Any) -> Any:
    def do(username: str, password: str = PASSWORD) -> Any:
        return login(client, username, password)

    return do


@pytest.fixture
def exported_on_the_command_line(
    make_tender: Any, runner: SelectorRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> TenderSetup:
    """A finalised tender whose workbook `selector export` wrote, run by the operating-system
    user "operator7" (what getpass.getuser() reads first: LOGNAME)."""
    monkeypatch.setenv("LOGNAME", "operator7")
    setup = make_tender(state="finalised")
    outcome = runner.invoke(["export", str(setup.id), "-q", "-o", str(tmp_path / "t.xlsx")])
    assert outcome.exit_code == 0, outcome.output
    return setup
