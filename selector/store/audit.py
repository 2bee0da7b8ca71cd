"""The tamper-evident audit chain: appending, hashing, the database's refusal, replay facts.

Each `AuditEvent` is a link: its `hash` is SHA-256 over its canonical content (sequence
number, UTC time, actor, tender, action, remote address, detail — JSON with sorted keys)
followed by the previous event's hash; HMAC-SHA-256 with the secret in `SELECTOR_AUDIT_KEY`
when that is set, so that someone with write access to the database but not the key cannot
rebuild a consistent chain. Appends are serialised on the one-row `audit_chain_head`
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write transactions are already BEGIN
IMMEDIATE, one writer at a time), so concurrent writers never fork the chain.

The database refuses UPDATE and DELETE on `audit_event` (SQLite triggers, a PostgreSQL
trigger function): `TRIGGERS` below, installed by migration 0002 and by `create_all`.

`tender_values` reads the stored values the record vouches for — entries (value and
comment), bids, rates, consensus values and the tender's state — as plain ``key: value``
pairs; a unit of work diffs them before and after its change into the event's
``detail["changes"]``, and `selector audit verify` replays those against the database.
A change that can only touch one evaluator's sheets (a sheet save) reads just those and the
state (`SheetScope`): the same keys, so the same ``changes``, without reading every sheet
of the tender twice while it holds the tender's write lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from selector.store.models import (
    AUDIT_DROP_TRIGGERS,
    AUDIT_REFUSAL,
    AUDIT_TRIGGERS,
    AuditChainHead,
    AuditEvent,
    Bid,
    Consensus,
    Entry,
    ExchangeRate,
    ScoreSheet,
    SignOff,
    Tender,
    TenderCriterion,
    User,
    Vendor,
)

KEY_ENV = "SELECTOR_AUDIT_KEY"
HEAD_ID = 1
REFUSAL = AUDIT_REFUSAL

TRIGGERS, DROP_TRIGGERS = AUDIT_TRIGGERS, AUDIT_DROP_TRIGGERS


# --- hashing -----------------------------------------------------------------------------


def _key() -> bytes | None:
    secret = os.environ.get(KEY_ENV, "")
    return secret.encode() if secret else None


def utc_text(moment: datetime) -> str:
    """The event's time as hashed: ISO 8601 in UTC with microseconds (SQLite drops the zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(event_row: AuditEvent) -> bytes:
    """The event's content as hashed: JSON, sorted keys, no spaces, UTF-8."""
    content = {
        "seq": event_row.seq,
        "at": utc_text(event_row.created_at),
        "actor": event_row.actor_id,
        "tender": event_row.tender_id,
        "action": event_row.action,
        "from": event_row.remote_addr,
        "detail": event_row.detail or {},
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(event_row: AuditEvent, prev_hash: str, key: bytes | None = None) -> str:
    """The hash that `event_row` must carry after `prev_hash`."""
    key = _key() if key is None else key
    message = prev_hash.encode() + b"\n" + canonical(event_row)
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return str(value)


def plain_decimal(value: Decimal) -> str:
    """A stored amount as text that both engines agree on (no trailing zeros, no exponent)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


# --- appending ---------------------------------------------------------------------------


def append(
    session: Session,
    action: str,
    *,
    actor_id: int | None,
    tender_id: int | None,
    detail: Mapping[str, Any],
    remote_addr: str | None = None,
    ends_transaction: bool = False,
) -> AuditEvent:
    """Append one event to the chain, in the session's current (write) transaction.

    The chain head row is locked (FOR UPDATE; SQLite holds the write lock already), so the
    next writer waits until this transaction commits and then links to this event.
    The session's pending changes are flushed first, then the event and the head are
    written as plain statements (the ORM's unit of work would cost a write transaction
    ~1 ms more); the event returned is not attached to the session.

    `ends_transaction`: the caller commits right after this, and nothing else. On
    PostgreSQL the statement that writes the event then commits too (`_commit_with`): the
    head is held for one round trip after it is read instead of two, and every other save
    waits for it that much less; the session's commit that follows has nothing left to send.
    """
    session.flush()
    connection = session.connection()  # plain statements, flushed: no ORM rows
    head = connection.execute(_LOCKED_HEAD).one_or_none()
    seq, prev_hash = (int(head[0]), str(head[1])) if head is not None else (0, "")
    row = AuditEvent(
        seq=seq + 1,
        action=action,
        actor_id=actor_id,
        tender_id=tender_id,
        detail=jsonable(detail),
        remote_addr=(remote_addr or None) and str(remote_addr)[:64],
        created_at=datetime.now(UTC),
        prev_hash=prev_hash,
    )
    row.hash = link_hash(row, prev_hash)
    values = {
        "seq": row.seq, "action": row.action, "actor_id": row.actor_id,
        "tender_id": row.tender_id, "detail": row.detail, "remote_addr": row.remote_addr,
        "created_at": row.created_at, "prev_hash": row.prev_hash, "hash": row.hash,
    }
    if head is None:  # a database created before the head row existed
        connection.execute(_INSERT_EVENT, values)
        connection.execute(insert(_HEAD).values(id=HEAD_ID, seq=row.seq, hash=row.hash))
    elif connection.dialect.name == "postgresql":  # one round trip while the head is held
        if ends_transaction:
            _commit_with(connection, _APPEND_AND_MOVE_HEAD, values)
        else:
            connection.execute(_APPEND_AND_MOVE_HEAD, values)
    else:
        connection.execute(_INSERT_EVENT, values)
        connection.execute(_MOVE_HEAD, {"seq": row.seq, "hash": row.hash})
    held = session.identity_map.get(identity_key(AuditChainHead, HEAD_ID))
    if held is not None:  # a head row read earlier in this transaction: read it again
        session.expire(held)
    return row


_HEAD, _EVENTS = AuditChainHead.__table__, AuditEvent.__table__
# built once: building a statement costs more than running it
_LOCKED_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_INSERT_EVENT = insert(_EVENTS)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == HEAD_ID)
# PostgreSQL: the event inserted and the head moved in one statement (a data-modifying WITH
# runs once, whether or not the statement reads it); SQLite has no such WITH.
_APPEND_AND_MOVE_HEAD = _MOVE_HEAD.values(seq=bindparam("seq"), hash=bindparam("hash")).add_cte(
    insert(_EVENTS)
    .values({column.name: bindparam(column.name) for column in _EVENTS.columns
             if column.name != "id"})
    .cte("appended")
)


def _commit_with(connection: Connection, statement: Any, values: Mapping[str, Any]) -> None:
    """Run `statement` and COMMIT in one round trip (PostgreSQL, psycopg): the two sent as
    one query with the values bound client-side (`psycopg.ClientCursor`, which quotes them
    as literals; the simple query protocol takes several statements). An error in the
    statement stops the query before the COMMIT: the transaction is then aborted and the
    caller's rollback ends it, as for any failed statement (raised as SQLAlchemy's)."""
    import psycopg  # only on PostgreSQL, where it is the driver

    compiled, sql, processors = _commit_query(statement, connection.dialect)
    params = compiled.construct_params(values)
    for name, process in processors.items():
        params[name] = process(params[name])
    try:
        with psycopg.ClientCursor(connection.connection.driver_connection) as cursor:
            cursor.execute(sql, params)
    except psycopg.Error as error:  # as SQLAlchemy raises it (IntegrityError, DataError…)
        raise DBAPIError.instance(sql, params, error, psycopg.Error) from error


@lru_cache(maxsize=8)
def _commit_query(statement: Any, dialect: Any) -> tuple[Any, str, dict[str, Any]]:
    """`statement` compiled for `dialect` and followed by COMMIT, with the bind processors
    of its parameters that have one (the JSON detail's serialiser); built once."""
    compiled = statement.compile(dialect=dialect)
    processors = {
        name: process
        for name, bind in compiled.binds.items()
        if (process := bind.type._cached_bind_processor(dialect)) is not None
    }
    return compiled, f"{compiled}; COMMIT", processors


def chain_head(session: Session) -> tuple[int, str]:
    """The chain's length and last hash, as printed on the results page and the PDF."""
    head = session.get(AuditChainHead, HEAD_ID)
    return (head.seq, head.hash) if head is not None else (0, "")


_HEAD_ROW = f"SELECT seq, hash FROM {AuditChainHead.__tablename__} WHERE id = {HEAD_ID}"


def chain_revision(engine: Engine) -> tuple[int, str]:
    """`chain_head` as every request served from the page cache reads it
    (`selector.web.pagecache`): one statement on a connection of its own, outside any
    session and transaction (the head as committed), so that such a request asks the
    database nothing else."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(_HEAD_ROW)
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    return (int(row[0]), str(row[1])) if row is not None else (0, "")


# --- the values the record vouches for ---------------------------------------------------


@dataclass(frozen=True)
class SheetScope:
    """The values a sheet save can change: the entries of `evaluator_id`'s sheets (on
    `vendor_id` only, unless None) — and the tender's state, read with them."""

    evaluator_id: int
    vendor_id: int | None = None

    def covers(self, sheet: ScoreSheet) -> bool:
        """Whether `sheet` is one of the sheets in this scope."""
        return sheet.evaluator_id == self.evaluator_id and (
            self.vendor_id is None or sheet.vendor_id == self.vendor_id
        )


