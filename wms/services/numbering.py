"""Readable document numbers for warehouse documents: GR-SZ-000123, PL-SZ-000045."""

from django.db import transaction

from wms.models.inbound import DocumentSequence


def next_document_number(*, site, prefix: str, taken=None) -> str:
    """The next free number `<prefix>-<site code>-<6 digits>` of `site`.

    The counter row is locked until the caller's transaction ends, so concurrent callers get
    distinct numbers. `taken(number) -> bool` skips numbers someone entered by hand.
    """
    with transaction.atomic():
        # ON CONFLICT DO NOTHING: the first document of a site creates its counter once.
        DocumentSequence.objects.bulk_create([DocumentSequence(site=site, prefix=prefix)], ignore_conflicts=True)
        sequence = DocumentSequence.objects.select_for_update().get(site=site, prefix=prefix)
        value = sequence.last_value
        while True:
            value += 1
            number = f"{prefix}-{site.code}-{value:06d}"
            if taken is None or not taken(number):
                break
        DocumentSequence.objects.filter(pk=sequence.pk).update(last_value=value)
    return number


def next_document_numbers(*, site, prefix: str, count: int, taken_in=None) -> list[str]:
    """`count` next free numbers of `site` at once, under the same counter lock.
    `taken_in(numbers) -> set` names those of a batch already used (entered by hand)."""
    numbers: list[str] = []
    with transaction.atomic():
        DocumentSequence.objects.bulk_create([DocumentSequence(site=site, prefix=prefix)], ignore_conflicts=True)
        sequence = DocumentSequence.objects.select_for_update().get(site=site, prefix=prefix)
        value = sequence.last_value
        while len(numbers) < count:
            batch = [f"{prefix}-{site.code}-{value + n:06d}" for n in range(1, count - len(numbers) + 1)]
            value += len(batch)
            used = taken_in(batch) if taken_in is not None else set()
            numbers.extend(n for n in batch if n not in used)
        DocumentSequence.objects.filter(pk=sequence.pk).update(last_value=value)
    return numbers


def save_new_document(model, *, site, number: str | None, prefix: str, user, **fields):
    """Validate and save a new document (a pick list, an expected receipt) of `site`, numbered
    `number` or, without one, the site's next `prefix` number not yet taken."""
    if not number:
        number = next_document_number(site=site, prefix=prefix, taken=lambda n: model.objects.filter(number=n).exists())
    document = model(site=site, number=number, created_by=user, **fields)
    document._history_user = user
    document.full_clean()
    document.save()
    return document
