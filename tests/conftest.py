"""Fixtures shared by the whole suite. Tests run against the real PostgreSQL and Redis."""

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

SHARED_BENCHMARKS = Path(
    os.environ.get("SHARED_BENCHMARKS", Path(__file__).resolve().parents[2] / "shared" / "benchmarks")
)


@pytest.fixture
def benchmarks_dir():
    """The reference data in ../shared/benchmarks, read where it lies (never copied here)."""
    if not SHARED_BENCHMARKS.is_dir():
        pytest.skip(f"reference data not found at {SHARED_BENCHMARKS} (set SHARED_BENCHMARKS)")
    return SHARED_BENCHMARKS


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` or use `api_as`."""
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def web_as(client):
    def make(user):
        client.force_login(user)
        return client

    return make
