"""Reports rendered by the task queue (Huey), off the request path, and served from the cache.

The web tests' app renders at once (`QUEUE_URL = "immediate"`); here the queue is also
Huey's SQLite storage, worked by the consumer thread `selector serve` runs, and Redis (a
private redis-server started for the test).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from selector.queue import get_queue, make_huey
from tests.reports.conftest import pdf_pages
from tests.reports.web.test_downloads import client_as


def _wait_ready(client: Any, tender_id: int, kind: str = "report", lang: str = "en",
                seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        status: dict[str, Any] = client.get(
            f"/tenders/{tender_id}/{kind}/status?lang={lang}").get_json()
        if status["state"] != "rendering" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_a_cached_download_is_served_without_rendering(
    app: Any, make_tender: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = make_tender(state="closed")
    chair = client_as(app, "chair")
    first = chair.get(f"/tenders/{setup.id}/report.pdf?lang=en")
    assert first.status_code == 200 and first.data[:5] == b"%PDF-"
    cached = sorted(p.name for p in get_queue(app).cache.directory.iterdir())
    assert len(cached) == 1 and cached[0].startswith("report-en-")

    def no_rendering(*_args: Any, **_kwargs: Any) -> bytes:
        raise AssertionError("a cached report was rendered again")

    monkeypatch.setattr("selector.reports.pdf.html_to_pdf", no_rendering)
    monkeypatch.setattr("selector.services.rendering.render_document", no_rendering)
    started = time.perf_counter()
    again = chair.get(f"/tenders/{setup.id}/report.pdf?lang=en")
    elapsed = time.perf_counter() - started
    assert again.status_code == 200 and again.data == first.data
    assert elapsed < 1.0, f"a cached download took {elapsed:.3f} s"


def test_a_login_in_between_does_not_make_the_cached_report_stale(
    app: Any, make_tender: Any
) -> None:
    setup = make_tender(state="closed")
    first = client_as(app, "chair").get(f"/tenders/{setup.id}/report.pdf?lang=en")
    assert first.status_code == 200
    again = client_as(app, "chair").get(f"/tenders/{setup.id}/report.pdf?lang=en")  # logs in
    assert again.data == first.data
    assert len(list(get_queue(app).cache.directory.glob("*.pdf"))) == 1


def test_what_the_report_prints_is_part_of_its_key(app: Any, make_tender: Any) -> None:
    from selector.services import lifecycle
    from selector.store.db import get_session
    from selector.store.models import User

    setup = make_tender(state="closed")
    chair = client_as(app, "chair")
    draft = " ".join(pdf_pages(chair.get(f"/tenders/{setup.id}/report.pdf?lang=en").data))
    assert "DRAFT" in draft
    with app.test_request_context():
        session = get_session()
        actor = session.query(User).filter_by(username="chair").one()
        lifecycle.transition(session, setup.id, "finalise", actor=actor)
    final = " ".join(pdf_pages(chair.get(f"/tenders/{setup.id}/report.pdf?lang=en").data))
    assert "DRAFT" not in final and "Final" in final


@pytest.fixture
def sqlite_queue(tmp_path: Path) -> dict[str, Any]:
    return {"QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
            "REPORT_CACHE_DIR": str(tmp_path / "reports")}


class TestSqliteQueue:
    @pytest.fixture
    def app_config(self, sqlite_queue: dict[str, Any]) -> dict[str, Any]:
        return sqlite_queue

    def test_the_download_queues_the_render_and_shows_progress_without_blocking(
        self, app: Any, make_tender: Any
    ) -> None:
        setup = make_tender(state="closed")
        chair = client_as(app, "chair")
        started = time.perf_counter()
        page = chair.get(f"/tenders/{setup.id}/report.pdf?lang=zh")
        assert time.perf_counter() - started < 5
        assert page.status_code == 202 and page.mimetype == "text/html"
        html = page.get_data(as_text=True)
        assert f'data-status-url="/tenders/{setup.id}/report/status?lang=zh"' in html
        assert 'src="/static/js/report-progress.js"' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
        assert "正在生成报告" in html or "Preparing the report" in html
        huey = get_queue(app).huey
        assert huey.pending_count() == 1
        assert chair.get(f"/tenders/{setup.id}/report.pdf?lang=zh").status_code == 202
        assert huey.pending_count() == 1  # asking again queues nothing more
        assert _wait_ready(chair, setup.id, lang="zh", seconds=0)["state"] == "rendering"

        consumer = get_queue(app).consumer()  # what `selector serve` runs beside requests
        consumer.start()
        try:
            assert _wait_ready(chair, setup.id, lang="zh")["state"] == "ready"
        finally:
            consumer.stop(graceful=True)
        response = chair.get(f"/tenders/{setup.id}/report.pdf?lang=zh")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "评审结论摘要" in " ".join(pdf_pages(response.data))

    def test_finalising_queues_the_report_in_both_languages(
        self, app: Any, make_tender: Any
    ) -> None:
        setup = make_tender(state="closed")
        chair = client_as(app, "chair")
        response = chair.post(f"/tenders/{setup.id}/finalise", data={"reason": ""})
        assert response.status_code == 302
        huey = get_queue(app).huey
        pending = sorted((t.args[1], t.args[2]) for t in huey.pending())
        assert ("en", "report") in pending and ("zh", "report") in pending
        while (task := huey.dequeue()) is not None:  # a worker's loop, one task at a time
            huey.execute(task)
        for lang in ("zh", "en"):
            assert _wait_ready(chair, setup.id, lang=lang, seconds=0)["state"] == "ready"
            pdf = chair.get(f"/tenders/{setup.id}/report.pdf?lang={lang}")
            assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"

    def test_a_single_letter_waits_for_the_queue_like_any_document(
        self, app: Any, make_tender: Any
    ) -> None:
        setup = make_tender(state="finalised")
        chair = client_as(app, "chair")
        page = chair.get(f"/tenders/{setup.id}/letters/1.pdf?lang=en")
        assert page.status_code == 202
        assert f'data-download-url="/tenders/{setup.id}/letters/1.pdf?lang=en"' in (
            page.get_data(as_text=True))
        huey = get_queue(app).huey
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
        letter = chair.get(f"/tenders/{setup.id}/letters/1.pdf?lang=en")
        assert letter.status_code == 200 and len(pdf_pages(letter.data)) == 1

    def test_a_font_failure_is_tried_again_once_the_font_is_there(
        self, app: Any, make_tender: Any
    ) -> None:
        from selector.scoring.model import Text
        from selector.services import rendering
        from selector.store.db import get_session

        setup = make_tender(state="closed")
        with app.app_context():
            job = rendering.job_for(get_session(), setup.id, "en", "report")
        reports = get_queue(app)
        reports.cache.fail(job.key, "font", Text(zh="缺字体", en="no font"))
        chair = client_as(app, "chair")
        assert _wait_ready(chair, setup.id, seconds=0)["state"] == "failed"
        page = chair.get(f"/tenders/{setup.id}/report.pdf?lang=en")
        assert page.status_code == 202  # this machine has the font: queued again
        assert reports.huey.pending_count() == 1

    def test_the_status_of_another_tender_is_not_yours_to_see(
        self, app: Any, make_tender: Any, make_user: Any
    ) -> None:
        setup = make_tender(state="closed")
        make_user("observer", "observer")
        response = client_as(app, "observer").get(f"/tenders/{setup.id}/report/status")
        assert response.status_code in (403, 404)


# --- Redis -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free port (Debian's redis-server, a test package)."""
    server = shutil.which("redis-server")
    assert server, "redis-server is needed for this test: apt-get install redis-server"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


