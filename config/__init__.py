import os

# The Celery app is loaded with Django, so `@shared_task` tasks and `.delay()` use it (and its
# broker). The command-line engines (`config.cli_settings`: `spc_analyze`, `jssp_solve`) queue
# nothing, and skip its import time.
if os.environ.get("DJANGO_SETTINGS_MODULE") != "config.cli_settings":
    from .celery import app as celery_app

    __all__ = ("celery_app",)
