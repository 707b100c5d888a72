"""The writer thread of the MQTT pipeline (`BatchWriter`): batches are applied in the order they
were handed over, each acknowledged only after its own apply (its commit) returned and after
every earlier batch; a batch failing on the database is retried and never acknowledged before it
succeeds, nor is anything after it; another error reaches the thread that hands batches over."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, OperationalError

from mes.ingest.mqtt import BatchWriter


class Journal:
    """What the writer did, in order: ("apply", n), ("commit", n), ("ack", n)."""

    def __init__(self, fail=None):
        self.events: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        # batch number → errors its apply raises, one per attempt, before it succeeds
        self.fail = fail or {}

    def apply(self, n):
        with self.lock:
            self.events.append(("apply", n))
        errors = self.fail.get(n)
        if errors:
            raise errors.pop(0)
        with self.lock:
            self.events.append(("commit", n))
        return f"result {n}"

    def ack(self, n, result):
        assert result == f"result {n}"
        with self.lock:
            self.events.append(("ack", n))

    def acked(self):
        return [n for event, n in self.events if event == "ack"]


def test_batches_are_applied_and_acknowledged_in_order_each_after_its_commit():
    journal = Journal()
    writer = BatchWriter(journal.apply, journal.ack, threading.Event())
    for n in range(50):
        writer.put(n)
    writer.close()
    assert journal.acked() == list(range(50))
    for n in range(50):
        assert journal.events.index(("commit", n)) < journal.events.index(("ack", n))
    assert [n for event, n in journal.events if event == "apply"] == list(range(50))


def test_a_batch_failing_on_the_database_is_retried_and_nothing_after_it_is_acknowledged_first():
    journal = Journal(fail={3: [OperationalError("connection lost"), OperationalError("connection lost")]})
    writer = BatchWriter(journal.apply, journal.ack, threading.Event(), retry_seconds=0.01)
    for n in range(8):
        writer.put(n)
    writer.close()
    assert journal.acked() == list(range(8))
    assert [n for event, n in journal.events if event == "apply"].count(3) == 3
    # The failed attempts were not acknowledged, and batch 4 waited for batch 3's commit.
    assert journal.events.index(("commit", 3)) < journal.events.index(("ack", 3))
    assert journal.events.index(("ack", 3)) < journal.events.index(("apply", 4))


def test_stopping_while_a_batch_fails_leaves_it_and_the_later_ones_unacknowledged():
    stop = threading.Event()
    journal = Journal(fail={2: [OperationalError("down")] * 1000})
    writer = BatchWriter(journal.apply, journal.ack, stop, retry_seconds=0.05)
    for n in range(3):
        writer.put(n)
    stop.set()
    with pytest.raises(DatabaseError):
        for n in range(3, 6):
            writer.put(n)
        writer.close()
    assert journal.acked() == [0, 1]
    assert ("commit", 2) not in journal.events


def test_any_other_error_reaches_the_handing_thread_and_stops_the_acknowledgements():
    journal = Journal(fail={1: [ValueError("a bug")]})
    writer = BatchWriter(journal.apply, journal.ack, threading.Event())
    with pytest.raises(ValueError, match="a bug"):
        for n in range(20):
            writer.put(n)
        writer.close()
    assert journal.acked() == [0]


@pytest.mark.parametrize("interval", [0, -1, 0.5])
def test_the_command_refuses_a_switch_interval_out_of_range_before_connecting(interval):
    with pytest.raises(CommandError, match="switch-interval"):
        call_command("ingest_mqtt", "--switch-interval", str(interval), "--url", "mqtt://127.0.0.1:1")
