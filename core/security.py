"""The request edge: who the client is, and input refused before it reaches a view.

- The client address is the direct peer, unless that peer is one of `TRUSTED_PROXIES`: then
  `X-Forwarded-For` is walked from the right, skipping trusted proxies, and the first address
  that is not one is the client. A header sent by anybody else is ignored (and dropped, with
  `X-Forwarded-Proto`), so it can neither dodge the sign-in lockout nor pass the /metrics
  allowlist. The lockout (django-axes), /metrics and the logs all read `client_ip`.
- A NUL character anywhere in the query string is refused with 400 (the database refuses NUL in
  text, so a filter on it would otherwise fail deep inside the query).
- A request body over `DATA_UPLOAD_MAX_MEMORY_SIZE` on the API is a JSON 413 naming the limit.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

PEER_ADDR = "PEER_ADDR"  # request.META key: the direct peer, when a trusted proxy named the client


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    """`address` is inside one of the TRUSTED_PROXIES addresses or networks."""
    networks = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    parsed = _address(address or "")
    return parsed is not None and any(parsed in network for network in networks)


def resolve_client_ip(meta) -> str:
    """The client's address from a request's META (see the module docstring)."""
    peer = meta.get("REMOTE_ADDR", "") or ""
    if not is_trusted_proxy(peer):
        return peer
    client = peer
    for hop in reversed([h for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]):
        if _address(hop) is None:  # garbage a client wrote: the last good hop is all we know
            break
        client = hop.strip()
        if not is_trusted_proxy(client):
            break
    return client


def client_ip(request) -> str:
    """The client address of `request` (AXES_CLIENT_IP_CALLABLE, /metrics, logging)."""
    resolved = getattr(request, "client_ip", None)
    return resolved if resolved is not None else resolve_client_ip(request.META)


class TrustedProxyMiddleware:
    """Set REMOTE_ADDR to the client address; keep the direct peer in META["PEER_ADDR"].

    First in MIDDLEWARE, so SecurityMiddleware's HTTPS detection (X-Forwarded-Proto) only
    believes a trusted proxy too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "") or ""
        request.client_ip = resolve_client_ip(meta)
        if is_trusted_proxy(peer):
            meta[PEER_ADDR] = peer
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        meta["REMOTE_ADDR"] = request.client_ip
        return self.get_response(request)


class ClientAddressFilter(logging.Filter):
    """Adds `client` (the resolved client address, or "-") to every log record."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if not hasattr(record, "client"):
            record.client = client_ip(request) if hasattr(request, "META") else "-"
        return True


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def too_large_response() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return JsonResponse(
        {
            "detail": _("The request body is larger than the limit of %(limit)s bytes.") % {"limit": limit},
            "code": "request_too_large",
            "limit": limit,
        },
        status=413,
    )


class RequestEdgeMiddleware:
    """Refuse a NUL in the query string (400) and, on the API, a body over the size limit (413)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or _has_nul(request.GET):
            message = _("A query parameter contains a NUL character.")
            if _is_api(request):
                return JsonResponse({"detail": message, "code": "invalid_query"}, status=400)
            return render(request, "400.html", {"detail": message}, status=400)
        if _is_api(request) and _declared_too_large(request):
            return too_large_response()
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig) and _is_api(request):
            return too_large_response()
        return None


def _has_nul(querydict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists())


def _declared_too_large(request) -> bool:
    """A non-multipart body whose Content-Length is over the limit (files have their own)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit
