"""Run the periodic jobs (CELERY_BEAT_SCHEDULE) in-process: the embedded default's Celery beat."""

import signal
import threading

from django.core.management.base import BaseCommand

from core import periodic


class Command(BaseCommand):
    help = "Runs the periodic jobs of CELERY_BEAT_SCHEDULE in this process until stopped (no broker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, once=False, **options):
        jobs = periodic.load_jobs()
        names = ", ".join(job.name for job in jobs) or "none"
        self.stdout.write(f"Periodic jobs: {names}")
        if once:
            for job in jobs:
                periodic.run_job(job)
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        periodic.run_forever(jobs, stop=stop)
        self.stdout.write("Periodic jobs stopped.")
