"""A plant simulator for the demo: every active equipment of the chosen sites publishes what a
real machine would, in the MQTT contract's topics and payloads.

- telemetry `rate` times a second: temperature, pressure, vibration and current, each around a
  base of its equipment class with noise and a slow drift (a random walk pulled back to the
  base); a machine that is down cools, loses pressure and draws no current;
- counts at the ideal cycle time (`IdealCycleTime`, else 60 s), with micro-stops (a cycle now
  and then takes a few seconds longer) and some scrap, only while an operation runs on the
  machine with quantity still open (a count with nothing to book would be a dead letter);
- occasional faults: the state goes to down with a downtime reason, and back to running a
  minute or three later; the temperature climbs before a breakdown.

`PlantSimulator.step(now)` returns the messages due; `manage.py simulate_plant` publishes them
over MQTT or feeds them in-process to the ingestion service.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson

from mes.models import DowntimeReason, Equipment, IdealCycleTime, Operation, OperationStatus

# Base values per equipment class code (temperature °C, pressure bar, vibration mm/s, current A).
BASES = {
    "CNC-LATHE": (42.0, 6.0, 2.2, 18.0),
    "BRAZER": (610.0, 4.5, 0.8, 55.0),
    "ASSY-STATION": (28.0, 6.2, 0.6, 4.0),
    "LEAK-TESTER": (24.0, 30.0, 0.3, 2.5),
}
DEFAULT_BASE = (35.0, 6.0, 1.0, 10.0)
FAULT_REASONS = ("JAM", "BREAKDOWN", "NO-MATERIAL")
FAULTS_PER_HOUR = 0.6
SCRAP_RATE = 0.03
MICRO_STOP_RATE = 0.08


@dataclass
class SimulatedMachine:
    equipment_id: int
    topic: str
    base: tuple
    cycle_seconds: float
    drift: list = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])
    state: str = ""
    down_until: datetime | None = None
    heating: float = 0.0
    cycle_progress: float = 0.0
    next_telemetry: datetime | None = None
    bookable: bool = False
    checked_at: datetime | None = None
    sequence: int = 0


class PlantSimulator:
    def __init__(self, *, site_codes=None, rate: float = 1.0, seed: int | None = None):
        self.random = random.Random(seed)
        self.rate = rate
        self.run_id = f"{self.random.getrandbits(32):08x}"
        equipment = Equipment.objects.filter(active=True).select_related("site", "equipment_class")
        if site_codes:
            equipment = equipment.filter(site__code__in=site_codes)
        cycles = {}
        for row in IdealCycleTime.objects.values("equipment_id", "seconds"):
            cycles.setdefault(row["equipment_id"], float(row["seconds"]))
        self.machines = [
            SimulatedMachine(
                equipment_id=e.pk,
                topic=f"mes/{e.site.code}/{e.code}",
                base=BASES.get(e.equipment_class.code, DEFAULT_BASE),
                cycle_seconds=cycles.get(e.pk, 60.0),
            )
            for e in equipment.order_by("code")
        ]
        self.last_step: datetime | None = None
        # Only reasons the plant knows: an unknown reason code would make the state a dead letter.
        self.fault_reasons = list(
            DowntimeReason.objects.filter(code__in=FAULT_REASONS, active=True).values_list("code", flat=True)
        )

    def _message(self, machine: SimulatedMachine, kind: str, body: dict) -> tuple[str, bytes]:
        machine.sequence += 1
        body = {"msg_id": f"sim-{self.run_id}-{machine.sequence}", **body}
        return f"{machine.topic}/{kind}", orjson.dumps(body)

    def _bookable(self, machine: SimulatedMachine, now: datetime) -> bool:
        """Whether an operation with open quantity runs on the machine (re-read every 10 s)."""
        if machine.checked_at is None or now - machine.checked_at > timedelta(seconds=10):
            machine.checked_at = now
            machine.bookable = any(
                op.open_quantity > 0
                for op in Operation.objects.filter(equipment_id=machine.equipment_id, status=OperationStatus.RUNNING)
            )
        return machine.bookable

    def step(self, now: datetime) -> list[tuple[str, bytes]]:
        """The messages due at `now` (call it a few times a second)."""
        dt = 0.0 if self.last_step is None else max((now - self.last_step).total_seconds(), 0.0)
        self.last_step = now
        out = []
        for machine in self.machines:
            stamp = now.isoformat()
            if not machine.state:
                machine.state = "running"
                out.append(self._message(machine, "state", {"ts": stamp, "state": "running"}))
            if machine.state == "down" and machine.down_until and now >= machine.down_until:
                machine.state, machine.down_until, machine.heating = "running", None, 0.0
                out.append(self._message(machine, "state", {"ts": stamp, "state": "running"}))
            elif machine.state == "running" and self.random.random() < FAULTS_PER_HOUR * dt / 3600:
                machine.state = "down"
                machine.down_until = now + timedelta(seconds=self.random.uniform(60, 180))
                body = {"ts": stamp, "state": "down"}
                if self.fault_reasons:
                    body["reason"] = self.random.choice(self.fault_reasons)
                out.append(self._message(machine, "state", body))
            if machine.state == "running":
                # A breakdown announces itself: now and then the machine starts to overheat.
                if machine.heating == 0.0 and self.random.random() < 2 * FAULTS_PER_HOUR * dt / 3600:
                    machine.heating = 0.01
                elif machine.heating:
                    machine.heating = min(machine.heating + dt / 600, 1.0)
                out.extend(self._counts(machine, now, dt))
            if machine.next_telemetry is None or now >= machine.next_telemetry:
                machine.next_telemetry = now + timedelta(seconds=1 / self.rate)
                out.append(self._message(machine, "telemetry", {"ts": stamp, "values": self._values(machine)}))
        return out

    def _counts(self, machine: SimulatedMachine, now: datetime, dt: float) -> list:
        machine.cycle_progress += dt
        cycle = machine.cycle_seconds
        good = scrap = 0
        while machine.cycle_progress >= cycle:
            machine.cycle_progress -= cycle
            if self.random.random() < MICRO_STOP_RATE:
                machine.cycle_progress -= self.random.uniform(3, 20)  # a micro-stop delays the next part
            if self.random.random() < SCRAP_RATE:
                scrap += 1
            else:
                good += 1
        if (good or scrap) and self._bookable(machine, now):
            return [self._message(machine, "count", {"ts": now.isoformat(), "good": good, "scrap": scrap})]
        return []

    def _values(self, machine: SimulatedMachine) -> dict:
        temperature, pressure, vibration, current = machine.base
        scales = (temperature * 0.02, pressure * 0.02, vibration * 0.05, current * 0.03)
        for n, scale in enumerate(scales):
            # A random walk pulled back towards zero: slow drift around the base.
            machine.drift[n] = 0.98 * machine.drift[n] + self.random.gauss(0, scale * 0.2)
        noise = [self.random.gauss(0, s * 0.3) for s in scales]
        running = machine.state == "running"
        heat = 1 + 0.25 * machine.heating
        values = {
            "temperature": (temperature * heat if running else temperature * 0.7) + machine.drift[0] + noise[0],
            "pressure": (pressure if running else pressure * 0.3) + machine.drift[1] + noise[1],
            "vibration": max((vibration * (1 + machine.heating) if running else 0.05) + machine.drift[2] + noise[2], 0),
            "current": max((current if running else 0.2) + machine.drift[3] + noise[3], 0),
        }
        return {tag: round(value, 3) for tag, value in values.items()}
