"""Measurements for the SPC page, board and evaluation tests: subgroups recorded a minute apart."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from qms.models import Measurement

START = timezone.now().replace(microsecond=0) - timedelta(days=2)


def in_control(count: int, *, size: int = 5, mean: float = 74.0, sigma: float = 0.005, seed: int = 1) -> list:
    """`count` subgroups of `size` normal values (reproducible)."""
    generator = np.random.default_rng(seed)
    return [list(np.round(generator.normal(mean, sigma, size), 6)) for _ in range(count)]


def record(characteristic, site, subgroups: list, *, first: int = 0, prefix: str = "S", equipment=None, lot=None):
    """Record each subgroup's values as Measurements, subgroup i measured at START + i minutes;
    keys are `prefix` + the zero-padded number. Returns the keys."""
    rows, keys = [], []
    for offset, values in enumerate(subgroups):
        index = first + offset
        key = f"{prefix}{index:04d}"
        keys.append(key)
        for j, value in enumerate(values):
            rows.append(
                Measurement(
                    characteristic=characteristic,
                    site=site,
                    subgroup=key,
                    value=Decimal(str(value)),
                    measured_at=START + timedelta(minutes=index, seconds=j),
                    equipment=equipment,
                    lot=lot,
                )
            )
    Measurement.objects.bulk_create(rows)
    return keys
