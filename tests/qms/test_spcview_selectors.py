"""Measurements into the chart frame: subgroups in the order of their first measurement."""

from datetime import timedelta
from decimal import Decimal

import pytest

from qms.models import Measurement
from qms.selectors import spc as selectors
from qms.services import spc_charts
from tests.factories import SiteFactory
from tests.qms.factories import CharacteristicFactory
from tests.qms.spc_data import START, in_control, record

pytestmark = pytest.mark.django_db


def test_subgroups_come_in_the_order_they_were_first_measured_not_by_key():
    site, characteristic = SiteFactory(code="QS1"), CharacteristicFactory()
    for minute, key in enumerate(["Z-first", "A-second", "M-third"]):
        for j in range(3):
            Measurement.objects.create(
                characteristic=characteristic,
                site=site,
                subgroup=key,
                value=Decimal("74.0") + Decimal(j) / 1000,
                measured_at=START + timedelta(minutes=minute, seconds=10 * (2 - j)),
            )
    frame = selectors.subgroup_frame(characteristic=characteristic, site=site)
    assert list(dict.fromkeys(frame["subgroup"])) == ["Z-first", "A-second", "M-third"]
    # within a subgroup, by measurement time
    assert list(frame["value"][:3]) == [74.002, 74.001, 74.0]
    chart = spc_charts.chart_measurements(characteristic=characteristic, site=site)
    assert [str(label) for label in chart.result.labels] == ["Z-first", "A-second", "M-third"]


def test_last_n_subgroups_and_another_site_kept_apart():
    site, other, characteristic = SiteFactory(code="QS2"), SiteFactory(code="QS3"), CharacteristicFactory()
    keys = record(characteristic, site, in_control(30))
    record(characteristic, other, in_control(5, mean=80.0), prefix="O")
    newest = selectors.subgroup_keys(characteristic=characteristic, site=site, last=10)
    assert [key for key, _ in newest] == keys[-10:]
    chart = spc_charts.chart_measurements(characteristic=characteristic, site=site, last=10)
    assert chart.result.subgroups == 10 and float(chart.result.center[0]) == pytest.approx(74.0, abs=0.01)
    between = selectors.subgroup_keys(characteristic=characteristic, site=site, first_key=keys[3], last_key=keys[6])
    assert [key for key, _ in between] == keys[3:7]


def test_an_xbar_subgroup_still_being_measured_is_left_out():
    site, characteristic = SiteFactory(code="QS4"), CharacteristicFactory()
    record(characteristic, site, [*in_control(5), [74.0]])
    chart = spc_charts.chart_measurements(characteristic=characteristic, site=site)
    assert chart.result.subgroups == 5 and chart.dropped == ["S0005"]
