"""Run machine-data ingestion from the configured OPC UA endpoints until stopped (SIGTERM or
Ctrl-C close the sessions and apply what they had delivered)."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from core.models import Site
from mes.ingest.metrics import ProcessMetrics
from mes.ingest.opcua import OpcUaIngest


class Command(BaseCommand):
    help = "Subscribes to the enabled OPC UA endpoints and ingests their values until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--site", default=None, help="Only this site's endpoints (its code).")
        parser.add_argument("--metrics-port", type=int, default=None, help="Serve process metrics on this port.")
        parser.add_argument(
            "--reload-seconds", type=float, default=10.0, help="Read the configuration again this often (10 s)."
        )
        parser.add_argument("--flush-ms", type=int, default=200, help="Flush a batch at least this often (200 ms).")
        parser.add_argument("--timeout", type=float, default=4.0, help="Seconds a server may take to answer (4).")

    def handle(self, *args, **options):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        site = options["site"]
        if site and not Site.objects.filter(code=site).exists():
            raise CommandError(f"Unknown site: {site}")
        metrics = None
        if options["metrics_port"]:
            metrics = ProcessMetrics()
            metrics.serve(options["metrics_port"])
        runner = OpcUaIngest(
            site=site,
            reload_seconds=options["reload_seconds"],
            flush_seconds=options["flush_ms"] / 1000,
            timeout=options["timeout"],
            metrics=metrics,
        )
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Ingesting from the OPC UA endpoints of {site or 'every site'}")
        self.stdout.flush()
        runner.run(stop)
        self.stdout.write("Ingestion stopped.")
