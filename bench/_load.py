"""Load against the deployed web command: wrk (Debian's `wrk`, a separate process) with
bench/wrk/api.lua, and a sampler of the database connections the server holds.

`deployed_bench_server()` bootstraps the warehouse bench data (bench/_wms_data.py), gives the
bench user an API token and starts docker-compose.yml's web command on that database.
"""

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import _server
import _wms_data

LUA = Path(__file__).resolve().parent / "wrk" / "api.lua"


def bench_token(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def deployed_bench_server(*, web_concurrency: int, web_threads: int) -> _server.DeployedServer:
    env = {
        "DATABASE_URL": _wms_data.BENCH_DB_URL,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEB_CONCURRENCY": str(web_concurrency),
        "WEB_THREADS": str(web_threads),
    }
    return _server.DeployedServer(env=env, static_root=_server.ROOT / "var" / "bench-static")


def wrk(
    url: str,
    *,
    mode: str,
    token: str,
    connections: int,
    seconds: float,
    threads: int = 2,
    script: Path = LUA,
    env: dict | None = None,
) -> dict:
    """Run wrk for `seconds` with `connections` open connections; returns its JSON summary plus
    rps, latency percentiles in ms and the number of 5xx answers. `script` is the wrk script
    (bench/wrk/api.lua by default) and `env` more of its environment."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    env = {**os.environ, "WRK_MODE": mode, "WRK_TOKEN": token, **(env or {})}
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 120, check=True)
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    statuses = {int(k): v for k, v in summary["statuses"].items()}
    duration = summary["duration_us"] / 1e6
    return {
        "requests": summary["requests"],
        "rps": round(summary["requests"] / duration, 1),
        "p50_ms": round(summary["p50_us"] / 1000, 1),
        "p95_ms": round(summary["p95_us"] / 1000, 1),
        "p99_ms": round(summary["p99_us"] / 1000, 1),
        "statuses": statuses,
        "5xx": sum(n for status, n in statuses.items() if status >= 500),
        "socket_errors": summary["errors"],
    }


class ConnectionSampler:
    """Counts, every `interval` seconds, the backends connected to the bench database (from
    pg_stat_activity, through a connection to another database so it does not count itself)."""

    def __init__(self, database_url: str, interval: float = 0.1):
        import psycopg2

        parts = urlparse(database_url)
        self.dbname = parts.path.lstrip("/")
        self.conn = psycopg2.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
        )
        self.conn.autocommit = True
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def count(self) -> int:
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.dbname])
            return cursor.fetchone()[0]

    def _run(self):
        while not self._stop.is_set():
            self.samples.append(self.count())
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> int:
        return max(self.samples, default=0)


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_cpu_seconds(server: _server.DeployedServer, sampler: ConnectionSampler) -> float:
    """CPU time used so far by the web server's processes and by the PostgreSQL backends serving
    the bench database: the work a request costs, whatever else the machine is running."""
    group = os.getpgid(server.process.pid)
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == group:
                    pids.append(int(entry.name))
            except ProcessLookupError:
                continue
    with sampler.conn.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [sampler.dbname])
        pids += [row[0] for row in cursor.fetchall()]
    return sum(_process_cpu_seconds(pid) for pid in pids)


def load_arguments(description: str):
    """The options every load benchmark of the deployed server takes, parsed."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=8)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    return parser.parse_args()
