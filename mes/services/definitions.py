"""Product definitions: create BOM and routing versions, approve them with a signature, explode
a BOM for a work order. A version is draft → approved → obsolete (DEFINITION_STATES); approving
one makes the previously approved version of the same site and item obsolete."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import DomainError, ValidationFailed
from core.events import publish
from core.quantities import parse_quantity
from core.scoping import require_site_access
from core.services.signatures import sign
from core.states import StateMachine, Transition
from core.units import to_base_unit
from mes.models import BOM, BOMLine, DefinitionStatus, Routing, RoutingOperation


class BOMCycle(DomainError):
    code = "bom_cycle"
    default_message = gettext_lazy("The bill of materials contains its own item.")


D = DefinitionStatus
DEFINITION_STATES = StateMachine(
    {
        "approve": Transition(frozenset({D.DRAFT}), D.APPROVED, label=gettext_lazy("approved")),
        "obsolete": Transition(frozenset({D.APPROVED}), D.OBSOLETE, label=gettext_lazy("made obsolete")),
    },
    refusal=gettext_noop("A version that is %(status)s cannot be %(action)s."),
)


def _new_version(model, site, item, user, **fields):
    """Save the next draft version of `model` (a BOM or a routing) of `item` at `site`."""
    definition = model(site=site, item=item, version=_next_version(model, site, item), created_by=user, **fields)
    definition._history_user = user
    definition.save()
    return definition


def _next_version(model, site, item) -> int:
    return (model.objects.filter(site=site, item=item).aggregate(v=Max("version"))["v"] or 0) + 1


def create_bom(*, site, item, lines: list[dict], user, valid_from=None, valid_to=None, description="") -> BOM:
    """A new draft version of `item`'s BOM at `site`. Lines: component, quantity (per unit of the
    item), unit (default the component's base unit), scrap_factor (%), phantom."""
    require_site_access(user, site)
    if not lines:
        raise ValidationFailed(_("Add at least one line."), field="lines", code="required")
    prepared = []
    for index, data in enumerate(lines, start=1):
        component = data.get("component")
        if component is None:
            raise ValidationFailed(_("Line %(n)s: choose a component.") % {"n": index}, field="lines")
        if component.pk == item.pk:
            raise BOMCycle(_("%(item)s cannot be a component of itself.") % {"item": item.code})
        quantity = parse_quantity(data.get("quantity"), field="lines")
        unit = data.get("unit") or component.base_unit
        to_base_unit(quantity, unit, component)  # refuses a unit the component cannot be counted in
        scrap_factor = Decimal(str(data.get("scrap_factor") or 0))
        if scrap_factor < 0:
            raise ValidationFailed(_("Line %(n)s: the scrap factor cannot be negative.") % {"n": index}, field="lines")
        prepared.append(
            BOMLine(
                line_no=index,
                component=component,
                quantity=quantity,
                unit=unit,
                scrap_factor=scrap_factor,
                phantom=bool(data.get("phantom")),
            )
        )
    with transaction.atomic():
        bom = _new_version(BOM, site, item, user, valid_from=valid_from, valid_to=valid_to, description=description)
        for line in prepared:
            line.bom = bom
        BOMLine.objects.bulk_create(prepared)
        _check_cycle(bom)
        publish("mes.bom.created", {"site": site.code, "item": item.code, "version": bom.version}, site=site)
    return bom


def _components(site, item_id, *, extra: BOM | None = None) -> set[int]:
    """Components of the BOMs of `item_id` at `site` that are not obsolete (plus `extra`'s)."""
    rows = BOMLine.objects.filter(bom__site=site, bom__item_id=item_id).exclude(bom__status=D.OBSOLETE)
    found = set(rows.values_list("component_id", flat=True))
    if extra is not None and extra.item_id == item_id:
        found |= set(extra.lines.values_list("component_id", flat=True))
    return found


def _check_cycle(bom: BOM) -> None:
    """Refuse a BOM whose components lead back to its own item, naming the path."""
    from core.models import Item

    root = bom.item_id
    stack = [(component, [root, component]) for component in _components(bom.site, root, extra=bom)]
    seen = set()
    while stack:
        item_id, path = stack.pop()
        if item_id == root:
            codes = dict(Item.objects.filter(pk__in=path).values_list("pk", "code"))
            raise BOMCycle(_("The BOM would contain itself: %(path)s.") % {"path": " → ".join(codes[p] for p in path)})
        if item_id in seen:
            continue
        seen.add(item_id)
        stack.extend((child, [*path, child]) for child in _components(bom.site, item_id))


def _approve(record, *, user, password: str, reason: str, model, event: str):
    require_site_access(user, record.site)
    with transaction.atomic():
        record = model.objects.select_for_update().select_related("site", "item").get(pk=record.pk)
        if isinstance(record, BOM):
            _check_cycle(record)
        previous = (
            model.objects.select_for_update().filter(site=record.site, item=record.item, status=D.APPROVED).first()
        )
        if previous is not None and previous.pk != record.pk:
            DEFINITION_STATES.apply(previous, "obsolete", user)
        DEFINITION_STATES.apply(record, "approve", user, also={"approved_by": user, "approved_at": timezone.now()})
        sign(user=user, password=password, meaning="approved", record=record, reason=reason)
        publish(
            event,
            {
                "site": record.site.code,
                "item": record.item.code,
                "version": record.version,
                "obsoleted": previous.version if previous is not None and previous.pk != record.pk else None,
            },
            site=record.site,
        )
    return record


def approve_bom(*, bom: BOM, user, password: str, reason: str = "") -> BOM:
    """Approve a draft BOM with the approver's electronic signature; the version approved before
    becomes obsolete."""
    return _approve(bom, user=user, password=password, reason=reason, model=BOM, event="mes.bom.approved")


def create_routing(*, site, item, operations: list[dict], user, valid_from=None, valid_to=None, description=""):
    """A new draft routing version. Operations: sequence, name, work_centre, eligible_equipment,
    setup_minutes, run_seconds_per_unit, labour, skill, instructions, materials (items)."""
    require_site_access(user, site)
    if not operations:
        raise ValidationFailed(_("Add at least one operation."), field="operations", code="required")
    sequences = [op.get("sequence") for op in operations]
    if len(set(sequences)) != len(sequences) or any(not isinstance(s, int) or s <= 0 for s in sequences):
        raise ValidationFailed(_("Give each operation its own positive sequence number."), field="operations")
    for op in operations:
        centre = op.get("work_centre")
        if centre is None or centre.site_id != site.pk:
            raise ValidationFailed(
                _("Operation %(n)s: choose a work centre of this site.") % {"n": op["sequence"]}, field="operations"
            )
        for equipment in op.get("eligible_equipment") or ():
            if equipment.work_centre_id != centre.pk:
                raise ValidationFailed(
                    _("Operation %(n)s: %(eq)s is not equipment of %(wc)s.")
                    % {"n": op["sequence"], "eq": equipment.code, "wc": centre.code},
                    field="operations",
                )
    with transaction.atomic():
        routing = _new_version(
            Routing, site, item, user, valid_from=valid_from, valid_to=valid_to, description=description
        )
        for op in sorted(operations, key=lambda o: o["sequence"]):
            step = RoutingOperation.objects.create(
                routing=routing,
                sequence=op["sequence"],
                name=op.get("name") or op["work_centre"].name,
                work_centre=op["work_centre"],
                setup_minutes=Decimal(str(op.get("setup_minutes") or 0)),
                run_seconds_per_unit=Decimal(str(op.get("run_seconds_per_unit") or 0)),
                labour=op.get("labour") or 1,
                skill=op.get("skill") or "",
                instructions=op.get("instructions") or "",
            )
            step.eligible_equipment.set(op.get("eligible_equipment") or [])
            step.materials.set(op.get("materials") or [])
        publish("mes.routing.created", {"site": site.code, "item": item.code, "version": routing.version}, site=site)
    return routing


def approve_routing(*, routing: Routing, user, password: str, reason: str = "") -> Routing:
    """Approve a draft routing with a signature; the version approved before becomes obsolete."""
    return _approve(routing, user=user, password=password, reason=reason, model=Routing, event="mes.routing.approved")


def approved_version(model, *, site, item, on=None):
    """The approved BOM or routing of `item` at `site` valid on `on` (today), or None."""
    on = on or timezone.localdate()
    record = model.objects.filter(site=site, item=item, status=D.APPROVED).first()
    if record is None:
        return None
    if (record.valid_from and record.valid_from > on) or (record.valid_to and record.valid_to < on):
        return None
    return record


def explode_bom(bom: BOM, *, quantity: Decimal, on=None) -> list[dict]:
    """What `quantity` of the BOM's item needs, per component in base units with the scrap factor
    added; phantom components are replaced by their own approved BOM's lines, level by level."""
    needs: list[dict] = []

    def walk(current: BOM, factor: Decimal, depth: int, path: tuple):
        for line in current.lines.select_related("component__base_unit", "unit").order_by("line_no"):
            per_unit = to_base_unit(line.quantity, line.unit, line.component) * factor
            scrap = Decimal(1) + line.scrap_factor / Decimal(100)
            if line.phantom:
                child = approved_version(BOM, site=current.site, item=line.component, on=on)
                if child is None:
                    raise ValidationFailed(
                        _("Phantom %(item)s has no approved BOM.") % {"item": line.component.code}, field="item"
                    )
                if child.item_id in path:
                    raise BOMCycle(_("The BOM would contain itself through %(item)s.") % {"item": child.item.code})
                walk(child, per_unit * scrap, depth + 1, (*path, child.item_id))
                continue
            needs.append(
                {
                    "component": line.component,
                    "quantity_per_unit": per_unit,
                    "scrap_factor": line.scrap_factor,
                    "required": (per_unit * scrap * quantity).quantize(Decimal("0.000001")),
                }
            )

    walk(bom, Decimal(1), 0, (bom.item_id,))
    return needs