class TestRedisQueue:
    @pytest.fixture
    def app_config(self, redis_url: str, tmp_path: Path) -> dict[str, Any]:
        return {"QUEUE_URL": redis_url, "REPORT_CACHE_DIR": str(tmp_path / "reports")}

    def test_reports_render_through_redis(self, app: Any, make_tender: Any) -> None:
        assert type(get_queue(app).huey).__name__ == "RedisHuey"
        setup = make_tender(state="closed")
        chair = client_as(app, "chair")
        assert chair.get(f"/tenders/{setup.id}/appendix.pdf?lang=en").status_code == 202
        consumer = get_queue(app).consumer()
        consumer.start()
        try:
            assert _wait_ready(chair, setup.id, kind="appendix")["state"] == "ready"
        finally:
            consumer.stop(graceful=True)
        response = chair.get(f"/tenders/{setup.id}/appendix.pdf?lang=en")
        assert response.status_code == 200
        assert "Appendix: evidence ledger" in " ".join(pdf_pages(response.data))


def test_the_queue_url_chooses_the_backend(tmp_path: Path) -> None:
    assert type(make_huey(None, tmp_path)).__name__ == "SqliteHuey"
    assert (tmp_path / "queue.sqlite3").exists()
    assert make_huey("immediate", tmp_path).immediate
    assert type(make_huey("redis://127.0.0.1:1/0", tmp_path)).__name__ == "RedisHuey"
    with pytest.raises(ValueError, match="SELECTOR_QUEUE_URL"):
        make_huey("amqp://somewhere", tmp_path)
