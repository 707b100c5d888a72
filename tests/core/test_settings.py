"""Settings read from the environment: the embedded default, production checks, failing early."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args, *, env, tmp_path):
    """Run a Python process in the project with exactly `env` (no .env file, a private var/)."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ENV_FILE": "",
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "secure_cookies": settings.SESSION_COOKIE_SECURE,
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "periodic": {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()},
}))
"""


def test_embedded_default_needs_no_services(tmp_path):
    result = _run(["-c", PRINT_SETTINGS], env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"].startswith(str(tmp_path / "var"))
    assert found["channels"] == "channels.layers.InMemoryChannelLayer"
    assert found["eager"] is True
    assert found["broker"].startswith("memory://")
    assert "core.tasks.drain_outbox" in found["periodic"].values()
    assert (tmp_path / "var" / "secret_key").read_text().strip()
    # It serves like production: no debug pages, hashed and compressed static files, but plain
    # HTTP on this machine (no TLS redirect, cookies usable over http://127.0.0.1).
    assert found["debug"] is False
    assert found["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert found["ssl_redirect"] is False
    assert found["secure_cookies"] is False


def test_debug_is_on_only_when_asked_for(tmp_path):
    result = _run(["-c", PRINT_SETTINGS], env={"DEBUG": "true"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["debug"] is True


def test_redis_url_switches_to_redis_and_a_real_broker(tmp_path):
    env = {"REDIS_URL": "redis://127.0.0.1:6379/9"}
    result = _run(["-c", PRINT_SETTINGS], env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["channels"] == "channels_redis.core.RedisChannelLayer"
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/9"


def test_database_url_without_secret_key_fails_at_start(tmp_path):
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/factory_unused"}
    result = _run(["-c", "import django; django.setup()"], env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/factory_unused",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "factory.example.com",
        "DEBUG": "false",
    }
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_weak_production_secret_key_is_reported(tmp_path):
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/factory_unused",
        "SECRET_KEY": "short",
        "ALLOWED_HOSTS": "factory.example.com",
        "DEBUG": "false",
    }
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
