"""Named state transitions, declared once per state machine (receipts, pick lists, and later work
orders, alerts, NCRs).

A machine is a table `name -> Transition(sources, target, permission)`; `apply` checks the
permission and the current status, raises the domain errors the API maps to 403/409 and the UI
shows as messages, and saves the new status with its history entry.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import InvalidTransition, PermissionDenied


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    permission: str | None = None  # checked for transitions people start (cancel, close...)
    label: str = ""  # how the refusal names the action: "cancelled", "closed" (translatable)


class StateMachine:
    """`refusal` is a translatable sentence with %(status)s and %(action)s, e.g.
    "A receipt that is %(status)s cannot be %(action)s."."""

    def __init__(self, transitions: dict[str, Transition], *, refusal: str, field: str = "status"):
        self.transitions = transitions
        self.refusal = refusal
        self.field = field

    def sources(self, name: str) -> frozenset[str]:
        return self.transitions[name].sources

    def allowed(self, record, name: str, user=None) -> bool:
        transition = self.transitions[name]
        if transition.permission and user is not None and not user.has_perm(transition.permission):
            return False
        return getattr(record, self.field) in transition.sources

    def check(self, record, name: str, user=None) -> Transition:
        """Raise the domain error that refuses transition `name` now (403 without the permission,
        409 naming the current status); return the transition when it is allowed."""
        transition = self.transitions[name]
        if transition.permission and user is not None and not user.has_perm(transition.permission):
            raise PermissionDenied()
        current = getattr(record, self.field)
        if current not in transition.sources:
            display = getattr(record, f"get_{self.field}_display", lambda: current)()
            raise InvalidTransition(
                _(self.refusal) % {"status": str(display).lower(), "action": transition.label or name}
            )
        return transition

    def next_statuses(self) -> dict[str, set[str]]:
        """status -> the statuses it may change to (for pages that offer the next steps)."""
        table: dict[str, set[str]] = {}
        for transition in self.transitions.values():
            for source in transition.sources:
                table.setdefault(source, set()).add(transition.target)
        return table

    def apply(self, record, name: str, user, *, also: dict | None = None) -> bool:
        """Move `record` along transition `name`; `also` sets more fields in the same save.
        Returns False when the record already had the target status (nothing saved)."""
        transition = self.check(record, name, user)
        current = getattr(record, self.field)
        if current == transition.target and not also:
            return False
        setattr(record, self.field, transition.target)
        fields = [self.field]
        for name_, value in (also or {}).items():
            setattr(record, name_, value)
            fields.append(name_)
        if any(f.name == "updated_at" for f in record._meta.concrete_fields):
            fields.append("updated_at")
        record._history_user = user
        record.save(update_fields=fields)
        return True
