"""Control charts of recorded Measurements: phase I over the data shown, or phase II against the
limits quality set from a baseline (`set_control_limits`, e-signed). The chart page, the API and
the evaluation of new data (`spc_monitor`) all chart through `chart_measurements`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import PermissionDenied, ValidationFailed
from core.events import publish
from core.locking import lock_site_work
from core.scoping import require_site_access
from core.services.signatures import sign
from qms.models import Characteristic, CharacteristicKind, ControlLimits
from qms.selectors import spc as selectors
from qms.services.spc import RULE_LABELS, analyze_chart
from qms.spc import ChartResult
from qms.spc.charts import capability_dict
from qms.spc.phase2 import apply_limits, process_parameters

# How many subgroups a chart shows unless asked otherwise.
DEFAULT_SUBGROUPS = 100


@dataclass
class MeasurementChart:
    """A chart of Measurements: the engine's result, the rows it came from (one per measurement,
    in chart order), the subgroups' first measurement times and the limits applied (None: phase I)."""

    characteristic: Characteristic
    site: object
    result: ChartResult | None
    frame: pd.DataFrame
    firsts: list
    limits: ControlLimits | None
    dropped: list[str]

    @property
    def phase(self) -> int:
        return 2 if self.limits is not None else 1

    def observations(self) -> np.ndarray:
        if self.characteristic.kind != CharacteristicKind.VARIABLE:
            return np.array([])
        return self.frame["value"].to_numpy(dtype=float)

    def to_dict(self) -> dict:
        """The API's chart: the `spc_analyze --json` shape plus the subgroup keys and times, the
        phase and its limits, and each violation with its subgroup key and rule text."""
        if self.result is None:
            return {
                "characteristic": self.characteristic.pk,
                "site": self.site.code,
                "chart": self.characteristic.chart,
                "phase": self.phase,
                "subgroups": [],
                "points": [],
                "violations": [],
                "capability": None,
            }
        data = self.result.to_dict()
        labels = [str(label) for label in self.result.labels]
        data["violations"] = [
            {**v, "key": labels[v["subgroup"] - 1], "text": str(RULE_LABELS[v["rule"]])} for v in data["violations"]
        ]
        capability = self.result.capability
        data.update(
            characteristic=self.characteristic.pk,
            site=self.site.code,
            phase=self.phase,
            subgroups=labels,
            measured_at=[first.isoformat() for first in self.firsts],
            sizes=[int(size) for size in self.result.sizes],
            sigma=[float(s) for s in self.result.sigma],
            lsl=_number(self.characteristic.lsl),
            usl=_number(self.characteristic.usl),
            limits_set=None
            if self.limits is None
            else {
                "id": self.limits.pk,
                "set_by": self.limits.set_by.username,
                "set_at": self.limits.set_at.isoformat(),
                "baseline_first": self.limits.baseline_first,
                "baseline_last": self.limits.baseline_last,
                "baseline_subgroups": self.limits.baseline_subgroups,
            },
            incomplete=self.dropped,
        )
        data["capability"] = None if capability is None else capability_dict(capability)
        return data


def _number(value):
    return None if value is None else float(value)


def _firsts(frame: pd.DataFrame) -> list:
    return list(frame.groupby("subgroup", sort=False)["first"].first())


def analyse_frame(characteristic: Characteristic, frame: pd.DataFrame, *, limits: ControlLimits | None):
    """The engine's chart of `frame` (rows of `subgroup_frame`), with `limits` applied when given.
    Subgroups of an X̄ chart with a single value so far (still being measured) are left out."""
    chart = characteristic.chart
    dropped: list[str] = []
    if frame.empty:
        return None, frame, dropped
    if chart in ("xbar_r", "xbar_s"):
        sizes = frame.groupby("subgroup", sort=False)["subgroup"].transform("size")
        dropped = sorted(set(frame.loc[sizes < 2, "subgroup"]))
        frame = frame[sizes >= 2].reset_index(drop=True)
        if frame.empty:
            return None, frame, dropped
    if characteristic.kind == CharacteristicKind.VARIABLE:
        result = analyze_chart(
            chart=chart,
            subgroups=frame["subgroup"],
            values=frame["value"].to_numpy(dtype=float),
            lsl=_number(characteristic.lsl),
            usl=_number(characteristic.usl),
            rules=characteristic.nelson_rules,
        )
    else:
        rows = selectors.attribute_rows(frame)
        result = analyze_chart(
            chart=chart,
            subgroups=rows["subgroup"],
            counts=rows["count"].to_numpy(),
            sizes=rows["size"].to_numpy(),
            rules=characteristic.nelson_rules,
        )
    if limits is not None and limits.chart == chart:
        result = apply_limits(result, center=limits.center, sigma=limits.sigma)
    return result, frame, dropped


