"""Simplified Chinese formats: Django's, with thousands grouped by three (as plants' reports
write them) and ISO dates first, which HTML date inputs require."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DATE_INPUT_FORMATS = ["%Y-%m-%d", *[f for f in DATE_INPUT_FORMATS if f != "%Y-%m-%d"]]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    *[f for f in DATETIME_INPUT_FORMATS if f not in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")],
]
