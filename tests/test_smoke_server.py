"""The real server on the embedded default: daphne answers health and login, as after `make run`."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _assert_serves_like_production(base: str) -> None:
    """`make run` serves like production: hashed static files, compressed and cached for a
    year, and the styled 404 page instead of Django's debug page."""
    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:
        page = response.read().decode()
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    assert css, "the login page links the hashed stylesheet"
    request = urllib.request.Request(base + css.group(1), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in response.headers["Cache-Control"]
    try:
        urllib.request.urlopen(f"{base}/no/such/page/", timeout=5)
    except urllib.error.HTTPError as error:
        assert error.code == 404
        assert "error-card" in error.read().decode()
    else:
        raise AssertionError("an unknown page answered 200")


@pytest.fixture
def embedded_env(tmp_path):
    """A clean environment with no DATABASE_URL/REDIS_URL: SQLite under a private var/."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ENV_FILE": "",
        "VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def test_daphne_serves_health_and_login_on_the_embedded_default(embedded_env):
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=embedded_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=embedded_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collect.returncode == 0, collect.stderr
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        assert server.poll() is None, server.stdout.read()
        assert status == 200
        assert _get(f"{base}/accounts/login/") == 200
        assert _get(f"{base}/readyz") == 200
        _assert_serves_like_production(base)
    finally:
        server.terminate()
        server.wait(timeout=20)
