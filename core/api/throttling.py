"""Throttles that never turn a cache outage into a 500.

The throttle history lives in the shared cache (Redis). When Redis cannot be reached the throttle
counts in this process's memory instead, so requests keep being answered (and still limited, per
process) until Redis is back.
"""

import logging

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework import throttling

log = logging.getLogger(__name__)

_local_cache = LocMemCache("throttle-fallback", {})


class FallbackCacheMixin:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            log.warning("Throttle cache unavailable (%s); counting in process memory", exc)
            self.cache = _local_cache
            return super().allow_request(request, view)


class AnonRateThrottle(FallbackCacheMixin, throttling.AnonRateThrottle):
    pass
