"""Settings for the test suite: the real PostgreSQL and Redis on this machine, unless overridden."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# Tasks run in-process unless a test starts a real worker (tests/conftest.py: celery_worker).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")


def _redis_url_of_this_worker() -> None:
    """Under pytest-xdist every worker gets a Redis database of its own (cache, channel layer and
    Celery broker), as pytest-django gives it a test database of its own: worker gwN uses the
    Nth entry of TEST_REDIS_DBS (comma-separated numbers) or, without it, REDIS_URL's database
    plus N. The result goes back into REDIS_URL, so servers a test starts as subprocesses (which
    inherit the environment and these settings) use the same database; TEST_REDIS_WORKER marks
    it done."""
    from urllib.parse import urlparse, urlunparse

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or os.environ.get("TEST_REDIS_WORKER") == worker:
        return
    index = int(worker[2:])
    parts = urlparse(os.environ["REDIS_URL"])
    chosen = [int(db) for db in os.environ.get("TEST_REDIS_DBS", "").split(",") if db.strip()]
    if chosen:
        if index >= len(chosen):
            raise RuntimeError(f"TEST_REDIS_DBS names {len(chosen)} Redis databases, too few for worker {worker}")
        db = chosen[index]
    else:
        db = int(parts.path.strip("/") or 0) + index
    os.environ["REDIS_URL"] = urlunparse(parts._replace(path=f"/{db}"))
    os.environ["TEST_REDIS_WORKER"] = worker


_redis_url_of_this_worker()

from config.settings import *  # noqa: E402, F403

# Hashing with argon2 makes every login in a test take 50 ms; the hasher is not what is tested.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = os.environ.get("AXES_ENABLED", "false").lower() == "true"
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# WhiteNoise scans STATIC_ROOT at start; tests serve static files through the finders instead.
STATIC_ROOT = VAR_DIR / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Durability is not under test: a commit need not wait for the WAL to reach the disk (the
# transactional tests commit and flush a lot). Servers the tests start use their own settings.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
