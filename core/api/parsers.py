"""The API's JSON parser: the standard one, plus two refusals at the edge (400, never a 500
further in): JSON nested deeper than `API_MAX_JSON_DEPTH`, and text with lone surrogates
(`"\\ud800"`), which is not Unicode and could be neither stored nor echoed in an error."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        check_json(data, max_depth=settings.API_MAX_JSON_DEPTH)
        return data


def check_json(data, *, max_depth: int) -> None:
    """Raise ParseError when `data` nests deeper than `max_depth` or holds a lone surrogate.

    Walks iteratively, so the check itself cannot overflow the stack.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise ParseError(_("The JSON is nested more than %(depth)s levels deep.") % {"depth": max_depth})
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("The JSON holds text that is not valid Unicode (a lone surrogate).")) from None
