"""/healthz (the process answers), /readyz (its dependencies answer) and /metrics."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.metrics import render_metrics
from core.security import client_ip


@never_cache
@require_GET
def healthz(request):
    """The process answers: for liveness probes. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return str(exc)
    return None


def _check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


def _check_broker() -> str | None:
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory://"):
        return None
    from kombu import Connection
    from kombu.exceptions import KombuError

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except (OSError, KombuError) as exc:
        return str(exc)
    return None


@never_cache
@require_GET
def readyz(request):
    """Database, Redis and the Celery broker answer: 503 naming whichever does not.

    Only administrators read why (the error names hosts and ports); others read "down".
    """
    checks = {"database": _check_database(), "redis": _check_redis(), "broker": _check_broker()}
    detailed = _is_admin(request)
    body = {
        name: "ok" if error is None else (f"down: {error}" if detailed else "down") for name, error in checks.items()
    }
    ready = all(error is None for error in checks.values())
    body["status"] = "ok" if ready else "unavailable"
    return JsonResponse(body, status=200 if ready else 503)


def _is_admin(request) -> bool:
    user = getattr(request, "user", None)
    try:
        return user is not None and user.is_authenticated and user.has_role("admin")
    except DatabaseError:  # the session or the user cannot be read while the database is down
        return False


@never_cache
@require_GET
def metrics(request):
    """Prometheus text. Admins, and the scrapers' addresses in METRICS_ALLOWED_IPS."""
    user = request.user
    allowed = client_ip(request) in settings.METRICS_ALLOWED_IPS or (user.is_authenticated and user.has_role("admin"))
    if not allowed:
        return JsonResponse({"detail": "Forbidden."}, status=403)
    body, content_type = render_metrics()
    return HttpResponse(body, content_type=content_type)
