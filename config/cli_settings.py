"""Settings for the command-line engines, `spc_analyze` and `jssp_solve`.

They read a file, compute and print; they use no database, no cache and no app's models. So
`manage.py` starts them with these settings, which load no apps: the same languages, catalogue
and time zone as the application, nothing more. They answer in a fraction of the time the whole
project takes to load (about 1.5 s on 2 cores), which matters when a script calls them per file.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

INSTALLED_APPS: list[str] = []
LANGUAGE_CODE = os.environ.get("CLI_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("zh-hans", "Simplified Chinese")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
