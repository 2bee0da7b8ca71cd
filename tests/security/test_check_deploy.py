"""`selector check-deploy` lists insecure settings and exits 1; a safe setup exits 0."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from selector.cli import main
from selector.commands.deploy import deploy_problems, gunicorn_workers
from selector.reports import fonts

GOOD_KEY = "9f" * 32
POSTGRES = "postgresql+psycopg://selector@db.internal/selector"


def _run(tmp_path, monkeypatch, args=(), **env):
    monkeypatch.chdir(tmp_path)  # the instance folder stays the package's; keep cwd clean
    base = {
        "SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": POSTGRES,
        "SELECTOR_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    base.update(env)
    for name in ("FLASK_DEBUG", "GUNICORN_CMD_ARGS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["check-deploy", *args], env=base)
    return result


def test_a_safe_setup_passes(tmp_path, monkeypatch):
    result = _run(tmp_path, monkeypatch, ["--workers", "4"])
    assert result.exit_code == 0, result.output
    assert "No insecure settings found." in result.output


@pytest.mark.parametrize(
    ("env", "args", "named"),
    [
        ({"SECRET_KEY": "dev"}, [], "SECRET_KEY is a well-known default"),
        ({"SECRET_KEY": "test-secret-key"}, [], "SECRET_KEY is a well-known default"),
        ({"SECRET_KEY": "short-random-9x"}, [], "too short"),
        ({"SELECTOR_DEBUG": "true"}, [], "debug mode is on"),
        ({"FLASK_DEBUG": "1"}, [], "debug mode is on"),
        ({"SELECTOR_TESTING": "true"}, [], "TESTING is on"),
        ({"SELECTOR_SESSION_COOKIE_SECURE": "false"}, [], "SESSION_COOKIE_SECURE is off"),
        ({"SELECTOR_WTF_CSRF_ENABLED": "false"}, [], "CSRF protection is off"),
        ({"SELECTOR_SESSION_COOKIE_SAMESITE": '"None"'}, [], "SameSite=Lax"),
        ({"DATABASE_URL": "sqlite:////tmp/x.db"}, ["--workers", "4"], "4 workers share one SQLite"),
        ({"DATABASE_URL": "sqlite:////tmp/x.db", "WEB_CONCURRENCY": "3"}, [], "3 workers share"),
        (
            {"DATABASE_URL": "sqlite:////tmp/x.db", "GUNICORN_CMD_ARGS": "--bind :80 -w 2"},
            [],
            "2 workers share",
        ),
        ({"SELECTOR_RATELIMIT_STORAGE_URI": "memory://"}, ["--workers", "4"], "own memory"),
        (
            {"SELECTOR_MAIL_SERVER": "smtp.example.org", "SELECTOR_BASE_URL": "https://s.example",
             "SELECTOR_MAIL_USERNAME": "selector", "SELECTOR_MAIL_PASSWORD": "pw"},
            [],
            "would travel in clear",
        ),
        ({"SELECTOR_MAIL_SERVER": "smtp.example.org"}, [], "SELECTOR_BASE_URL is unset"),
    ],
)
def test_each_insecure_setting_is_named_and_fails_the_check(
    tmp_path, monkeypatch, env, args, named
):
    result = _run(tmp_path, monkeypatch, args, **env)
    assert result.exit_code == 1
    assert named in result.output


def test_the_instance_folders_generated_key_is_reported(tmp_path):
    (tmp_path / "secret_key").write_text("ab" * 32)
    config = {
        "SECRET_KEY": "ab" * 32,
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "DATABASE_URL": POSTGRES,
    }
    problems = deploy_problems(config, str(tmp_path), workers=1)
    assert [p.en for p in problems if "instance folder" in p.en]


def test_a_missing_cjk_font_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "_has_font", lambda script: False)
    result = _run(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "fonts-noto-cjk" in result.output


def test_the_report_is_in_chinese_when_asked(tmp_path, monkeypatch):
    result = _run(tmp_path, monkeypatch, ["--lang", "zh"], SECRET_KEY="dev")
    assert result.exit_code == 1
    assert "不安全的设置" in result.output and "SECRET_KEY 是常见的默认值" in result.output


def test_worker_counts_are_read_from_gunicorns_environment():
    assert gunicorn_workers({}) == 1
    assert gunicorn_workers({"WEB_CONCURRENCY": "5"}) == 5
    assert gunicorn_workers({"GUNICORN_CMD_ARGS": "--workers=3"}) == 3
    assert gunicorn_workers({"GUNICORN_CMD_ARGS": "-w 6 --bind 0.0.0.0:8000"}) == 6
