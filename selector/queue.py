"""The task queue that renders reports off the request path (Huey).

`SELECTOR_QUEUE_URL` (the app's `QUEUE_URL`) chooses the backend:
- unset: Huey's SQLite storage in `instance/queue.sqlite3` — nothing to install or run;
- `sqlite:///path/to/queue.db`: the same, in another file;
- `redis://host:port/db`: Redis, for several servers or a separate worker host;
- `immediate`: tasks run at once in the caller (tests, or a one-process setup).

Who works the queue: `selector serve` starts a consumer in its own process (threads);
under gunicorn run `selector worker` beside it. The consumer also runs the periodic task
`selector.remind` every hour (the automatic reminders before a due date, sent once each:
`selector.services.reminders.send_due_reminders`); `selector remind` runs it by hand or
from cron. A download whose document is in the report
cache (`selector.reports.cache`) is served from there without rendering.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from selector.mail import base_url_of, mailer_from_config, today_of
from selector.reports.cache import ReportCache
from selector.services import reminders, rendering
from selector.services.rendering import RenderJob
from selector.store.db import Database

EXTENSION_KEY = "selector.queue"
log = logging.getLogger(__name__)


def make_huey(url: str | None, instance_path: str | Path) -> Huey:
    """The Huey instance for `url` (see the module's docstring)."""
    url = (url or "").strip()
    if url == "immediate":
        return MemoryHuey("selector", immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("selector", url=url)
    if url.startswith("sqlite:///"):
        filename = url[len("sqlite:///"):]
    elif not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        filename = str(Path(instance_path) / "queue.sqlite3")
    else:
        raise ValueError(f"SELECTOR_QUEUE_URL: use redis://…, sqlite:///… or immediate, "
                         f"not {url!r}")
    return SqliteHuey("selector", filename=filename)


@dataclass(frozen=True)
class Status:
    """Where a document stands: "ready", "rendering" or "failed" (with why, zh and en)."""

    state: str
    reason: str = ""
    message: Any = None


class ReportQueue:
    """The app's queue of renders: submit a job, ask its status, read the cache.

    The Huey instance is made on first use, so an app that never renders (a command that
    only reads the database) creates no queue file."""

    def __init__(self, url: str | None, instance_path: str | Path, cache: ReportCache,
                 database: Database, settings: Any = None) -> None:
        self.url = url
        self.settings = settings if settings is not None else {}
        self.instance_path = instance_path
        self.cache = cache
        self.database = database
        self._huey: Huey | None = None
        self._render: Any = None

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            huey = make_huey(self.url, self.instance_path)
            cache, database = self.cache, self.database

            @huey.task(name="selector.render")
            def render(tender_id: int, lang: str, kind: str, key: str) -> str:
                with database.session() as session:
                    return rendering.render(session, cache, tender_id, lang, kind, key)

            @huey.periodic_task(crontab(minute="5"), name="selector.remind")
            def remind() -> int:
                return self.remind()

            self._huey, self._render = huey, render
        return self._huey

    @property
    def immediate(self) -> bool:
        return (self.url or "").strip() == "immediate"

    def submit(self, job: RenderJob) -> None:
        """Queue `job` unless its document is cached, failed, or already on its way."""
        if self.cache.get(job.key) is not None or self.cache.failure(job.key) is not None:
            return
        if not self.cache.claim(job.key):
            return
        try:
            self.huey  # noqa: B018  (made, with its task, on first use)
            self._render(job.tender_id, job.lang, job.kind, job.key)
        except Exception:
            if self.cache.get(job.key) is None and self.cache.failure(job.key) is None:
                self.cache.release(job.key)
            if not self.immediate:
                raise
            log.exception("rendering %s failed", job.key)  # recorded as a failure

    def status(self, job: RenderJob) -> Status:
        if self.cache.path(job.key).exists():
            return Status("ready")
        failure = self.cache.failure(job.key)
        if failure is not None:
            return Status("failed", failure[0], failure[1])
        return Status("rendering")

    def remind(self) -> int:
        """Record and send today's automatic reminders (each once); the number recorded."""
        with self.database.session() as session:
            return reminders.send_due_reminders(
                session,
                mailer=mailer_from_config(self.settings),
                base_url=base_url_of(self.settings),
                today=today_of(self.settings),
            )

    def consumer(self, workers: int = 1) -> Consumer:
        """A consumer of this queue running `workers` threads (call `.start()`, `.stop()`),
        and the hourly reminders."""
        return self.huey.create_consumer(workers=workers, worker_type="thread",
                                         periodic=True, check_worker_health=False)


def init_app(app: Any) -> ReportQueue:
    """The app's ReportQueue, from `QUEUE_URL` and `REPORT_CACHE_DIR` (default: instance/)."""
    directory = app.config.get("REPORT_CACHE_DIR") or str(Path(app.instance_path) / "reports")
    queue = ReportQueue(app.config.get("QUEUE_URL"), app.instance_path, ReportCache(directory),
                        app.extensions["selector.db"], app.config)
    app.extensions[EXTENSION_KEY] = queue
    return queue


def get_queue(app: Any) -> ReportQueue:
    queue: ReportQueue = app.extensions[EXTENSION_KEY]
    return queue
