"""The one lock order of the system, and the site-wide lock.

Every service that locks rows takes them in this order, each kind in primary-key order, and
never goes back to an earlier kind once it holds a later one:

1. **site-wide work** — `lock_site_work(site, purpose)`: a transaction-level advisory lock per
   (purpose, site) that serialises one kind of site-wide job (count generation, alert
   evaluation). It is not a row lock on `core_site`, so it never blocks the `FOR KEY SHARE`
   that every insert referencing the site takes (events, moves, tasks).
2. **document header** — the record the action is about: a pick list, an expected receipt,
   a count task (`FOR UPDATE`).
3. **document line** — its line (pick line, receipt line).
4. **item allocation** — the item rows whose stock is being allocated to pick lists
   (`FOR NO KEY UPDATE`).
5. **bins** — `FOR NO KEY UPDATE` (blocking, capacity and the ledger's moves), so inserts that
   merely reference a bin (moves, pick lines, count tasks) are never blocked by them.
6. **lots** — `FOR NO KEY UPDATE` (status changes; serial numbers, whose on-hand across all
   bins is decided under the lot's lock).
7. **stock rows** (`wms_stockquant`), `FOR UPDATE`.

Inserts come last and lock nothing that an earlier step needs. A service called by another
(the ledger's `post_move` inside `confirm_pick`) only takes locks later in the order than the
caller's, or the same rows again.
"""

import zlib

from django.db import connection


def _purpose_key(purpose: str) -> int:
    """A stable signed 32-bit key for `purpose` (PostgreSQL's two-key advisory locks take int4)."""
    value = zlib.crc32(purpose.encode())
    return value - 2**32 if value >= 2**31 else value


def lock_site_work(site, purpose: str) -> None:
    """Serialise `purpose` at `site` until the end of the current transaction (step 1 above).

    On SQLite (the embedded default) a writing transaction holds the whole database, so there is
    nothing more to take.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_site_work() must be called inside transaction.atomic()")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_purpose_key(purpose), site.pk])
