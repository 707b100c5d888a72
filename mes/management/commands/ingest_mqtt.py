"""Run machine-data ingestion from MQTT until stopped (SIGTERM or Ctrl-C finish the batch in
hand, acknowledge it and disconnect; the session keeps the rest at the broker)."""

import logging
import signal
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mes.ingest.metrics import ProcessMetrics
from mes.ingest.mqtt import SHARE_GROUP, TOPIC, MqttIngest, default_client_id

# The writer thread waits on PostgreSQL (COPY, keys, aggregates, commit: about five round trips
# a batch) while the receiving thread parses. Each time an answer arrives the writer needs the
# GIL back, and at Python's default switch interval (5 ms) it waits up to that long for the
# busy receiver to yield it: the database then idles for most of a drain. At 0.1 ms the waits
# are short and the writer keeps PostgreSQL busy (bench/ingest.py: drain 0.37x of raw COPY at
# 5 ms, 0.53x at 0.1 ms, same run).
SWITCH_INTERVAL = 0.0001


class Command(BaseCommand):
    help = "Runs machine-data ingestion from the MQTT broker (MQTT_URL) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=None, help="Broker URL (default: MQTT_URL, else mqtt://127.0.0.1:1883).")
        parser.add_argument(
            "--client-id",
            default=None,
            help="Fixed MQTT client id of this process: its persistent session (default: MQTT_CLIENT_ID, "
            "else mes-ingest-<hostname>).",
        )
        parser.add_argument("--no-share", action="store_true", help="Subscribe without the shared subscription.")
        parser.add_argument("--topic", default=TOPIC, help=f"Topic filter (default {TOPIC}).")
        parser.add_argument("--group", default=SHARE_GROUP, help=f"Shared subscription group (default {SHARE_GROUP}).")
        parser.add_argument("--batch-values", type=int, default=5000, help="Flush at this many values (5000).")
        parser.add_argument("--flush-ms", type=int, default=200, help="Flush at least this often (200 ms).")
        parser.add_argument("--metrics-port", type=int, default=None, help="Serve process metrics on this port.")
        parser.add_argument(
            "--switch-interval",
            type=float,
            default=SWITCH_INTERVAL,
            help=f"The interpreter's thread switch interval in seconds ({SWITCH_INTERVAL}); see SWITCH_INTERVAL.",
        )

    def handle(self, *args, **options):
        if not 0.00001 <= options["switch_interval"] <= 0.1:
            raise CommandError("--switch-interval is between 0.00001 and 0.1 seconds.")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        sys.setswitchinterval(options["switch_interval"])
        metrics = None
        if options["metrics_port"]:
            metrics = ProcessMetrics()
            metrics.serve(options["metrics_port"])
        runner = MqttIngest(
            url=options["url"] or settings.MQTT_URL or "mqtt://127.0.0.1:1883",
            client_id=options["client_id"] or settings.MQTT_CLIENT_ID or default_client_id(),
            share=not options["no_share"],
            topic=options["topic"],
            group=options["group"],
            batch_values=options["batch_values"],
            flush_seconds=options["flush_ms"] / 1000,
            metrics=metrics,
        )
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Ingesting {runner.subscription} from {runner.host}:{runner.port} as {runner.client_id}")
        self.stdout.flush()
        runner.run(stop)
        self.stdout.write("Ingestion stopped.")
