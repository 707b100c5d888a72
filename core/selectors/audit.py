"""The audit trail of one record: its history entries (who, when, what changed from what to
what) and the electronic signatures on it. Any page of any app shows it through the
`{% audit_trail record %}` tag (core/templatetags/audit.py) and the core/_audit_trail.html partial.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import dateformat, timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.display import plain_decimal
from core.services.signatures import signatures_for

EMPTY = "—"


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: datetime
    who: str
    action: str  # created | changed | deleted
    action_label: str
    reason: str = ""
    subject: str = ""  # for a child record's entry: which child (in the parent's trail)
    changes: list[FieldChange] = field(default_factory=list)
    signatures: list = field(default_factory=list)


@dataclass
class AuditTrail:
    entries: list[AuditEntry]
    signatures: list

    def __bool__(self):
        return bool(self.entries or self.signatures)


ACTIONS = {
    "+": ("created", gettext_lazy("created")),
    "~": ("changed", gettext_lazy("changed")),
    "-": ("deleted", gettext_lazy("deleted")),
}


# parent model -> [(child model, name of the child's foreign key to the parent)]: changes of the
# children (an item's pack conversions, a receipt's lines) belong in the parent's trail.
_RELATED: dict[type, list[tuple[type, str]]] = {}


def register_related_history(parent_model, child_model, fk_name: str) -> None:
    """Show the history of `child_model` rows whose `fk_name` points at a record in that record's
    trail. Apps call it from their AppConfig.ready()."""
    pairs = _RELATED.setdefault(parent_model, [])
    if (child_model, fk_name) not in pairs:
        pairs.append((child_model, fk_name))


# Bookkeeping fields nobody needs to read in a trail.
SKIPPED_FIELDS = {"id", "created_at", "updated_at"}


def audit_trail(*, record, user, limit: int = 200) -> AuditTrail:
    """History entries of `record` and of its registered children, newest first, with
    field-level changes and the signatures.

    The caller has already fetched `record` through a site-scoped selector for `user`, so the
    user may see it; each history is read in one query and diffed in memory.
    """
    signatures = list(signatures_for(record))
    refused = _refused_signatures(record, limit)
    history = getattr(record, "history", None)
    if history is None:
        return AuditTrail(entries=refused, signatures=signatures)
    by_history = {}
    for signature in signatures:
        if signature.history_id is not None:
            by_history.setdefault(signature.history_id, []).append(signature)

    rows = list(history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows.reverse()  # oldest first, so each row diffs against the one before it
    entries = _entries(type(record), rows, by_history, skip_first=len(rows) > limit)
    for child_model, fk_name in _RELATED.get(type(record), []):
        fk_column = child_model._meta.get_field(fk_name).attname
        child_rows = list(
            child_model.history.filter(**{fk_column: record.pk})
            .select_related("history_user")
            .order_by("history_date", "history_id")[:limit]
        )
        by_child: dict = {}
        for row in child_rows:
            by_child.setdefault(row.id, []).append(row)
        for group in by_child.values():
            entries.extend(_entries(child_model, group, {}, parent_fk=fk_name))
    entries.extend(refused)
    entries.extend(_approval_entries(record, limit))
    entries.sort(key=lambda e: e.when, reverse=True)
    return AuditTrail(entries=entries[:limit], signatures=signatures)


def _refused_signatures(record, limit: int) -> list[AuditEntry]:
    """Signatures refused on `record` for a wrong password (core.lockout): who tried, and when."""
    from core.models import Event, User

    events = list(
        Event.objects.filter(
            name="core.signature.failed", payload__record=f"{record._meta.label_lower}:{record.pk}"
        ).order_by("-occurred_at")[:limit]
    )
    # Named like every other entry: the person's full name, not the user name they typed.
    usernames = {event.payload.get("user", "") for event in events}
    people = {user.username: _who(user) for user in User.objects.filter(username__in=usernames)}
    return [
        AuditEntry(
            when=event.occurred_at,
            who=people.get(event.payload.get("user", ""), event.payload.get("user", "")),
            action="signature_refused",
            action_label=gettext_lazy("signature refused"),
            reason=_("wrong password"),
        )
        for event in events
    ]


def _approval_entries(record, limit: int) -> list[AuditEntry]:
    """The approval requests on `record` (asked, escalated, decided): they point at it through a
    generic relation, so they are looked up by content type and id rather than a foreign key."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import ApprovalRequest

    rows = list(
        ApprovalRequest.history.filter(
            content_type_id=ContentType.objects.get_for_model(record).pk, object_id=str(record.pk)
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")[:limit]
    )
    by_request: dict = {}
    for row in rows:
        by_request.setdefault(row.id, []).append(row)
    entries = []
    for group in by_request.values():
        entries.extend(
            _entries(ApprovalRequest, group, {}, parent_fk="object_id", skip={"content_type", "fingerprint", "site"})
        )
    return entries


def _entries(model, rows, by_history, *, skip_first=False, parent_fk=None, skip=frozenset()) -> list[AuditEntry]:
    """Entries of one record's history rows (oldest first); returns them oldest first."""
    related = _related_labels(model, rows)
    entries = []
    for index, row in enumerate(rows):
        if index == 0 and skip_first:
            continue  # only used as the base of the next row's diff
        previous = rows[index - 1] if index else None
        action, label = ACTIONS.get(row.history_type, ACTIONS["~"])
        entry = AuditEntry(
            when=row.history_date,
            who=_who(row.history_user),
            action=action,
            action_label=label,
            reason=row.history_change_reason or "",
            signatures=by_history.get(row.history_id, []),
        )
        if parent_fk is not None:
            entry.subject = _subject(model, row, related, parent_fk, skip)
        if previous is not None and action == "changed":
            for change in row.diff_against(previous).changes:
                if change.field not in SKIPPED_FIELDS and change.field not in skip:
                    model_field = model._meta.get_field(change.field)
                    entry.changes.append(
                        FieldChange(
                            field=change.field,
                            label=str(model_field.verbose_name),
                            old=_display(model_field, change.old, related),
                            new=_display(model_field, change.new, related),
                        )
                    )
        elif parent_fk is not None and action in ("created", "deleted"):
            # A child's whole content is news in the parent's trail: what was added or removed.
            for model_field in model._meta.concrete_fields:
                if model_field.name in SKIPPED_FIELDS or model_field.name == parent_fk or model_field.name in skip:
                    continue
                value = _display(model_field, getattr(row, model_field.attname), related)
                old, new = (EMPTY, value) if action == "created" else (value, EMPTY)
                entry.changes.append(
                    FieldChange(field=model_field.name, label=str(model_field.verbose_name), old=old, new=new)
                )
        entries.append(entry)
    return [
        e
        for e in _merge_m2m_rows(entries, model)
        if e.action != "changed" or e.changes or e.signatures or e.reason  # saves that changed nothing
    ]


def _subject(model, row, related, parent_fk, skip=frozenset()) -> str:
    """ "Unit conversion box": the child's kind and what tells it apart from its siblings."""
    names = [
        related.get((f.name, getattr(row, f.attname)), "")
        for f in model._meta.concrete_fields
        if f.is_relation and f.name not in (parent_fk, "history_user", *skip)
    ]
    return " ".join([str(model._meta.verbose_name).capitalize(), *[n for n in names if n]][:2])


BURST_SECONDS = 2


def _merge_m2m_rows(entries: list[AuditEntry], model) -> list[AuditEntry]:
    """One save writes several history rows: the record, then one per many-to-many add and
    remove. Fold those many-to-many rows into the save they belong to (same person, within
    seconds), so the trail shows "sites: P1 → P2" once."""
    m2m = {f.name for f in model._meta.many_to_many}
    merged: list[AuditEntry] = []
    for entry in entries:
        last = merged[-1] if merged else None
        if (
            last is not None
            and entry.action == "changed"
            and entry.changes
            and all(c.field in m2m for c in entry.changes)
            and last.action in ("created", "changed")
            and last.who == entry.who
            and not entry.signatures
            and (entry.when - last.when).total_seconds() < BURST_SECONDS
        ):
            by_field = {c.field: c for c in last.changes}
            for change in entry.changes:
                if change.field in by_field:
                    by_field[change.field].new = change.new
                else:
                    last.changes.append(change)
            last.changes = [c for c in last.changes if c.old != c.new]
            continue
        merged.append(entry)
    return merged


def _who(user) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.username


def _related_labels(model, rows) -> dict:
    """{(field name, pk): label} for every foreign key and many-to-many value in `rows`."""
    wanted: dict[str, set] = {}
    for f in model._meta.get_fields():
        if isinstance(f, models.ForeignKey):
            values = {getattr(row, f.attname, None) for row in rows} - {None}
            if values:
                wanted[f.name] = values
    labels = {}
    for name, pks in wanted.items():
        related_model = model._meta.get_field(name).related_model
        for obj in related_model._default_manager.filter(pk__in=pks):
            labels[(name, obj.pk)] = str(obj)
    for m2m in getattr(rows[0], "_history_m2m_fields", []) if rows else []:
        target = m2m.related_model
        labels.update({(m2m.name, obj.pk): str(obj) for obj in target._default_manager.all()[:1000]})
    return labels


def _display(model_field, value, related: dict) -> str:
    if model_field.many_to_many:
        name = model_field.m2m_reverse_field_name()
        pks = [row.get(name) for row in value or [] if isinstance(row, dict)]
        return ", ".join(sorted(related.get((model_field.name, pk), str(pk)) for pk in pks if pk is not None)) or EMPTY
    if value is None or value == "":
        return EMPTY
    if model_field.is_relation:
        return related.get((model_field.name, value), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return str(localize(plain_decimal(value)))
    # Times and dates as the trail's own time stamps read (local time, ISO order).
    if isinstance(value, datetime):
        return dateformat.format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i:s")
    if isinstance(value, date):
        return dateformat.format(value, "Y-m-d")
    return str(localize(value))


def _register_core_children() -> None:
    from core.models import ApprovalDelegation, Item, UnitConversion, User

    register_related_history(Item, UnitConversion, "item")
    # Who decides in whose place, and when, is part of both people's trail.
    register_related_history(User, ApprovalDelegation, "delegator")
    register_related_history(User, ApprovalDelegation, "delegate")


_register_core_children()
