"""Settings of the daphne server the live-push journeys start: the test settings, with static
files served from the finders (the suite never collects them)."""

from config.test_settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
