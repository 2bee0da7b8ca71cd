"""The hostile-input catalogue: every request here is refused with a 4xx and a message that
names the problem, stores nothing, and never answers 500.

Each `Case` says who sends it (a login, or nobody), on which tender (draft, open, declared —
open with the evaluator's declaration made —, submitted — open with every sheet in —, or
closed), the address and the form, the statuses it may answer and a piece of the message.
The database is compared row by row before and after (`snapshot`), so "nothing stored" means
no table changed at all — except the audit record of the refusal itself: a refused login
may add its `login.failed` event, a 403 or a 404 hiding a tender its `access.denied` event,
and nothing else (`recorded_refusals`).
Run on SQLite, and on PostgreSQL with SELECTOR_TEST_DATABASE_URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from selector.store.db import get_session
from selector.store.models import AuditEvent, Base, ScoreSheet, Tender, User
from tests.security.helpers import PASSWORD, body, login
from tests.xlsx import bids_rows, xlsx

REFUSED = (400, 403, 404, 405, 409, 413, 422, 429)


@dataclass(frozen=True)
class Case:
    id: str
    path: str  # {t} tender id, {v} its first vendor, {w} a vendor of another tender,
    # {s} a submitted sheet, {u} a user id, {e} another evaluator's id
    data: dict[str, Any] = field(default_factory=dict)
    named: str = ""  # a piece of the refusal message (case-insensitive)
    who: str | None = "chair"
    tender: str | None = "draft"
    method: str = "POST"
    codes: tuple[int, ...] = REFUSED
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)


# --- the forms and a valid filling of each -------------------------------------------------

NEW_TENDER = {
    "name": "Tender X",
    "organisation": "Org",
    "template": "crm_selection",
    "method": "mean",
    "divergence_percent": "40",
    "low_bid_percent": "60",
    "base_currency": "CNY",
}
SETTINGS = {
    "name": "Renamed",
    "organisation": "Org",
    "base_currency": "CNY",
    "method": "mean",
    "divergence_percent": "40",
    "low_bid_percent": "60",
}
SHEET = {"version": "0", "value-fit": "full", "comment-fit": "ok", "value-plan": "4.5", "save": "1"}

# (form, who, tender, path, valid data, field, one line?, what the refusal says besides the
# control character, when a field's own rule speaks first)
TEXT_FIELDS = [
    ("new", "chair", None, "/tenders/new", NEW_TENDER, "name", True, None),
    ("new", "chair", None, "/tenders/new", NEW_TENDER, "organisation", True, None),
    ("settings", "chair", "draft", "/tenders/{t}/settings", SETTINGS, "name", True, None),
    ("settings", "chair", "draft", "/tenders/{t}/settings", SETTINGS, "organisation", True, None),
    ("vendor", "chair", "draft", "/tenders/{t}/vendors", {"name": "Gamma"}, "name", True, None),
    (
        "bid",
        "chair",
        "draft",
        "/tenders/{t}/bids",
        {"vendor": "{v}", "component": "fee", "amount": "100", "currency": "CNY"},
        "currency",
        True,
        "three-letter currency code",
    ),
    (
        "rate",
        "chair",
        "draft",
        "/tenders/{t}/rates",
        {"currency": "USD", "rate": "7.1"},
        "currency",
        True,
        "three-letter currency code",
    ),
    ("open", "chair", "draft", "/tenders/{t}/open", {"reason": "ok"}, "reason", False, None),
    (
        "user",
        "admin",
        None,
        "/admin/users",
        {"username": "newuser", "display_name": "New", "role": "chair", "password": PASSWORD},
        "username",
        True,
        None,
    ),
    (
        "user",
        "admin",
        None,
        "/admin/users",
        {"username": "newuser", "display_name": "New", "role": "chair", "password": PASSWORD},
        "display_name",
        True,
        None,
    ),
    (
        "login",
        None,
        None,
        "/login",
        {"username": "chair", "password": PASSWORD},
        "username",
        True,
        None,
    ),
    (
        "conflicts",
        "eval1",
        "open",
        "/tenders/{t}/evaluate/conflicts",
        {"no_conflict": "y", "statement": "none"},
        "statement",
        False,
        None,
    ),
    ("sheet", "eval1", "declared", "/tenders/{t}/evaluate/{v}", SHEET, "comment-fit", False, None),
    ("sheet", "eval1", "declared", "/tenders/{t}/evaluate/{v}", SHEET, "value-plan", True, None),
    (
        "consensus",
        "chair",
        "closed",
        "/tenders/{t}/consensus",
        {"vendor": "{v}", "criterion": "plan", "value": "4", "reason": "agreed"},
        "value",
        True,
        None,
    ),
    (
        "consensus",
        "chair",
        "closed",
        "/tenders/{t}/consensus",
        {"vendor": "{v}", "criterion": "plan", "value": "4", "reason": "agreed"},
        "reason",
        False,
        None,
    ),
    (
        "review",
        "chair",
        "closed",
        "/tenders/{t}/decisions/review",
        {"kinds": "divergence", "note": "checked"},
        "note",
        False,
        None,
    ),
    (
        "flag",
        "chair",
        "closed",
        "/tenders/{t}/results/flags",
        {"flag_id": "divergence:x", "note": "checked"},
        "note",
        False,
        None,
    ),
    (
        "return",
        "chair",
        "submitted",
        "/tenders/{t}/sheets/{s}/return",
        {"reason": "redo"},
        "reason",
        False,
        None,
    ),
]
ONE_LINE = {
    "NUL": "\x00",
    "vertical tab": "\x0b",
    "escape": "\x1b",
    "tab": "\t",
    "line separator": "\u2028",
    "right-to-left override": "\u202e",
}
MULTI_LINE = {"NUL": "\x00", "vertical tab": "\x0b", "delete": "\x7f", "C1 NEL": "\x85"}


def _text_cases() -> list[Case]:
    cases = []
    for form, who, tender, path, data, name, one_line, own in TEXT_FIELDS:
        for label, char in (ONE_LINE if one_line else MULTI_LINE).items():
            hostile = dict(data)
            hostile[name] = f"ab{char}cd"
            named = own or f"control character U+{ord(char):04X}"
            cases.append(Case(f"{form}.{name} with {label}", path, hostile, named, who, tender))
    return cases


# --- numbers ---------------------------------------------------------------------------------


def _bid(amount: str) -> dict[str, str]:
    return {"vendor": "{v}", "component": "fee", "amount": amount, "currency": "CNY"}


NUMBER_CASES = [
    Case("bid of 0.00001", "/tenders/{t}/bids", _bid("0.00001"), "at most 4 decimal places"),
    Case("bid of 1e-999999999", "/tenders/{t}/bids", _bid("1e-999999999"), "Enter a number"),
    Case("bid of -0", "/tenders/{t}/bids", _bid("-0"), "greater than 0"),
    Case("bid of 1e16", "/tenders/{t}/bids", _bid("1e16"), "at most 1000000000000000"),
    Case("bid of NaN", "/tenders/{t}/bids", _bid("NaN"), "Allowed: 0.0001 to"),
    Case("bid of Infinity", "/tenders/{t}/bids", _bid("Infinity"), "Enter a number"),
    Case("bid of 1_000", "/tenders/{t}/bids", _bid("1_000"), "Enter a number"),
    Case("bid in Arabic-Indic digits", "/tenders/{t}/bids", _bid("١٠٠"), "Enter a number"),
    Case("bid of 5000 digits", "/tenders/{t}/bids", _bid("9" * 5000), "Enter a number"),
    Case("bid in hex", "/tenders/{t}/bids", _bid("0x10"), "Enter a number"),
    Case(
        "rate of 1e-11",
        "/tenders/{t}/rates",
        {"currency": "USD", "rate": "1e-11"},
        "at most 10 decimal places",
    ),
    Case("rate of 0", "/tenders/{t}/rates", {"currency": "USD", "rate": "0"}, "greater than 0"),
    Case("rate of -0", "/tenders/{t}/rates", {"currency": "USD", "rate": "-0"}, "greater than 0"),
    Case("rate of 1e10", "/tenders/{t}/rates", {"currency": "USD", "rate": "1e10"}, "at most"),
    Case(
        "threshold of 40.555 %",
        "/tenders/{t}/settings",
        {**SETTINGS, "divergence_percent": "40.555"},
        "at most 2 decimal places",
    ),
    Case(
        "threshold of 1e-999999999 %",
        "/tenders/{t}/settings",
        {**SETTINGS, "low_bid_percent": "1e-999999999"},
        "Allowed: 1 to 100",
    ),
    Case(
        "threshold of -0 %",
        "/tenders/{t}/settings",
        {**SETTINGS, "low_bid_percent": "-0"},
        "at least 1",
    ),
    Case(
        "threshold of 101 %",
        "/tenders/new",
        {**NEW_TENDER, "divergence_percent": "101"},
        "at most 100",
        tender=None,
    ),
]
for raw, named in [
    ("1e-999999999", "step"),
    ("4.5000000001", "step"),
    ("5.5", "range"),
    ("nan", "finite"),
    ("-inf", "finite"),
    ("1_0", "not a number"),
    ("0x4", "not a number"),
    ("٤", "not a number"),
    ("9" * 5000, "too long"),
]:
    NUMBER_CASES.append(
        Case(
            f"score {raw[:14]}",
            "/tenders/{t}/evaluate/{v}",
            {**SHEET, "value-plan": raw},
            named,
            "eval1",
            "declared",
        )
    )
for raw, named in [("1e-999999999", "step"), ("-1", "range"), ("inf", "finite")]:
    NUMBER_CASES.append(
        Case(
            f"consensus {raw}",
            "/tenders/{t}/consensus",
            {"vendor": "{v}", "criterion": "plan", "value": raw, "reason": "agreed"},
            named,
            tender="closed",
        )
    )

# --- templates and uploads -------------------------------------------------------------------

MINI = open(__file__.replace("security/test_catalogue.py", "web/data/mini.yaml"), "rb").read()


def _template(yaml: bytes | str, name: str = "t.yaml") -> dict[str, tuple[bytes, str]]:
    data = yaml.encode() if isinstance(yaml, str) else yaml
    return {"template_file": (data, name)}


HOSTILE_TEMPLATES = {
    "300 nested sequences": (b"[" * 300 + b"]" * 300, "nested more than 20 deep"),
    "nesting inside a title": (
        MINI.replace(b"id: mini", b"junk: " + b"[" * 100 + b"]" * 100 + b"\nid: mini"),
        "nested more than 20 deep",
    ),
    "an integer of 5000 digits": (
        MINI.replace(b"max: 5\n", b"max: " + b"9" * 5000 + b"\n", 1),
        "a number of 5000 characters",
    ),
    "a step of 1e-31": (MINI.replace(b"step: 0.5", b"step: 1.0e-31"), "template number"),
    "a step of 0.001": (MINI.replace(b"step: 0.5", b"step: 0.001"), "smallest step"),
    "a weight of 1e30": (MINI.replace(b"weight: 60", b"weight: 1.0e+30"), "template number"),
    "a NUL escape in a title": (
        MINI.replace(b"en: Functional fit", b'en: "Func\\0tional"'),
        "control character U+0000",
    ),
    "a vertical tab escape in a title": (
        MINI.replace(b"en: Functional fit", b'en: "Func\\vtional"'),
        "control character U+000B",
    ),
    "a billion laughs": (
        b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
        "anchors and aliases",
    ),
    "a raw NUL byte": (MINI.replace(b"Functional", b"Func\x00tional"), "YAML"),
    "binary bytes": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not UTF-8"),
    "a list instead of a mapping": (b"- a\n- b\n", "not a template"),
    "a 600 KB file": (b"# " + b"x" * 600_000 + b"\n" + MINI, "template file is too large"),
}
UPLOAD_CASES = [
    Case(
        f"template with {what}",
        "/tenders/new",
        dict(NEW_TENDER, template=""),
        named,
        tender=None,
        files=_template(yaml),
    )
    for what, (yaml, named) in HOSTILE_TEMPLATES.items()
]
UPLOAD_CASES += [
    Case(
        "replacing the template with 300 nested sequences",
        "/tenders/{t}/template",
        {},
        "nested more than 20 deep",
        files=_template(b"[" * 300 + b"]" * 300),
    ),
    Case(
        "a template named .exe",
        "/tenders/new",
        dict(NEW_TENDER, template=""),
        "Upload a .yaml or .yml file.",
        tender=None,
        files=_template(MINI, "evil.exe"),
    ),
    Case(
        "an upload over the request limit",
        "/tenders/{t}/bids/upload",
        {},
        "Files up to",
        files={"bids_file": (b"x" * (3 * 1024 * 1024), "bids.csv")},
        codes=(413,),
    ),
]
for what, data, name, named in [
    ("a NUL in a vendor", b"vendor,component,amount\nAc\x00me,fee,100\n", "b.csv", "U+0000"),
    ("a vertical tab", b"vendor,component,amount\nAc\x0bme,fee,100\n", "b.csv", "U+000B"),
    (
        "an amount of 0.00001",
        b"vendor,component,amount\nAlpha,fee,0.00001\n",
        "b.csv",
        "at most 4 decimal places",
    ),
    (
        "an amount of 1e999999999",
        b"vendor,component,amount\nAlpha,fee,1e999999999\n",
        "b.csv",
        "not including) 1000000000000000",
    ),
    ("a binary file", bytes(range(256)) * 8, "b.csv", "not UTF-8"),
    ("garbage as xlsx", b"PK\x03\x04 not a zip at all", "b.xlsx", "cannot be read as a table"),
    ("an empty file", b"", "b.csv", "empty"),
    ("a .exe file", b"MZ\x90\x00", "b.exe", "Upload a .csv or .xlsx file."),
    ("no file", None, "", "Choose a .csv or .xlsx file"),
    ("a header only", b"vendor,component,amount\n", "b.csv", "no bids"),
    ("a missing column", b"vendor,amount\nAlpha,5\n", "b.csv", "missing column"),
    # over the upload limits (scoring.limits.UPLOAD_TABLE), refused before the rows are read
    ("30,000 rows in 12 KB", xlsx(bids_rows(30_000), refs=False), "b.xlsx", "more than the 5,000"),
    (
        "30,000 rows and no declared size",
        xlsx(bids_rows(30_000), dimension=None, refs=False),
        "b.xlsx",
        "5,000+ rows of data",
    ),
    (
        "a zip bomb",
        xlsx(bids_rows(1), extra={"xl/media/x.bin": b"\0" * (40 * 1024**2)}),
        "b.xlsx",
        "unpacks to 40 MiB, more than the 32 MiB",
    ),
    (
        "a cell of 9,000 characters",
        xlsx([["vendor", "component", "amount"], ["A" * 9000, "fee", 1]]),
        "b.xlsx",
        "a cell of 9,000 characters, more than the 8,000",
    ),
    ("60 columns", ",".join(f"c{i}" for i in range(60)).encode(), "b.csv", "60 columns"),
]:
    files = {} if data is None else {"bids_file": (data, name)}
    UPLOAD_CASES.append(
        Case(f"bids file with {what}", "/tenders/{t}/bids/upload", {}, named, files=files)
    )

# --- forged fields, duplicates, wrong states, wrong methods -----------------------------------

FORGED_CASES = [
    Case(
        "bid for another tender's vendor",
        "/tenders/{t}/bids",
        {**_bid("100"), "vendor": "{w}"},
        "Not a valid choice",
    ),
    Case(
        "bid for a criterion that is not a price",
        "/tenders/{t}/bids",
        {**_bid("100"), "vendor": "{v}", "component": "plan"},
        "Not a valid choice",
    ),
    Case(
        "assigning the chair as an evaluator",
        "/tenders/{t}/assignments",
        {"evaluator": "{u}"},
        "Not a valid choice",
    ),
    Case(
        "declaring a conflict with another tender's vendor",
        "/tenders/{t}/evaluate/conflicts",
        {"vendors": "{w}", "statement": "x"},
        "Not a valid choice",
        "eval1",
        "open",
    ),
    Case(
        "a sheet for another tender's vendor",
        "/tenders/{t}/evaluate/{w}",
        SHEET,
        "no such page",
        "eval1",
        "declared",
    ),
    Case(
        "a sheet by an evaluator who is not on the committee",
        "/tenders/{t}/evaluate/{v}",
        SHEET,
        "",
        "outsider",
        "declared",
        codes=(403, 404),
    ),
    Case(
        "a sheet with a version that is not a number",
        "/tenders/{t}/evaluate/{v}",
        {**SHEET, "version": "x1"},
        "The form has expired",
        "eval1",
        "declared",
    ),
    Case(
        "a sheet with a version from the future",
        "/tenders/{t}/evaluate/{v}",
        {**SHEET, "version": "99999999999999999999"},
        "",
        "eval1",
        "declared",
        codes=(409, 422),
    ),
    Case(
        "a consensus on another tender's vendor",
        "/tenders/{t}/consensus",
        {"vendor": "{w}", "criterion": "plan", "value": "4", "reason": "x"},
        "Not a valid choice",
        tender="closed",
    ),
    Case(
        "a consensus on a price criterion",
        "/tenders/{t}/consensus",
        {"vendor": "{v}", "criterion": "fee", "value": "4", "reason": "x"},
        "Not a valid choice",
        tender="closed",
    ),
    Case(
        "a review of a flag the result does not raise",
        "/tenders/{t}/results/flags",
        {"flag_id": "divergence:nobody:nothing:none", "note": "checked"},
        "",
        tender="closed",
        codes=(404, 422),
    ),
    Case(
        "an evaluator's sheet returned by another tender's chair",
        "/tenders/{t}/sheets/{s}/return",
        {"reason": "x"},
        "",
        "chair2",
        "submitted",
        codes=(403, 404),
    ),
    Case(
        "a vendor name sent twice", "/tenders/{t}/vendors", {"name": ["A", "B"]}, "more than once"
    ),
    Case(
        "an amount sent twice",
        "/tenders/{t}/bids",
        {**_bid("100"), "amount": ["100", "1"]},
        "more than once",
    ),
    Case(
        "a score sent twice",
        "/tenders/{t}/evaluate/{v}",
        {**SHEET, "value-plan": ["4", "1"]},
        "more than once",
        "eval1",
        "declared",
    ),
    Case(
        "a username sent twice at login",
        "/login",
        {"username": ["chair", "admin"], "password": PASSWORD},
        "more than once",
        None,
        None,
    ),
    Case(
        "a sheet saved after scoring closed",
        "/tenders/{t}/evaluate/{v}",
        SHEET,
        "can no longer be changed",
        "eval1",
        "closed",
    ),
    Case(
        "a declaration after scoring closed",
        "/tenders/{t}/evaluate/conflicts",
        {"no_conflict": "y"},
        "made while scoring is open",
        "eval1",
        "closed",
    ),
    Case(
        "a vendor added after scoring opened",
        "/tenders/{t}/vendors",
        {"name": "Late"},
        "draft",
        tender="open",
    ),
    Case(
        "a bid changed after finalising",
        "/tenders/{t}/bids",
        _bid("5"),
        "finalised",
        tender="finalised",
    ),
    Case(
        "a consensus while scoring is open",
        "/tenders/{t}/consensus",
        {"vendor": "{v}", "criterion": "plan", "value": "4", "reason": "x"},
        "",
        tender="open",
    ),
    Case(
        "the template replaced after scoring opened",
        "/tenders/{t}/template",
        {"confirmed": "1"},
        "",
        tender="open",
        files=_template(MINI),
    ),
    Case("logout by GET", "/logout", method="GET", codes=(405,)),
    Case("adding a vendor by GET", "/tenders/{t}/vendors?name=x", method="GET", codes=(405,)),
    Case(
        "disabling a user by GET",
        "/admin/users/{u}/disable",
        who="admin",
        tender=None,
        method="GET",
        codes=(405,),
    ),
    Case("switching language by GET", "/language?lang=zh&next=/", method="GET", codes=(405,)),
    Case("setting a bid by GET", "/tenders/{t}/bids?amount=1", method="GET", codes=(405,)),
    Case(
        "an evaluator opening scoring",
        "/tenders/{t}/open",
        {"reason": "x"},
        "",
        "eval1",
        codes=(403,),
    ),
    Case(
        "an observer creating a tender",
        "/tenders/new",
        NEW_TENDER,
        "",
        "observer",
        None,
        codes=(403,),
    ),
    Case(
        "a chair creating a user", "/admin/users", {"username": "x"}, "", tender=None, codes=(403,)
    ),
    Case(
        "a path traversal in an export's sheet name",
        "/tenders/{t}/export/..%2f..%2fetc%2fpasswd.csv",
        tender="closed",
        method="GET",
        codes=(404,),
    ),
    Case(
        "a NUL in an export's sheet name",
        "/tenders/{t}/export/Summary%00.csv",
        tender="closed",
        method="GET",
        codes=(404,),
    ),
    Case(
        "a backslash traversal in an export's sheet name",
        "/tenders/{t}/export/..%5C..%5Cwin.ini.csv",
        tender="closed",
        method="GET",
        codes=(404,),
    ),
]

CASES = _text_cases() + NUMBER_CASES + UPLOAD_CASES + FORGED_CASES


# --- the machinery ---------------------------------------------------------------------------


def snapshot(app: Any, *, skip: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every row of every table, as text: two snapshots are equal when nothing was stored."""
    with app.app_context():
        session = get_session()
        rows = {
            table.name: sorted(map(repr, session.execute(select(table)).all()))
            for table in Base.metadata.sorted_tables
            if table.name not in skip
        }
        session.rollback()
        return rows


