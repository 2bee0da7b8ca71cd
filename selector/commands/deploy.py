"""`selector check-deploy`: the settings that make a deployment unsafe, like Django's
`check --deploy`. It reads the configuration exactly as the server would (`selector.config`:
instance config, environment, `SELECTOR_*`) without building the app, prints one line per
problem with its fix, and exits 1 when there is any (0 when there is none), so a deployment
script can stop on it.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from selector.commands.files import lang_option
from selector.config import instance_path, load_config
from selector.reports.fonts import missing_font
from selector.scoring.model import Text

# Keys that examples, tutorials and our own tests use: a deployment must not.
KNOWN_KEYS = {"dev", "development", "secret", "changeme", "change-me", "test-secret-key"}
MIN_KEY_LENGTH = 32


def gunicorn_workers(environ: Mapping[str, str]) -> int:
    """How many workers gunicorn will start, as far as the environment says (default 1)."""
    args = shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    for i, arg in enumerate(args):
        if arg in ("-w", "--workers") and i + 1 < len(args) and args[i + 1].isdigit():
            return int(args[i + 1])
        if arg.startswith("--workers=") and arg.split("=", 1)[1].isdigit():
            return int(arg.split("=", 1)[1])
    value = environ.get("WEB_CONCURRENCY", "")
    return int(value) if value.isdigit() else 1


def _mail_problems(config: Mapping[str, Any]) -> list[Text]:
    """Reminders by SMTP (`selector.mail`): a login sent in clear, links to localhost."""
    if not str(config.get("MAIL_SERVER") or "").strip():
        return []
    problems = []
    secured = any(
        str(config.get(name) or "").strip().lower() in ("1", "true", "yes", "on")
        for name in ("MAIL_USE_TLS", "MAIL_USE_SSL")
    )
    if config.get("MAIL_USERNAME") and not secured:
        problems.append(
            Text(
                zh="邮件服务器的用户名和密码会以明文发送:请设置 SELECTOR_MAIL_USE_TLS=true"
                "(或 SELECTOR_MAIL_USE_SSL=true)",
                en="the mail server's username and password would travel in clear: set "
                "SELECTOR_MAIL_USE_TLS=true (or SELECTOR_MAIL_USE_SSL=true)",
            )
        )
    if not str(config.get("BASE_URL") or "").strip():
        problems.append(
            Text(
                zh="SELECTOR_BASE_URL 未设置:提醒邮件中的链接会指向 http://localhost:5000;"
                "请设置为评委访问本系统的地址(https://…)",
                en="SELECTOR_BASE_URL is unset: the links in reminders would point to "
                "http://localhost:5000; set it to the address people open (https://…)",
            )
        )
    return problems


def deploy_problems(config: Mapping[str, Any], instance_path: str, workers: int) -> list[Text]:
    """Every insecure setting of `config` (an app's), each with what to do instead."""
    problems: list[Text] = []
    key = str(config.get("SECRET_KEY") or "")
    instance_key = Path(instance_path) / "secret_key"
    if not key or (instance_key.exists() and instance_key.read_text().strip() == key):
        problems.append(
            Text(
                zh=f"SECRET_KEY 未设置或来自实例目录中自动生成的 {instance_key}："
                "每台服务器各生成一个，并与数据库放在一起；"
                "请通过环境变量 SECRET_KEY 设置一个随机密钥"
                "（python -c 'import secrets; print(secrets.token_hex(32))'）",
                en="SECRET_KEY is unset or the one generated in the instance folder "
                f"({instance_key}): each server makes its own and it sits beside the "
                "database; set a random "
                "SECRET_KEY in the environment (python -c 'import secrets; "
                "print(secrets.token_hex(32))')",
            )
        )
    elif key.lower() in KNOWN_KEYS or len(key) < MIN_KEY_LENGTH:
        problems.append(
            Text(
                zh=f"SECRET_KEY 是常见的默认值或太短（{len(key)} 个字符，至少需要 "
                f"{MIN_KEY_LENGTH} 个）：任何人都能伪造登录会话；请设置一个随机密钥",
                en=f"SECRET_KEY is a well-known default or too short ({len(key)} characters, "
                f"at least {MIN_KEY_LENGTH} needed): anyone could forge a login session; set "
                "a random key",
            )
        )
    if config.get("DEBUG") or os.environ.get("FLASK_DEBUG", "") not in ("", "0", "false"):
        problems.append(
            Text(
                zh="调试模式已开启：错误页面会显示源代码并允许执行代码；请去掉 FLASK_DEBUG "
                "和 SELECTOR_DEBUG",
                en="debug mode is on: error pages show source code and let anyone run code; "
                "unset FLASK_DEBUG and SELECTOR_DEBUG",
            )
        )
    if config.get("TESTING"):
        problems.append(
            Text(
                zh="TESTING 已开启：错误会直接抛出而不是显示错误页面；请去掉 SELECTOR_TESTING",
                en="TESTING is on: errors propagate instead of showing the error page; unset "
                "SELECTOR_TESTING",
            )
        )
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if not config.get(name):
            problems.append(
                Text(
                    zh=f"{name} 已关闭：登录 Cookie 会通过明文 HTTP 发送；请在 HTTPS 代理后运行"
                    f"并去掉 SELECTOR_{name}=false",
                    en=f"{name} is off: the login cookie would travel over plain HTTP; serve "
                    f"behind an HTTPS proxy and unset SELECTOR_{name}",
                )
            )
    if not config.get("SESSION_COOKIE_HTTPONLY") or config.get("SESSION_COOKIE_SAMESITE") not in (
        "Lax",
        "Strict",
    ):
        problems.append(
            Text(
                zh="会话 Cookie 需要 HttpOnly 和 SameSite=Lax（或 Strict）：请恢复默认设置",
                en="the session cookie needs HttpOnly and SameSite=Lax (or Strict): restore "
                "the defaults",
            )
        )
    if not config.get("WTF_CSRF_ENABLED", True):
        problems.append(
            Text(
                zh="CSRF 保护已关闭：其他网站可以替已登录的用户提交表单；请去掉 "
                "SELECTOR_WTF_CSRF_ENABLED=false",
                en="CSRF protection is off: another site could post forms as a logged-in user; "
                "unset SELECTOR_WTF_CSRF_ENABLED",
            )
        )
    url = str(config.get("DATABASE_URL") or "")
    if url.startswith("sqlite") and workers > 1:
        problems.append(
            Text(
                zh=f"{workers} 个工作进程共用一个 SQLite 数据库：写入会相互等待甚至失败；"
                "多个工作进程请使用 PostgreSQL（DATABASE_URL=postgresql://…）",
                en=f"{workers} workers share one SQLite database: their writes queue and may "
                "fail; use PostgreSQL (DATABASE_URL=postgresql://…) with several workers",
            )
        )
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory") and workers > 1:
        problems.append(
            Text(
                zh=f"{workers} 个工作进程各自在内存中计算登录失败次数：猜密码的人可多试 "
                f"{workers} 倍；请设置 SELECTOR_RATELIMIT_STORAGE_URI=redis://…",
                en=f"{workers} workers each count failed logins in their own memory, so a "
                f"guesser gets {workers} times the tries; set "
                "SELECTOR_RATELIMIT_STORAGE_URI=redis://…",
            )
        )
    problems += _mail_problems(config)
    font = missing_font("zh")
    if font is not None:
        problems.append(font)
    return problems


@click.command("check-deploy")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="How many gunicorn workers will serve the app (default: from GUNICORN_CMD_ARGS or "
    "WEB_CONCURRENCY, else 1).",
)
@lang_option
def check_deploy(workers: int | None, lang: str) -> None:
    """List the settings that make this deployment insecure; exit 1 when there is any."""
    folder = instance_path()
    count = workers or gunicorn_workers(os.environ)
    problems = deploy_problems(load_config(folder), folder, count)
    if not problems:
        click.echo("未发现不安全的设置。" if lang == "zh" else "No insecure settings found.")
        return
    heading = "不安全的设置" if lang == "zh" else "Insecure settings"
    click.echo(f"{heading} ({len(problems)}):")
    for problem in problems:
        click.echo("- " + re.sub(r"\s+", " ", problem.get(lang)))
    sys.exit(1)
