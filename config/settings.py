"""Settings, read from the environment (see .env.example).

With no DATABASE_URL the system runs on its embedded default: a SQLite file, an in-memory
channel layer and background tasks run in-process. Set DATABASE_URL, REDIS_URL and MQTT_URL to
run on PostgreSQL, Redis and Mosquitto. When DATABASE_URL is set the deployment is taken to be a
real one: SECRET_KEY must then be given and DEBUG defaults to off.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
# Variables already in the environment win over the file; ENV_FILE="" reads no file at all.
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

EMBEDDED = not env("DATABASE_URL", default="")
# Off unless asked for, on the embedded default too: `make run` is how plants try the system, so
# it serves like production (hashed, compressed static files and the styled error pages).
DEBUG = env.bool("DEBUG", default=False)
# The embedded default answers plain HTTP on this machine; a real deployment sits behind TLS.
_BEHIND_TLS = not DEBUG and not EMBEDDED


def _embedded_secret_key() -> str:
    """A per-installation key kept under var/, so an embedded install needs no configuration."""
    from django.core.management.utils import get_random_secret_key

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    SECRET_KEY = _embedded_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    "channels",
    "core",
    "wms",
    "mes",
    "qms",
    "scheduling",
    "erp",
]

MIDDLEWARE = [
    "core.security.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.security.RequestEdgeMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.SiteTimezoneMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "core.lockout.SignatureFailureMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

# Database
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer fails the request in seconds (503), not after the TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
# The web server (gunicorn, config/gunicorn.py): processes, and threads per process. A thread
# keeps at most one database connection, so one web process holds at most WEB_THREADS of them and
# the web service WEB_CONCURRENCY x WEB_THREADS, whatever the number of clients.
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=2)
WEB_THREADS = env.int("WEB_THREADS", default=8)
# Where pages open the live-update websocket (daphne, the `live` service). Empty: `/ws/live/` on
# the page's own host, for a proxy that sends `/ws/` to `live`.
LIVE_SOCKET_URL = env("LIVE_SOCKET_URL", default="")
# Shop-floor screens sign a shared tablet out after this many idle seconds (0: never).
FLOOR_IDLE_SIGNOUT_SECONDS = env.int("FLOOR_IDLE_SIGNOUT_SECONDS", default=300)
# Seconds a client is told to wait (Retry-After) when the database refuses or is down.
DATABASE_UNAVAILABLE_RETRY_AFTER = env.int("DATABASE_UNAVAILABLE_RETRY_AFTER", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: channel layer, cache and Celery broker. Without it everything stays in-process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # The socket timeout must outlast the layer's 5 s blocking pop: redis-py's default
            # of 5 s made an idle websocket's receive fail after 5 quiet seconds.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must never hang on a broker that is down: publishing fails fast and the periodic
# outbox sweep sends what could not be enqueued.
CELERY_TASK_PUBLISH_RETRY = False
# max_retries 0: a publisher whose broker connection is gone raises at once (kombu would
# otherwise retry it for seconds); the worker reconnects under its own broker_connection_* policy.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 0}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# The periodic jobs, declared once: Celery beat reads this when Redis is configured, and
# `manage.py run_periodic` runs the same entries in-process on the embedded default.
# Schedules are seconds (or a timedelta / celery crontab); tasks are named by dotted path.
CELERY_BEAT_SCHEDULE = {
    "core.drain_outbox": {"task": "core.tasks.drain_outbox", "schedule": env.float("OUTBOX_SWEEP_SECONDS", 30.0)},
    "core.escalate_approvals": {"task": "core.tasks.escalate_approvals", "schedule": 5 * 60.0},
    "core.purge_outbox": {"task": "core.tasks.purge_outbox", "schedule": 24 * 3600.0, "kwargs": {"days": 14}},
    "wms.evaluate_inventory_alerts": {"task": "wms.tasks.evaluate_inventory_alerts", "schedule": 15 * 60.0},
    "wms.generate_count_tasks": {"task": "wms.tasks.generate_count_tasks", "schedule": 24 * 3600.0},
    "mes.sweep_alerts": {"task": "mes.tasks.sweep_alerts", "schedule": env.float("ALERT_SWEEP_SECONDS", 15.0)},
    "qms.open_timed_inspections": {"task": "qms.tasks.open_timed_inspections", "schedule": 60.0},
}
# Machine alerts: minutes an alert may stay unacknowledged before the supervisors are told (a
# rule may say otherwise), how each severity is announced beyond the live pages, and how long a
# process keeps the active rules cached.
ALERT_ESCALATE_MINUTES = env.int("ALERT_ESCALATE_MINUTES", default=15)
ALERT_SEVERITY_CHANNELS = {
    "info": ["live"],
    "warning": ["live", "webhook"],
    "critical": ["live", "webhook", "email"],
}
ALERT_RULE_CACHE_SECONDS = env.float("ALERT_RULE_CACHE_SECONDS", 5.0)

MQTT_URL = env("MQTT_URL", default="")

# Auth
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.backends.UsernameOrBadgeBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
# Locked per account (whatever identifier named it: user name or badge, see core.lockout) and,
# separately, per client address (behind TRUSTED_PROXIES only, core.security).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "core.lockout.account_username"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_RESET_ON_SUCCESS = True
# Every failure (sign-in or signature) is kept in the access failure log for the audit.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# I18n, time
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", default="UTC")

# Static files: everything, vendored libraries included, is served from here. No CDN.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded files (work instructions) in the default storage; served through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Hashed names never change content, so WhiteNoise lets browsers keep them for ever; the rest
# (favicons, the service worker) are revalidated after a minute.
WHITENOISE_MAX_AGE = 0 if DEBUG else 60

# E-mail
vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="factory@localhost")
# Where people reach the system: the start of deep links in e-mails.
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermissions"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_THROTTLE", default="60/minute"),
        "login": env("API_LOGIN_THROTTLE", default="10/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Smart Factory API",
    "DESCRIPTION": "MES, WMS, QMS, scheduling and ERP. Codes, not database ids, reference records.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several resources have a `status` with its own choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "LotStatusEnum": "wms.models.lots.LotStatus",
        "CountStatusEnum": "wms.models.counting.CountStatus",
        "PickListStatusEnum": "wms.models.picking.PickListStatus",
        "PickLineStatusEnum": "wms.models.picking.PickLineStatus",
        "ReceiptStatusEnum": "wms.models.inbound.ReceiptStatus",
        "OutboxStatusEnum": "core.models.events.OutboxMessage.Status",
        "WorkOrderStatusEnum": "mes.models.work_orders.WorkOrderStatus",
        "OperationStatusEnum": "mes.models.work_orders.OperationStatus",
        "DefinitionStatusEnum": "mes.models.definitions.DefinitionStatus",
        "EquipmentStateEnum": "mes.models.plant.EquipmentState",
        "QualityHoldStatusEnum": "qms.models.holds.HoldStatus",
        "InspectionStatusEnum": "qms.models.inspections.InspectionStatus",
        "ScheduleVersionStatusEnum": "scheduling.models.VersionStatus",
        "ImportStatusEnum": "core.models.imports.ImportStatus",
    },
}

# Security (check --deploy is clean when DEBUG is off)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_BEHIND_TLS)
# Probes and scrapers talk plain HTTP to the container from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_BEHIND_TLS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_BEHIND_TLS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _BEHIND_TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_BEHIND_TLS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=_BEHIND_TLS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Outbox and webhooks
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# /metrics answers these addresses without login (Prometheus scrapers); admins always.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])

# --- Security edge (core/security.py, docs/security.md) ---------------------------------------
# Addresses or networks of the reverse proxies in front of the web service. Only a request whose
# direct peer is one of them may name the client in X-Forwarded-For. None by default.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# JSON nested deeper than this is refused with 400.
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
# Lines one document (expected receipt, pick list) may carry through the API.
MAX_DOCUMENT_LINES = env.int("MAX_DOCUMENT_LINES", default=1000)
# Content-Security-Policy (django-csp): scripts only from our static files, no inline script.
# Inline styles stay allowed: plotly.js sets them while drawing, and label pages size @page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client": {"()": "core.security.ClientAddressFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(client)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Scheduling: CP-SAT search workers per run (a run is one Celery task; keep it at or under the
# worker's cores).
SCHEDULING_WORKERS = env.int("SCHEDULING_WORKERS", default=2)

# Machine data (mes.ingest, docs/machine-data.md). Raw telemetry lives in daily partitions kept
# TELEMETRY_RETENTION_DAYS; the one-minute aggregates are kept TELEMETRY_AGGREGATE_RETENTION_DAYS.
TELEMETRY_RETENTION_DAYS = env.int("TELEMETRY_RETENTION_DAYS", default=30)
TELEMETRY_AGGREGATE_RETENTION_DAYS = env.int("TELEMETRY_AGGREGATE_RETENTION_DAYS", default=400)
TELEMETRY_PARTITIONS_AHEAD = env.int("TELEMETRY_PARTITIONS_AHEAD", default=3)
# The MQTT client id of this ingest process (fixed, so its persistent session survives restarts);
# empty: "mes-ingest-<hostname>".
MQTT_CLIENT_ID = env("MQTT_CLIENT_ID", default="")
# The client certificate and private key (PEM or DER files) `ingest_opcua` presents to OPC UA
# servers that require signing or encryption; endpoints with security mode None need neither.
OPCUA_CLIENT_CERTIFICATE = env("OPCUA_CLIENT_CERTIFICATE", default="")
OPCUA_CLIENT_PRIVATE_KEY = env("OPCUA_CLIENT_PRIVATE_KEY", default="")
CELERY_BEAT_SCHEDULE["mes.maintain_telemetry_store"] = {
    "task": "mes.tasks.maintain_telemetry_store",
    "schedule": env.float("TELEMETRY_MAINTENANCE_SECONDS", 3600.0),
}

# Files attached to comments: kept in the default storage (MEDIA_ROOT on disk) and served only
# through a permission-checked view, never as public media URLs.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
COMMENT_MAX_UPLOAD_BYTES = env.int("COMMENT_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
