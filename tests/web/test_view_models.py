"""Pages are rendered from plain view models: no template is handed an ORM row (directly,
in a list or inside a dataclass), so no relationship can be walked in Jinja."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import template_rendered

from selector.store.models import Base
from tests.web.conftest import login


def orm_rows(value: Any, path: str, seen: set[int] | None = None) -> Iterator[str]:
    """Where in `value` an ORM row sits (e.g. `page.vendors[0]`)."""
    seen = seen if seen is not None else set()
    if id(value) in seen or isinstance(value, str | bytes | int | float | type(None)):
        return
    seen.add(id(value))
    if isinstance(value, Base):
        yield f"{path}: {type(value).__name__}"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from orm_rows(getattr(value, item.name), f"{path}.{item.name}", seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from orm_rows(item, f"{path}[{key!r}]", seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from orm_rows(item, f"{path}[{index}]", seen)


@contextmanager
def rendered(app: Any) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    pages: list[tuple[str, dict[str, Any]]] = []

    def record(sender: Any, template: Any, context: dict[str, Any], **extra: Any) -> None:
        pages.append((template.name, dict(context)))

    template_rendered.connect(record, app)
    try:
        yield pages
    finally:
        template_rendered.disconnect(record, app)


def offending(pages: list[tuple[str, dict[str, Any]]]) -> list[str]:
    found = []
    for name, context in pages:
        for key, value in context.items():
            if key in ("current_user", "g", "request", "session", "config"):
                continue
            found += [f"{name}: {where}" for where in orm_rows(value, key)]
    return found


def test_the_finder_names_an_orm_row_inside_a_view_model():
    @dataclasses.dataclass(frozen=True)
    class Page:
        rows: tuple[Any, ...]

    from selector.store.models import Vendor

    assert list(orm_rows(Page((1, Vendor(name="A"))), "page")) == ["page.rows[1]: Vendor"]


def test_the_chairs_and_evaluators_pages_get_no_orm_rows(app, client, make_tender, make_user):
    draft = make_tender(vendors=["Alpha", "Beta"])
    closed = make_tender(state="closed")
    make_user("admin", "admin")
    with rendered(app) as pages:
        login(client, "chair")
        for url in (
            "/tenders/",
            f"/tenders/{draft.id}",
            f"/tenders/{draft.id}/open",
            f"/tenders/{draft.id}/delete",
            f"/tenders/{draft.id}/criteria",
            f"/tenders/{closed.id}",
            f"/tenders/{closed.id}/results",
            f"/tenders/{closed.id}/consensus",
            f"/tenders/{closed.id}/decisions",
            f"/tenders/{closed.id}/finalise",
        ):
            assert client.get(url).status_code == 200, url
        client.post("/logout")
        login(client, "eval1")
        assert client.get(f"/tenders/{closed.id}/evaluate").status_code == 200
        vendor = closed.vendors["Alpha"]
        assert client.get(f"/tenders/{closed.id}/evaluate/{vendor}").status_code == 200
        client.post("/logout")
        login(client, "admin")
        assert client.get("/admin/users").status_code == 200
        assert client.get(f"/tenders/{closed.id}").status_code == 200
    names = {name for name, _ in pages}
    assert {"tenders/show.html", "evaluate/sheet.html", "admin/users.html"} <= names
    assert offending(pages) == []
