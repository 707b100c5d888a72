"""The periodic jobs run in-process on the embedded default, from the same schedule beat reads."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core import periodic
from core.models import Event, OutboxMessage

SWEEP = {"sweep": {"task": "core.tasks.drain_outbox", "schedule": 30.0}}


def _pending_push() -> OutboxMessage:
    event = Event.objects.create(name="wms.stock.moved", payload={})
    return OutboxMessage.objects.create(event=event, channel=OutboxMessage.Channel.WEBSOCKET, target="live.all.wms")


def test_the_jobs_are_those_of_the_beat_schedule():
    names = {job.task for job in periodic.load_jobs()}
    assert "core.tasks.drain_outbox" in names


def test_a_misspelt_task_fails_at_start_not_at_its_first_run():
    with pytest.raises(ImportError):
        periodic.load_jobs({"typo": {"task": "core.tasks.drain_outbx", "schedule": 30.0}})


def test_a_job_is_due_at_start_then_after_its_interval():
    job = periodic.load_jobs(SWEEP)[0]
    assert job.seconds_until_due(timezone.now()) == 0
    job.last_run_at = timezone.now()
    assert 25 < job.seconds_until_due(timezone.now()) <= 30
    job.last_run_at = timezone.now() - timedelta(seconds=31)
    assert job.seconds_until_due(timezone.now()) == 0


@pytest.mark.django_db
def test_running_the_sweep_delivers_what_is_pending():
    message = _pending_push()
    periodic.run_job(periodic.load_jobs(SWEEP)[0])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED


@pytest.mark.django_db
def test_run_periodic_once_runs_every_job_and_says_which():
    message = _pending_push()
    out = StringIO()
    with override_settings(CELERY_BEAT_SCHEDULE=SWEEP):
        call_command("run_periodic", "--once", stdout=out)
    assert "Periodic jobs: sweep" in out.getvalue()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_the_loop_keeps_sweeping_until_stopped():
    jobs = periodic.load_jobs({"sweep": {"task": "core.tasks.drain_outbox", "schedule": 0.2}})
    stop = threading.Event()
    loop = threading.Thread(target=periodic.run_forever, args=(jobs,), kwargs={"stop": stop, "max_sleep": 0.1})
    loop.start()
    try:
        message = _pending_push()  # arrives while the loop is already running
        deadline = timezone.now() + timedelta(seconds=10)
        while timezone.now() < deadline:
            message.refresh_from_db()
            if message.status == OutboxMessage.Status.DELIVERED:
                break
            stop.wait(0.1)
        assert message.status == OutboxMessage.Status.DELIVERED
    finally:
        stop.set()
        loop.join(timeout=5)
    assert not loop.is_alive()


@pytest.mark.django_db
def test_a_failing_job_is_logged_and_the_others_still_run(monkeypatch, caplog):
    from core.services import outbox

    message = _pending_push()
    jobs = periodic.load_jobs(
        {
            "purge": {"task": "core.tasks.purge_outbox", "schedule": 60.0},
            "sweep": {"task": "core.tasks.drain_outbox", "schedule": 30.0},
        }
    )

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "purge_delivered", broken)
    for job in jobs:
        periodic.run_job(job)

    assert "periodic job purge failed" in caplog.text and "disk full" in caplog.text
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED
