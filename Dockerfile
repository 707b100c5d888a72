# The application image: web (gunicorn), live (daphne), worker, beat and ingest all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    VAR_DIR=/app/var

# gettext compiles the translation catalogues; nothing else is needed at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group factory

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files and translations are built into the image. The settings need a key and a database
# URL to load; these throwaway values are used for this step only and never reach the container.
RUN SECRET_KEY=build-only-not-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 VAR_DIR=/tmp/build-var ENV_FILE= \
       python manage.py collectstatic --noinput --verbosity 0 \
    && if [ -d locale ]; then SECRET_KEY=build-only-not-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       VAR_DIR=/tmp/build-var ENV_FILE= python manage.py compilemessages --verbosity 0; fi \
    && rm -rf /tmp/build.sqlite3 /tmp/build-var \
    && mkdir -p /app/var /app/media && chown -R factory:factory /app/var /app/media

USER factory
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].lstrip('.') or 'localhost'; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
