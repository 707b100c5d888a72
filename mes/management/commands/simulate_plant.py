"""Publish realistic machine data for the demo plant (mes.simulator): over MQTT by default,
fed in-process to the ingestion service with --in-process (the embedded `make run`), or served
as an OPC UA server with --opcua-port (for `ingest_opcua`; --opcua-setup records the endpoints)."""

import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from mes.ingest.mqtt import parse_broker_url
from mes.services.ingest import Ingestor
from mes.simulator import PlantSimulator

TICK_SECONDS = 0.25


class Command(BaseCommand):
    help = "Publishes realistic machine data (telemetry, states, counts) for the demo plant."

    def add_arguments(self, parser):
        parser.add_argument("--in-process", action="store_true", help="Feed the ingestion service directly.")
        parser.add_argument("--url", default=None, help="Broker URL (default MQTT_URL, else mqtt://127.0.0.1:1883).")
        parser.add_argument("--rate", type=float, default=1.0, help="Telemetry messages per machine per second.")
        parser.add_argument("--duration", type=float, default=0, help="Stop after this many seconds (0: never).")
        parser.add_argument("--seed", type=int, default=None, help="Random seed (repeatable data).")
        parser.add_argument("--site", action="append", default=None, help="Only this site's code (repeatable).")
        parser.add_argument("--opcua-port", type=int, default=None, help="Serve the machines over OPC UA instead.")
        parser.add_argument(
            "--opcua-setup",
            default=None,
            metavar="URL",
            help="With --opcua-port: record an endpoint per site at this URL (as ingest_opcua reaches the server).",
        )
        parser.add_argument(
            "--opcua-secure",
            action="store_true",
            help="With --opcua-port and --opcua-setup: serve Basic256Sha256 only, with fresh certificates the "
            "endpoints are recorded with (SignAndEncrypt).",
        )

    def handle(self, *args, in_process=False, url=None, rate=1.0, duration=0, seed=None, site=None, **options):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if rate <= 0:
            raise CommandError("--rate must be above 0.")
        simulator = PlantSimulator(site_codes=site, rate=rate, seed=seed)
        if not simulator.machines:
            raise CommandError("No equipment to simulate: load the demo plant first (manage.py seed_demo).")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        if options.get("opcua_port"):
            codes = [machine.topic.rsplit("/", 1)[-1] for machine in simulator.machines]
            if options.get("opcua_secure") and not options.get("opcua_setup"):
                raise CommandError("--opcua-secure needs --opcua-setup (the endpoints carry the client certificate).")
            send, close = self._opcua(
                options["opcua_port"], options.get("opcua_setup"), site, codes, options.get("opcua_secure")
            )
            mode = "OPC UA"
        elif in_process:
            send, close = self._in_process()
            mode = "in-process"
        else:
            send, close = self._mqtt(url or settings.MQTT_URL)
            mode = "MQTT"
        self.stdout.write(
            f"Simulating {len(simulator.machines)} machines, {rate:g} telemetry message(s)/s each ({mode})."
        )
        self.stdout.flush()
        ends = time.monotonic() + duration if duration else None
        sent = 0
        try:
            while not stop.is_set() and (ends is None or time.monotonic() < ends):
                messages = simulator.step(timezone.now())
                if messages:
                    send(messages)
                    sent += len(messages)
                stop.wait(TICK_SECONDS)
        finally:
            close()
        self.stdout.write(f"Sent {sent} messages.")

    def _opcua(self, port, setup_url, site_codes, machines, secure=False):
        from mes.simulator_opcua import OpcUaPlantServer, set_up_endpoints

        server = OpcUaPlantServer(port=port, secure=secure)
        server.start(machines)
        if setup_url:
            set_up_endpoints(url=setup_url, site_codes=site_codes, namespace=server.ns, server=server)
        self.stdout.write(f"Serving OPC UA at {server.url}")
        return server.apply, server.stop

    def _in_process(self):
        ingestor = Ingestor()

        def send(messages):
            close_old_connections()
            ingestor.ingest(messages)

        return send, lambda: None

    def _mqtt(self, url):
        import paho.mqtt.client as mqtt

        host, port = parse_broker_url(url or "mqtt://127.0.0.1:1883")
        client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"mes-simulator-{timezone.now():%H%M%S%f}",
            protocol=mqtt.MQTTv5,
        )
        client.connect(host, port)
        client.loop_start()
        pending = []

        def send(messages):
            pending[:] = [info for info in pending if not info.is_published()]
            for topic, payload in messages:
                pending.append(client.publish(topic, payload, qos=1))

        def close():
            for info in pending:
                info.wait_for_publish(5)
            client.disconnect()
            client.loop_stop()

        return send, close
