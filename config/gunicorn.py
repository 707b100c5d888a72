"""gunicorn settings for the `web` service: plain HTTP through Django's WSGI handler.

Each process runs WEB_THREADS threads and each thread keeps at most one database connection
(CONN_MAX_AGE), so a web process never holds more than WEB_THREADS connections whatever the
number of clients: the others wait in the listen queue. Websockets are served by daphne in the
`live` service (docs/deployment.md explains the layout).

    gunicorn -c config/gunicorn.py config.wsgi
"""

import os

from config.settings import WEB_CONCURRENCY, WEB_THREADS

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = WEB_CONCURRENCY
threads = WEB_THREADS
# A request that runs longer than this is killed and logged; the client gets a closed connection.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# X-Forwarded-Proto is believed only from the proxies named in TRUSTED_PROXIES, the same list the
# application uses for X-Forwarded-For (core/security.py); none by default.
forwarded_allow_ips = ",".join(
    addr.strip() for addr in os.environ.get("TRUSTED_PROXIES", "").split(",") if addr.strip()
)
# Only the master loads the application: workers fork from it with the code already imported.
preload_app = True
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# No control socket: the container (or `make run`) manages the process by its signals.
control_socket_disable = True


def post_fork(server, worker):
    """A forked worker must not share the master's database connections."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.inc_thread_sharing()
        conn.close()
        conn.dec_thread_sharing()