def chart_measurements(*, characteristic: Characteristic, site, **bounds) -> MeasurementChart:
    """The chart of a characteristic at a site over the subgroups `bounds` choose (see
    `selectors.spc.subgroup_keys`; the newest `DEFAULT_SUBGROUPS` when none is given)."""
    if not any(bounds.get(name) is not None for name in ("start", "end", "last", "first_key", "last_key")):
        bounds["last"] = DEFAULT_SUBGROUPS
    bounds = {name: value for name, value in bounds.items() if value is not None}
    frame = selectors.subgroup_frame(characteristic=characteristic, site=site, **bounds)
    limits = selectors.active_limits(characteristic=characteristic, site=site)
    result, frame, dropped = analyse_frame(characteristic, frame, limits=limits)
    return MeasurementChart(
        characteristic=characteristic,
        site=site,
        result=result,
        frame=frame,
        firsts=_firsts(frame) if result is not None else [],
        limits=limits,
        dropped=dropped,
    )


def _usual(sizes: np.ndarray) -> int:
    values, counts = np.unique(sizes, return_counts=True)
    return int(values[np.argmax(counts)])


def set_control_limits(
    *, characteristic: Characteristic, site, user, password: str, first_subgroup: str, last_subgroup: str, reason=""
) -> ControlLimits:
    """Fix phase II limits from the phase I baseline `first_subgroup`..`last_subgroup` (chart
    order, inclusive), e-signed by a quality engineer. The limits they replace stay, inactive."""
    require_site_access(user, site)
    if not user.has_role("quality", "admin"):
        raise PermissionDenied(_("Only quality may set control limits."), code="quality_only")
    first_subgroup, last_subgroup = (first_subgroup or "").strip(), (last_subgroup or "").strip()
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationFailed(_("Keep the reason under 300 characters."), field="reason")
    for field, key in (("first_subgroup", first_subgroup), ("last_subgroup", last_subgroup)):
        if not key:
            raise ValidationFailed(_("Name the subgroup."), field=field, code="required")
        if not selectors.subgroup_keys(characteristic=characteristic, site=site, first_key=key, last_key=key):
            raise ValidationFailed(
                _("There is no subgroup “%(key)s” of this characteristic here.") % {"key": key}, field=field
            )
    frame = selectors.subgroup_frame(
        characteristic=characteristic, site=site, first_key=first_subgroup, last_key=last_subgroup
    )
    result, frame, _dropped = analyse_frame(characteristic, frame, limits=None)
    minimum = 2 if characteristic.chart == "imr" else 1
    if result is None or result.subgroups < max(minimum, 2):
        raise ValidationFailed(
            _("The baseline must hold at least two complete subgroups, the first before the last."),
            field="last_subgroup",
        )
    center, sigma = process_parameters(result)
    usual = _usual(result.sizes)
    at = list(result.sizes).index(usual)
    secondary = result.secondary
    with transaction.atomic():
        lock_site_work(site, f"qms.spc.limits.{characteristic.pk}")
        ControlLimits.objects.filter(characteristic=characteristic, site=site, active=True).update(active=False)
        limits = ControlLimits(
            characteristic=characteristic,
            site=site,
            chart=characteristic.chart,
            center=center,
            sigma=sigma,
            ucl=float(result.ucl[at]),
            lcl=float(result.lcl[at]),
            secondary_center=None if secondary is None else float(secondary.center[at]),
            secondary_ucl=None if secondary is None else float(secondary.ucl[at]),
            secondary_lcl=None if secondary is None else float(secondary.lcl[at]),
            subgroup_size=usual,
            baseline_first=first_subgroup,
            baseline_last=last_subgroup,
            baseline_subgroups=result.subgroups,
            reason=reason,
            set_by=user,
            set_at=timezone.now(),
        )
        limits._history_user = user
        limits.save()
        sign(user=user, password=password, meaning="approved", record=limits, reason=reason)
        from qms.services import spc_monitor

        spc_monitor.refresh_status(characteristic=characteristic, site=site)
        publish(
            "qms.spc.limits_set",
            {
                "characteristic": characteristic.pk,
                "site": site.code,
                "limits": limits.pk,
                "center": center,
                "ucl": limits.ucl,
                "lcl": limits.lcl,
                "baseline": [first_subgroup, last_subgroup],
            },
            site=site,
        )
    return limits
