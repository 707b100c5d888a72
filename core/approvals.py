"""The approvals registry: each app declares, in one place, the kinds of decision it asks for.

An app registers an `ApprovalKind` from its AppConfig.ready() (wms/approvals.py declares the
count variance). The inbox, the API, notifications and escalation read only these declarations,
so core knows no app by name and the layer contract holds: the declaration points down at core,
never the other way round.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _

from core.errors import NotFound


@dataclass(frozen=True)
class Figure:
    """One figure a card shows so the approver can decide: "Variance", "-12 kg"."""

    label: str
    value: str
    emphasis: bool = False


@dataclass(frozen=True)
class ApprovalKind:
    """What is approved and how.

    - `model`: the record decided on; `site_of(record)` its site (who may decide is scoped by it).
    - `roles`: the ladder of roles that may decide, lowest first; escalation climbs it.
    - `approve_meaning` / `reject_meaning`: the e-signature meaning of each decision.
    - `needs_approval(record)`: the kind's thresholds; False means no decision is asked for.
    - `title(record)` and `figures(record)`: what the card says is asked and the figures needed
      to decide it.
    - `fingerprint(record)`: a string that changes whenever the record changes in a way that
      matters to the decision; a request whose record no longer matches is stale.
    - `approve` / `reject`: `(record=, user=, password=, comment=)` the kind's own services,
      which sign (`signs=True`) and lock their rows.
    - `urgency(record)`: "high" decisions are e-mailed at once, "normal" ones when escalated.
    - `escalate_after`: how long a decision may wait before it goes to the next role up.
    - `related`: select_related paths for loading many records at once (one query per kind).
    - `url(record)`: the record's own page, for the card's link and the e-mail.
    """

    name: str
    label: str
    model: type
    roles: tuple[str, ...]
    title: Callable[[Any], str]
    figures: Callable[[Any], list[Figure]]
    fingerprint: Callable[[Any], str]
    approve: Callable[..., Any]
    reject: Callable[..., Any]
    needs_approval: Callable[[Any], bool] = lambda record: True
    site_of: Callable[[Any], Any] = lambda record: getattr(record, "site", None)
    urgency: Callable[[Any], str] = lambda record: "normal"
    url: Callable[[Any], str] | None = None
    approve_meaning: str = "approved"
    reject_meaning: str = "rejected"
    signs: bool = True
    reject_needs_comment: bool = True
    escalate_after: timedelta = timedelta(hours=8)
    related: tuple[str, ...] = field(default_factory=tuple)

    def role_at(self, level: int) -> str:
        """The role told of a request at `level` (any role of the ladder may decide it)."""
        return self.roles[min(level, len(self.roles) - 1)]


_kinds: dict[str, ApprovalKind] = {}


def register(kind: ApprovalKind) -> ApprovalKind:
    """Declare a kind of approval; registering the same name again replaces it (reloads)."""
    _kinds[kind.name] = kind
    return kind


def get_kind(name: str) -> ApprovalKind:
    try:
        return _kinds[name]
    except KeyError:
        raise NotFound(_("Unknown kind of approval.")) from None


def all_kinds() -> list[ApprovalKind]:
    return list(_kinds.values())
