"""The deployed web command, run on this machine: docker-compose.yml's `web` service command,
with the virtualenv's executables, on a free port of 127.0.0.1.

    with DeployedServer(env={"DATABASE_URL": ...}) as server:
        urllib.request.urlopen(server.url + "/healthz")
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def compose_command(service: str = "web") -> list[str]:
    """The service's command from docker-compose.yml, its program taken from the virtualenv."""
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = list(spec["services"][service]["command"])
    program = BIN / command[0]
    return [str(program) if program.exists() else command[0], *command[1:]]


def free_port() -> int:
    """A free port of 127.0.0.1, or BENCH_PORT when set (a machine whose ports are shared out)."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def collected_static(path: Path) -> Path:
    """Static files collected once into `path` (production settings need their manifest)."""
    if not (path / "staticfiles.json").exists():
        env = {**os.environ, "ENV_FILE": "", "SECRET_KEY": "collect", "STATIC_ROOT": str(path)}
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
    return path


class DeployedServer:
    """Start the web command with production settings (DEBUG off, no .env file) plus `env`;
    wait until /healthz answers; stop the whole process group on exit."""

    def __init__(self, *, env: dict, static_root: Path, service: str = "web"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = compose_command(service)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(ROOT)),
            "ENV_FILE": "",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "deployed-server-check-not-secret",
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": str(collected_static(static_root)),
            "WEB_BIND": f"127.0.0.1:{self.port}",
            **env,
        }
        self.process = None
        # The server's log goes to a file: an unread pipe fills up and blocks every thread that logs.
        self.log = tempfile.NamedTemporaryFile(prefix="deployed-server-", suffix=".log")  # noqa: SIM115

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def __enter__(self):
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{' '.join(self.command)} exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"{' '.join(self.command)} did not answer /healthz within 60 s")

    def __exit__(self, *exc_info):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
