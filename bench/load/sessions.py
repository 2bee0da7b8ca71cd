"""Log the load run's people in over HTTP and write what wrk's scripts need, as Lua.

    .venv/bin/python bench/load/sessions.py FACTS.json http://127.0.0.1:8765 OUT.lua

Each person logs in as a browser would (the login page's CSRF token, then the form); each
evaluator then opens their sheet, whose form gives the CSRF token and the sheet's version
that their saves start from. The cookies are those the server set last.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from page_tenders import PASSWORD  # noqa: E402

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')


class Browser:
    """One person's cookies against one server."""

    def __init__(self, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Cookie": self.cookie()} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text

    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def login(self, username: str, password: str) -> None:
        _status, page = self.request("GET", "/login")
        token = TOKEN.search(page)
        assert token, "the login page has a CSRF token"
        status, _page = self.request("POST", "/login", {
            "csrf_token": token.group(1), "username": username, "password": password})
        assert status == 302, f"{username} could not log in ({status})"


def lua(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid Lua string here (ASCII)


def main() -> None:
    facts = json.loads(Path(sys.argv[1]).read_text())
    base = sys.argv[2]
    chair = Browser(base)
    chair.login(facts["demo_chair"], facts["demo_password"])
    results = f"/tenders/{facts['demo_tender']}/results"
    assert chair.request("GET", results)[0] == 200
    sheet = f"/tenders/{facts['load_tender']}/evaluate/{facts['vendor']}"
    evaluators = []
    for username in facts["evaluators"]:
        browser = Browser(base)
        browser.login(username, PASSWORD)
        status, page = browser.request("GET", sheet)
        assert status == 200, (username, status)
        token, version = TOKEN.search(page), VERSION.search(page)
        assert token and version, "the sheet's form has a CSRF token and a version"
        forms = []
        first = next(iter(facts["values"]))
        for flip in (0, 1):  # two drafts, saved in turn, so that every save changes a value
            form = {"csrf_token": token.group(1), "save": "1"}
            for key, value in facts["values"].items():
                form[f"value-{key}"] = value
                form[f"comment-{key}"] = f"load test draft {flip}" if key == first else ""
            forms.append(urllib.parse.urlencode(form))
        evaluators.append({"cookie": browser.cookie(), "version": int(version.group(1)),
                           "forms": forms})
    data = {"results": results, "chair": chair.cookie(), "sheet": sheet,
            "evaluators": evaluators}
    Path(sys.argv[3]).write_text("return " + lua(data) + "\n")


if __name__ == "__main__":
    main()
