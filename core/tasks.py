"""Celery entry points of core: take ids, call services."""

from celery import shared_task

from core.services import outbox


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def deliver_outbox_message(message_id: int) -> str:
    return outbox.deliver(message_id=message_id)


@shared_task
def drain_outbox() -> int:
    """Periodic sweep: deliver what is due (broker outages, retries after backoff)."""
    ids = outbox.due_message_ids()
    for message_id in ids:
        outbox.deliver(message_id=message_id)
    return len(ids)
