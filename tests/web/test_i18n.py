"""Both languages everywhere: pages and messages in 简体中文 and English.

The catalogs themselves are checked in tests/unit/test_catalogs.py.
"""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import login


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(["demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output


def pages_for(role):
    return {
        "chair": [
            "/tenders/",
            "/tenders/1",
            "/tenders/2",
            "/tenders/1/results",
            "/tenders/1/consensus",
            "/tenders/1/criteria",
            "/tenders/new",
            "/tenders/2/close",
            "/tenders/1/finalise",
            "/tenders/1/history",
            "/tenders/2/deadline",
            "/tenders/2/outbox",
        ],
        "evaluator1": [
            "/tenders/",
            "/tenders/2/evaluate",
            "/tenders/1/evaluate",
            "/tenders/1/evaluate/1",
            "/tenders/1/evaluate/criteria/mobile",
        ],
        "admin": ["/admin/users", "/tenders/"],
    }[role]


# Words that must not remain in English on a Chinese page (menus, buttons, headings).
ENGLISH_ONLY = [
    "Log out",
    "Tenders",
    "Results",
    "Save draft",
    "Submit sheet",
    "Ranking",
    "Next step",
    "Settings",
    "Vendor",
    "Users",
    "Criteria",
    "Outbox",
    "Due date",
    "Save drafts",
]


@pytest.mark.parametrize("role", ["chair", "evaluator1", "admin"])
def test_pages_are_chinese_after_the_switch(app, demo, role):
    client = app.test_client()
    login(client, role, "demo-password")
    client.post("/language", data={"lang": "zh", "next": "/"})
    for path in pages_for(role):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert 'lang="zh-Hans"' in page
        visible = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])
        for word in ENGLISH_ONLY:
            assert not re.search(rf"(?<![\w/]){re.escape(word)}(?![\w])", visible), (path, word)


@pytest.mark.parametrize("role", ["chair", "evaluator1", "admin"])
def test_pages_are_english_after_the_switch(app, demo, role):
    client = app.test_client()
    login(client, role, "demo-password")
    client.post("/language", data={"lang": "en", "next": "/"})
    for path in pages_for(role):
        page = client.get(path).get_data(as_text=True)
        assert 'lang="en"' in page
        assert "退出登录" not in page


def test_template_texts_follow_the_language(app, demo):
    client = app.test_client()
    login(client, "evaluator1", "demo-password")
    client.post("/tenders/2/evaluate/conflicts", data={"no_conflict": "y"})
    english = client.get("/tenders/2/evaluate/6").get_data(as_text=True)
    client.post("/language", data={"lang": "zh", "next": "/"})
    chinese = client.get("/tenders/2/evaluate/6").get_data(as_text=True)
    assert "Data accuracy and consistency" in english and "数据准确性与一致性" not in english
    assert "数据准确性与一致性" in chinese and "Data accuracy and consistency" not in chinese


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("en", "Your role does not allow this page or action."),
        ("zh", "您的角色无权访问此页面或执行此操作。"),
    ],
)
def test_error_pages_speak_the_language(app, demo, lang, expected):
    client = app.test_client()
    login(client, "evaluator1", "demo-password")
    client.post("/language", data={"lang": lang, "next": "/"})
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert expected in response.get_data(as_text=True)
