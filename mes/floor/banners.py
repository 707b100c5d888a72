"""Banners that other modules put on the operator terminal's machine screens (an in-process
quality check due on this machine, say). The terminal cannot import the modules above it, so
they register a provider here from their AppConfig.ready: `provider(request, equipment)` returns
`[{"text": ..., "url": ..., "kind": "warn"|"info"}]`."""

from collections.abc import Callable

_providers: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def for_equipment(request, equipment) -> list[dict]:
    banners: list[dict] = []
    for provider in _providers:
        banners.extend(provider(request, equipment))
    return banners