@pytest.fixture
def world(app, make_tender, make_user):
    """Build what a case needs: its tender (and a second one with a foreign vendor)."""

    def build(case: Case) -> dict[str, Any]:
        found: dict[str, Any] = {}
        make_user("admin", "admin")
        make_user("observer", "observer")
        make_user("outsider", "evaluator")
        make_user("chair2", "chair")
        other = make_tender(name="Other", chair="chair2", vendors=["Foreign"], evaluators=0)
        found["w"] = other.vendors["Foreign"]
        kind = case.tender or "draft"
        state = {"declared": "open", "submitted": "open"}.get(kind, kind)
        setup = make_tender(state=state, submitted=kind in ("submitted", "closed", "finalised"))
        found["t"] = setup.id
        found["v"] = setup.vendors["Alpha"]
        with app.app_context():
            session = get_session()
            found["u"] = session.scalar(select(User.id).where(User.username == "chair"))
            sheet = session.scalar(select(ScoreSheet.id).where(ScoreSheet.tender_id == setup.id))
            found["s"] = sheet or 0
            assert session.get(Tender, setup.id) is not None
        return found

    return build


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value.format(**ids) if isinstance(value, str) and "{" in value else value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_request_is_refused_with_its_reason_and_stores_nothing(app, client, world, case):
    ids = world(case)
    if case.tender == "declared":
        login(client, "eval1")
        response = client.post(f"/tenders/{ids['t']}/evaluate/conflicts", data={"no_conflict": "y"})
        assert response.status_code == 302
        client.post("/logout")
    if case.who is not None:
        login(client, case.who)
    path = _fill(case.path, ids)
    data: Any = {k: _fill(v, ids) for k, v in case.data.items()}
    for name, (content, filename) in case.files.items():
        data[name] = (io.BytesIO(content), filename)
    seq = _last_seq(app)
    before = snapshot(app, skip=AUDIT_TABLES)
    response = client.open(
        path,
        method=case.method,
        data=data or None,
        content_type="multipart/form-data" if case.files else None,
    )
    assert response.status_code in case.codes, (response.status_code, body(response)[:400])
    page = body(response)
    assert case.named.lower() in page.lower(), _visible(page)[:1500]
    assert "Traceback" not in page
    assert snapshot(app, skip=AUDIT_TABLES) == before
    assert recorded_refusals(app, seq) <= {"login.failed", "access.denied"}


AUDIT_TABLES = ("audit_event", "audit_chain_head")


def _last_seq(app: Any) -> int:
    with app.app_context():
        return get_session().scalar(select(func.max(AuditEvent.seq))) or 0


def recorded_refusals(app: Any, after_seq: int) -> set[str]:
    """The actions of the events recorded after `after_seq`; none may carry changed values."""
    with app.app_context():
        events = get_session().scalars(select(AuditEvent).where(AuditEvent.seq > after_seq))
        found = set()
        for event in events:
            assert "changes" not in (event.detail or {}), (event.action, event.detail)
            found.add(event.action)
        return found


def test_the_catalogue_has_at_least_80_hostile_requests():
    assert len(CASES) >= 80


def _visible(page: str) -> str:
    """A page's text without its markup, for failure messages."""
    import html
    import re

    page = re.sub(r"(?s)<head>.*?</head>|<header.*?</header>", "", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