def tender_values(
    session: Session, tender_id: int, scope: SheetScope | None = None
) -> dict[str, Any]:
    """Every stored value of a tender that the record vouches for, as ``key: value``;
    with `scope`, only the state and the entries of the sheets in it.

    Keys: ``state``; ``entry:<evaluator>:<vendor id>:<criterion>`` → [value, comment];
    ``bid:<vendor id>:<criterion>`` → [amount, currency]; ``rate:<currency>`` → rate;
    ``consensus:<vendor id>:<criterion>`` → value; ``signoff:<login>`` → [decision, reason].
    """
    values: dict[str, Any] = {}
    state = session.scalar(select(Tender.state).where(Tender.id == tender_id))
    if state is None:
        return values
    values["state"] = str(state)
    entries = (
        select(User.username, ScoreSheet.vendor_id, TenderCriterion.key, Entry.value, Entry.comment)
        .join(ScoreSheet, Entry.sheet_id == ScoreSheet.id)
        .join(User, ScoreSheet.evaluator_id == User.id)
        .join(TenderCriterion, Entry.criterion_id == TenderCriterion.id)
        .where(ScoreSheet.tender_id == tender_id)
    )
    if scope is not None:
        entries = entries.where(ScoreSheet.evaluator_id == scope.evaluator_id)
        if scope.vendor_id is not None:
            entries = entries.where(ScoreSheet.vendor_id == scope.vendor_id)
    for username, vendor_id, criterion, value, comment in session.execute(entries):
        values[entry_key(username, vendor_id, criterion)] = entry_value(value, comment)
    if scope is not None:
        return values
    for vendor_id, criterion, amount, currency in session.execute(
        select(Bid.vendor_id, TenderCriterion.key, Bid.amount, Bid.currency)
        .join(Vendor, Bid.vendor_id == Vendor.id)
        .join(TenderCriterion, Bid.criterion_id == TenderCriterion.id)
        .where(Vendor.tender_id == tender_id)
    ):
        values[f"bid:{vendor_id}:{criterion}"] = [plain_decimal(Decimal(amount)), currency]
    for currency, rate in session.execute(
        select(ExchangeRate.currency, ExchangeRate.rate).where(ExchangeRate.tender_id == tender_id)
    ):
        values[f"rate:{currency}"] = plain_decimal(Decimal(rate))
    for vendor_id, criterion, value in session.execute(
        select(Consensus.vendor_id, TenderCriterion.key, Consensus.value)
        .join(TenderCriterion, Consensus.criterion_id == TenderCriterion.id)
        .where(Consensus.tender_id == tender_id)
    ):
        values[f"consensus:{vendor_id}:{criterion}"] = value
    for username, decision, reason in session.execute(
        select(User.username, SignOff.decision, SignOff.reason)
        .join(User, SignOff.user_id == User.id)
        .where(SignOff.tender_id == tender_id)
    ):
        values[f"signoff:{username}"] = [decision, reason or ""]
    return values


def entry_key(username: str, vendor_id: int, criterion: str) -> str:
    """The key of an entry's value in `tender_values`."""
    return f"entry:{username}:{vendor_id}:{criterion}"


def entry_value(value: str, comment: str | None) -> list[str]:
    """An entry's value in `tender_values`: [value, comment]."""
    return [value, comment or ""]


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``key: [before, after]`` for every value that differs (None: absent)."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
