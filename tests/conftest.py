"""Fixtures shared by the whole suite. Tests run against the real PostgreSQL and Redis."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from rest_framework.test import APIClient

SHARED_BENCHMARKS = Path(
    os.environ.get("SHARED_BENCHMARKS", Path(__file__).resolve().parents[2] / "shared" / "benchmarks")
)


@pytest.fixture
def benchmarks_dir():
    """The reference data in ../shared/benchmarks, read where it lies (never copied here)."""
    if not SHARED_BENCHMARKS.is_dir():
        pytest.skip(f"reference data not found at {SHARED_BENCHMARKS} (set SHARED_BENCHMARKS)")
    return SHARED_BENCHMARKS


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` or use `api_as`."""
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def web_as(client):
    def make(user):
        client.force_login(user)
        return client

    return make


# --- Outside deliveries: a real webhook receiver and a real Celery worker ---------------------


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 in a thread that records what webhooks send it.

    `answers` is a list of status codes to reply with, in order (then 200 for ever); `delay`
    holds each answer back that many seconds, to make concurrent deliveries overlap.
    """

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict] = []
        self.answers: list[int] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                import time

                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._arrived:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver._arrived.notify_all()
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Block until `count` requests arrived (or the timeout); returns all received."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def reset_broker_pools(app) -> None:
    """Forget the app's pooled broker connections, so the next publish connects to `broker_url`
    afresh (a stopped worker closes the pool it shared, and a test may switch brokers)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def running_celery_worker(app=None):
    """A real Celery worker (solo pool, in a thread of this process) on the app's broker.

    Tasks are sent through the broker instead of running eagerly while it runs, and the worker
    executes them against the test database, so the test must use `transactional_db`.
    """
    import threading

    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from config.celery import app as default_app

    app = app or default_app
    test_thread = threading.get_ident()

    def close_worker_connections(**kwargs):
        # The worker thread's own database connections; left open they would keep the test
        # database busy after the test.
        if threading.get_ident() != test_thread:
            connections.close_all()

    was_eager, was_hijacking = app.conf.task_always_eager, app.conf.worker_hijack_root_logger
    app.conf.task_always_eager = False
    app.conf.worker_hijack_root_logger = False  # keep pytest's log capture and our LOGGING
    task_postrun.connect(close_worker_connections, weak=False)
    reset_broker_pools(app)
    try:
        app.control.purge()
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=15
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_worker_connections)
        reset_broker_pools(app)
        app.conf.task_always_eager, app.conf.worker_hijack_root_logger = was_eager, was_hijacking


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker on the Redis broker (REDIS_URL), executing against the test database."""
    with running_celery_worker() as worker:
        yield worker


def pytest_collection_modifyitems(items):
    """`@pytest.mark.celery_worker` and the `celery_worker` fixture go together: a marked test
    gets the worker (on a transactional database), and a test using the worker gets the marker,
    so `-m "not celery_worker"` leaves out every test that needs Redis and a worker.

    Tests marked `long` go first: under pytest-xdist a worker starts on them while the other
    workers share out the rest, instead of everyone waiting for them at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        if item.get_closest_marker("celery_worker") and "celery_worker" not in names:
            names.extend(name for name in ("transactional_db", "celery_worker") if name not in names)
        elif "celery_worker" in names and not item.get_closest_marker("celery_worker"):
            item.add_marker(pytest.mark.celery_worker)


@pytest.fixture(autouse=True)
def _fresh_webhook_cache():
    """Webhooks are cached per process; a test database emptied by a transactional test's
    flush (which sends no delete signals) must not leave the next test with webhooks that are gone."""
    from core.events import _forget_cached_webhooks

    _forget_cached_webhooks()
    yield
    _forget_cached_webhooks()
