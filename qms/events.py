"""Quality's event subscribers.

Events this app publishes: `qms.spc.violation` (a Nelson rule broken by a new subgroup, see
`qms.services.spc_monitor`), `qms.spc.limits_set` (phase II limits fixed from a baseline).
It subscribes to `qms.measurements.recorded` (payload in `qms.services.spc_monitor`).
"""

from core.events import subscribe


@subscribe("qms.measurements.recorded", after_commit=True)
def evaluate_recorded_measurements(event) -> None:
    """New subgroups were recorded: judge them against the limits and rules (after commit)."""
    from core.models import Site
    from qms.models import Characteristic
    from qms.services.spc_monitor import evaluate_new

    payload = event.payload
    characteristic = Characteristic.objects.filter(pk=payload.get("characteristic")).select_related("item").first()
    site = Site.objects.filter(code=payload.get("site")).first()
    if characteristic is None or site is None:
        return
    subgroups = payload.get("subgroups") or [None]
    evaluate_new(characteristic=characteristic, site=site, since_subgroup=subgroups[0])
