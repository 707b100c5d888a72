"""Helpers of the ingestion tests: an ingest loop in a thread, a QoS 1 publisher, a private
Mosquitto on a port of its own, and a wait for a condition. Everything goes through a real
broker; each test uses its own topics and client ids so no other test sees its messages."""

import json
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt

from mes.ingest.mqtt import MqttIngest

BROKER = "mqtt://127.0.0.1:1883"


def unique(prefix: str = "I") -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


def wait_until(condition, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@contextmanager
def ingesting(topics, *, url: str = BROKER, client_id: str | None = None, share: bool = False, **kwargs):
    """Run the MQTT ingest loop in a thread (its own database connection) while the block runs."""
    stop = threading.Event()
    runner = MqttIngest(
        url=url, client_id=client_id or unique("test-ingest-"), share=share, topic=topics, session_expiry=60, **kwargs
    )
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert runner.subscribed.wait(10), "the ingest loop did not subscribe"
        yield runner
    finally:
        stop.set()
        thread.join(15)


class Publisher:
    """A QoS 1 MQTT 5 publisher that waits for each PUBACK."""

    def __init__(self, port: int = 1883, client_id: str | None = None):
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or unique("test-pub-"),
            protocol=mqtt.MQTTv5,
        )
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def send(self, topic: str, payload) -> None:
        if not isinstance(payload, bytes | str):
            payload = json.dumps(payload)
        self.client.publish(topic, payload, qos=1).wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@contextmanager
def publisher(port: int = 1883):
    pub = Publisher(port)
    try:
        yield pub
    finally:
        pub.close()


@contextmanager
def private_broker(port: int, tmp_path: Path):
    """A Mosquitto of our own: persistent sessions with a queue large enough for a stream, and
    no limit on messages in flight (each is still acknowledged only after its commit)."""
    conf = tmp_path / f"mosquitto-{port}.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 1000000\nmax_inflight_messages 0\nmax_queued_bytes 0\n"
    )
    process = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        import socket

        wait_until(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, timeout=10)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
