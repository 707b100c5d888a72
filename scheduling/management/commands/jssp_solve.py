"""Schedule an OR-Library job-shop instance with the scheduler's own engine."""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from scheduling.engine.jssp import InstanceError, parse, solve_instance


def positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    requires_system_checks = []  # no apps, no database: see config/cli_settings.py
    help = "Schedules a job-shop instance (OR-Library format) and prints its makespan, bound and schedule."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Instance file: JOBS MACHINES, then one line of MACHINE DURATION pairs per job."
        )
        parser.add_argument("--time-limit", type=positive, required=True, help="Seconds the search may take.")
        parser.add_argument("--workers", type=int, default=None, help="Solver threads (default: the number of cores).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object (see ARCHITECTURE.md).")

    def handle(self, *args, file, time_limit, workers, json: bool = False, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1")
        try:
            instance = parse(file)
        except InstanceError as error:
            raise CommandError(str(error)) from error
        result = solve_instance(instance, time_limit=time_limit, workers=workers or os.cpu_count())
        if json:
            self.stdout.write(_dumps(result))
            return
        gap = 100.0 * (result["makespan"] - result["lower_bound"]) / max(1, result["lower_bound"])
        self.stdout.write(
            f"{result['instance']}: makespan {result['makespan']}, lower bound {result['lower_bound']} "
            f"({gap:.2f} % gap), {result['status']}, {result['seconds']:.1f} s"
        )
        for number, job in enumerate(result["schedule"]):
            steps = ", ".join(f"m{op['machine']}@{op['start']}+{op['duration']}" for op in job)
            self.stdout.write(f"  job {number}: {steps}")


def _dumps(result: dict) -> str:
    return json.dumps(result, separators=(",", ":"))
