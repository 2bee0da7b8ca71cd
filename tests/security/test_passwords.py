"""The password policy: at least 10 characters, not the username, not a common password."""

from __future__ import annotations

import pytest

from selector.services import ServiceError
from selector.services.passwords import common_passwords, password_problem
from selector.services.users import create_user, find_user, set_password
from tests.security.helpers import body, login

REFUSED = {
    "short": ("too short", "密码太短"),
    "123456789": ("too short", "密码太短"),
    "1234567890": ("tried first", "最常被猜到"),
    "Password123": ("tried first", "最常被猜到"),
    "QWERTYUIOP": ("tried first", "最常被猜到"),
    "woaini1314": ("tried first", "最常被猜到"),
    "aaaaaaaaaaaa": ("too few", "不同字符太少"),
    "abababababab": ("too few", "不同字符太少"),
    "alice.wong": ("username", "用户名"),
    "ALICE.WONG": ("username", "用户名"),
    "gnow.ecila": ("username", "用户名"),
    "alice.wong1!": ("username", "用户名"),
    "x" * 257: ("too long", "密码太长"),
}


@pytest.mark.parametrize("password", sorted(REFUSED))
def test_a_weak_password_is_refused_with_the_reason_in_both_languages(password):
    problem = password_problem(password, username="alice.wong", display_name="Alice Wong")
    assert problem is not None
    english, chinese = REFUSED[password]
    assert english in problem.en
    assert chinese in problem.zh


@pytest.mark.parametrize(
    "password", ["correct-horse-1", "selector-demo", "tea kettle on mars", "alice.wong+9fj2k"]
)
def test_a_good_password_passes(password):
    assert password_problem(password, username="alice.wong", display_name="Alice Wong") is None


def test_the_list_ships_with_the_package_and_has_only_long_entries():
    listed = common_passwords()
    assert len(listed) >= 100
    assert all(len(p) >= 10 for p in listed)
    assert "selector-demo" not in listed  # the README's demo password keeps working


def test_creating_a_user_with_a_common_password_stores_nothing(db):
    with pytest.raises(ServiceError) as caught:
        create_user(db, username="bob", display_name="Bob", password="password123", role="chair")
    assert caught.value.field == "password"
    assert find_user(db, "bob") is None


def test_a_new_password_may_not_be_the_username(db, make_user):
    user_id = make_user("carol.smith", "chair")
    with pytest.raises(ServiceError, match="username"):
        set_password(db, user_id, "carol.smith")


def test_the_admin_page_names_the_rule(client, make_user):
    make_user("admin", "admin")
    login(client, "admin")
    response = client.post(
        "/admin/users",
        data={
            "username": "dave",
            "display_name": "Dave",
            "role": "chair",
            "password": "qwerty1234",
        },
    )
    assert response.status_code == 422
    assert "tried first by anyone guessing" in body(response)


def test_the_command_line_refuses_a_common_password(runner):
    result = runner.invoke(
        ["user", "create", "erin", "--role", "chair", "--password", "1q2w3e4r5t"]
    )
    assert result.exit_code == 1
    assert "tried first" in result.output


def test_the_demo_loader_keeps_the_readme_password(runner, client):
    assert runner.invoke(["demo", "--password", "selector-demo"]).exit_code == 0
    login(client, "chair", "selector-demo")


def test_the_demo_loader_refuses_a_weak_password(runner):
    result = runner.invoke(["demo", "--password", "1234567890"])
    assert result.exit_code == 2
    assert "tried first" in result.output
