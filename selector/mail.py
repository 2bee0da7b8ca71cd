"""Sending mail: SMTP (the standard library's smtplib) when `SELECTOR_MAIL_SERVER` is set.

Settings (the app's config, from `SELECTOR_*` in the environment or instance/config.py):

- `MAIL_SERVER`: the SMTP host; unset (the default) = send nothing: every message stays in
  the tender's outbox page, where the chair reads it (the embedded default works offline);
- `MAIL_PORT` (default 25, or 465 with `MAIL_USE_SSL`), `MAIL_USE_TLS` (STARTTLS),
  `MAIL_USE_SSL` (TLS from the start), `MAIL_USERNAME` / `MAIL_PASSWORD` (login, if any),
  `MAIL_SENDER` (the From address, default `selector@localhost`), `MAIL_TIMEOUT` (seconds);
- `BASE_URL`: the address people open, for the links in messages (default
  `http://localhost:5000`).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_BASE_URL = "http://localhost:5000"


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True)
class SmtpMailer:
    """Sends one plain-text message per call; raises `smtplib.SMTPException` or `OSError`."""

    server: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body)  # UTF-8, so Chinese text travels as it is
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.server, self.port, timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
        with smtp:
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def mailer_from_config(config: Mapping[str, Any]) -> SmtpMailer | None:
    """The SMTP mailer the settings describe, or None when `MAIL_SERVER` is unset."""
    server = str(config.get("MAIL_SERVER") or "").strip()
    if not server:
        return None
    use_ssl = _flag(config.get("MAIL_USE_SSL"))
    return SmtpMailer(
        server=server,
        port=int(config.get("MAIL_PORT") or (465 if use_ssl else 25)),
        sender=str(config.get("MAIL_SENDER") or "selector@localhost"),
        username=str(config.get("MAIL_USERNAME") or ""),
        password=str(config.get("MAIL_PASSWORD") or ""),
        use_tls=_flag(config.get("MAIL_USE_TLS")),
        use_ssl=use_ssl,
        timeout=float(config.get("MAIL_TIMEOUT") or 10),
    )


def base_url_of(config: Mapping[str, Any]) -> str:
    """`BASE_URL` without a trailing slash."""
    return str(config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def today_of(config: Mapping[str, Any], now: datetime | None = None) -> date:
    """Today in the app's `TIMEZONE`: the day due dates are counted in."""
    zone = ZoneInfo(str(config.get("TIMEZONE") or "UTC"))
    return (now or datetime.now(zone)).astimezone(zone).date()
