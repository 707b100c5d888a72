"""Celery entry points of core: take ids, call services.

A failed delivery is not a task failure: `outbox.deliver` records the attempt and its backoff,
and the periodic `drain_outbox` sweep (CELERY_BEAT_SCHEDULE) sends it again when it is due.
The task itself retries only when the database could not be reached.
"""

from celery import shared_task
from django.db import DatabaseError

from core.services import imports, outbox


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one outbox message (enqueued after the publishing transaction commits)."""
    return outbox.deliver(message_id=message_id)


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def deliver_outbox_messages(message_ids: list[int]) -> dict:
    """Deliver the outbox messages one transaction wrote (one wake-up per transaction)."""
    return outbox.deliver_many(message_ids=[int(i) for i in message_ids])


@shared_task(acks_late=True, ignore_result=True)
def drain_outbox() -> int:
    """Periodic sweep: deliver what is due (missed by a broker outage, or retried after backoff)."""
    ids = outbox.due_message_ids()
    for message_id in ids:
        outbox.deliver(message_id=message_id)
    return len(ids)


@shared_task(ignore_result=True)
def purge_outbox(days: int = 14) -> int:
    """Daily: forget deliveries that succeeded more than `days` ago, and events older than
    `EVENT_RETENTION_DAYS` whose deliveries are settled."""
    return outbox.purge_delivered(older_than_days=days) + outbox.purge_events()


@shared_task(ignore_result=True)
def purge_events(days: int | None = None) -> int:
    """Forget events older than the retention (`EVENT_RETENTION_DAYS` unless `days`)."""
    return outbox.purge_events(older_than_days=days)


@shared_task(acks_late=True, ignore_result=True)
def escalate_approvals() -> int:
    """Periodic: decisions waiting longer than their kind's limit go to the next role up."""
    from core.services.approvals import escalate_overdue

    return len(escalate_overdue())


outbox.set_delivery_task(deliver_outbox_messages)


@shared_task(acks_late=True, ignore_result=True)
def run_import_job(job_id: int) -> str:
    """Check (dry run) or import the rows of one import job."""
    return imports.run_job(job_id=job_id).status
