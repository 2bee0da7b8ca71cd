"""Selector: score vendors in a tender against weighted criteria, rank them, report the decision.

`create_app(config=None)` builds the web application on the settings of `selector.config`
(defaults, then `instance/config.py`, then the environment, then the overrides a test passes
in). There is no module-level app.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from selector.paths import PROJECT_ROOT, STATIC_DIR, TEMPLATES_DIR

__all__ = ["PROJECT_ROOT", "create_app"]


def create_app(config: dict[str, Any] | None = None) -> Any:
    """Build the Flask application. `config` overrides everything else (tests use it)."""
    # Flask, SQLAlchemy and the web app load only here: every `selector` command, `selector
    # score` too, imports this package first.
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from selector import queue
    from selector.config import instance_path, load_config
    from selector.store import db
    from selector.web import register, throttle
    from selector.web.downloads import bp as downloads  # the PDF report and the export
    from selector.web.downloads import status_bp

    app = Flask(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
    )
    app.config.update(load_config(app.instance_path, config))
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    db.init_app(app)
    queue.init_app(app)
    register(app)
    app.register_blueprint(downloads)
    app.register_blueprint(status_bp)
    throttle.init_app(app)  # once every blueprint is there: it limits the login and downloads
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # the client's address and scheme come from the proxy's X-Forwarded-* headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _instance_secret_key(instance_path: str) -> str:
    """A random key made once and kept in `instance/secret_key`, so sessions survive restarts."""
    os.makedirs(instance_path, exist_ok=True)
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    # secrets (random, base64, hmac): only when a key is made, not on every `selector` command
    import secrets

    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
