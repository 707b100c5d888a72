"""One mapping from errors to the API's JSON shape: `{"detail", "code"}` or field errors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, RecordInUse, ValidationFailed
from core.middleware import database_unavailable, database_unavailable_response


def exception_handler(exc, context):
    if database_unavailable(exc):  # refused or down: 503 with Retry-After, never 500
        return database_unavailable_response(context["request"])
    if isinstance(exc, ProtectedError | RestrictedError):  # a delete outside the services
        exc = RecordInUse()
    if isinstance(exc, ValidationFailed) and exc.field:
        return Response({exc.field: [str(exc.message)], "code": exc.code}, status=exc.status)
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
