"""Inspection pages: the QC station (open tasks of the site, scan a lot label to open its task,
results entry with the live out-of-spec flag, the signed decision) and the desk list of tasks.
The operator terminal opens the same entry screen from its banner."""

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.floor.views import floor_view
from core.listing import Column
from core.scancodes import parse
from qms.api.inspect import InspectionTaskFilter
from qms.models import CharacteristicKind, InspectionStatus
from qms.selectors import inspections as selectors
from qms.services import inspections
from wms.desk.filters import filter_bar
from wms.desk.views.base import desk, for_site, render_list
from wms.selectors.stock import lot_list

RECORD = "qms.change_inspectiontask"
# Value boxes shown per measured characteristic at a time; the rest of a large sample is entered
# in further submissions.
BOXES = 10


@floor_view(RECORD)
def station(request):
    """Open inspection tasks of the site; scanning a lot label (or typing its code) opens its task."""
    tasks = list(selectors.open_tasks(user=request.user, site=request.site))
    error = ""
    code = request.GET.get("code", "").strip()
    if code:
        lots = lot_list(user=request.user).filter(pk__in=[t.lot_id for t in tasks if t.lot_id])
        try:
            scan = parse(code, user=request.user, lots=lots)
        except DomainError as exc:
            error = str(exc.message)
        else:
            match = [t for t in tasks if scan.lot is not None and t.lot_id == scan.lot.pk]
            if match:
                return redirect("qms:station-task", pk=match[0].pk)
            error = _("No open inspection for %(code)s.") % {"code": code[:60]}
    return render(
        request, "qms/inspect/station.html", {"tasks": tasks, "scan_error": error}, status=400 if error else 200
    )


def _entry_rows(task, data=None, culprit: str = ""):
    """Per characteristic: its limits, how much of the sample is recorded, and the input boxes."""
    done = inspections.progress(task)
    rows = []
    for c in selectors.task_characteristics(task):
        recorded = done[c.pk].recorded if c.pk in done else 0
        left = max(task.sample_size - recorded, 0)
        row = {
            "c": c,
            "recorded": recorded,
            "nonconforming": done[c.pk].nonconforming if c.pk in done else 0,
            "left": left,
            "variable": c.kind == CharacteristicKind.VARIABLE,
            "inputs": [],
            # limits as the inspector types values: plain decimal notation
            "limits": {
                name: _plain(getattr(c, name)) for name in ("lsl", "nominal", "usl") if getattr(c, name) is not None
            },
        }
        if row["variable"]:
            for j in range(min(left, BOXES)):
                name = f"v-{c.pk}-{j}"
                row["inputs"].append(
                    {
                        "name": name,
                        "label": _("Unit %(n)s") % {"n": recorded + j + 1},
                        "value": (data or {}).get(name, ""),
                        "error": name == culprit,
                    }
                )
        elif left:
            for key, name in (("count", f"c-{c.pk}"), ("defect", f"d-{c.pk}")):
                row[key] = {"name": name, "value": (data or {}).get(name, ""), "error": name == culprit}
        rows.append(row)
    return rows


def _plain(value) -> str:
    """1.500000 → 1.5, 74 → 74: the limit as it would be typed."""
    return format(value.normalize(), "f")


def _submitted(task, data):
    """The results of a POST in the service's shape, and which input each value came from."""
    results, sources = [], []
    for c in selectors.task_characteristics(task):
        if c.kind == CharacteristicKind.VARIABLE:
            names = [n for n in sorted(data, key=_box_order) if n.startswith(f"v-{c.pk}-") and data[n].strip()]
            if names:
                results.append({"characteristic": c.code, "values": [data[n] for n in names]})
                sources.append({"values": names})
        elif data.get(f"c-{c.pk}", "").strip():
            results.append(
                {"characteristic": c.code, "count": data[f"c-{c.pk}"], "defect_type": data.get(f"d-{c.pk}", "")}
            )
            sources.append({"count": f"c-{c.pk}", "defect_type": f"d-{c.pk}"})
    return results, sources


def _box_order(name: str):
    parts = name.split("-")
    return (parts[0], *(int(p) if p.isdigit() else 0 for p in parts[1:]))


def _culprit(field: str | None, sources) -> str:
    """The input a service refusal names (`results.<i>.values.<j>` → `v-<pk>-<j>`)."""
    parts = (field or "").split(".")
    if len(parts) < 3 or parts[0] != "results" or not parts[1].isdigit() or int(parts[1]) >= len(sources):
        return ""
    names = sources[int(parts[1])].get(parts[2])
    if isinstance(names, list):
        return names[int(parts[3])] if len(parts) > 3 and parts[3].isdigit() and int(parts[3]) < len(names) else ""
    return names or ""


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("accept", gettext_lazy("Accept")),
            ("reject", gettext_lazy("Reject")),
            ("partial", gettext_lazy("Accept partly")),
        ],
        widget=forms.RadioSelect,
    )
    rejected_quantity = forms.CharField(label=gettext_lazy("Rejected quantity"), required=False, max_length=40)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=300)
    password = forms.CharField(
        label=gettext_lazy("Your password (electronic signature)"), widget=forms.PasswordInput, strip=False
    )


def _task(request, pk):
    return get_object_or_404(selectors.task_list(user=request.user).filter(site=request.site), pk=pk)


def _screen(request, task, *, status=200, data=None, culprit="", error="", decide_form=None):
    suggestion = inspections.suggest_decision(task)
    may_decide = request.user.has_role(*inspections.DECIDE_ROLES) and task.is_open
    initial = {"decision": suggestion.decision} if suggestion.decision else {}
    return render(
        request,
        "qms/inspect/task.html",
        {
            "task": task,
            "rows": _entry_rows(task, data, culprit),
            "suggestion": suggestion,
            "entry_error": error,
            "may_decide": may_decide,
            "decide_form": decide_form or DecideForm(initial=initial),
            "back": request.GET.get("back", "") == "terminal",
        },
        status=status,
    )


@floor_view(RECORD)
def station_task(request, pk):
    """Results entry of one task: per characteristic its limits and the values still to record."""
    task = _task(request, pk)
    if request.method != "POST" or not task.is_open:
        return _screen(request, task)
    results, sources = _submitted(task, request.POST)
    if not results:
        return _screen(request, task, status=400, data=request.POST, error=_("Enter at least one result."))
    try:
        inspections.record_results(task=task, results=results, user=request.user)
    except DomainError as exc:
        status = 400 if exc.status == 400 else 409
        culprit = _culprit(exc.field, sources)
        return _screen(request, task, status=status, data=request.POST, culprit=culprit, error=str(exc.message))
    messages.success(request, _("Results recorded."))
    return redirect(request.get_full_path())


@floor_view(RECORD)
def station_decide(request, pk):
    """The inspector's decision, signed with the password."""
    task = _task(request, pk)
    if request.method != "POST":
        return redirect("qms:station-task", pk=task.pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            inspections.decide_inspection(task=task, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            target = exc.field if exc.field in form.fields else None
            form.add_error(target, str(exc.message))
        else:
            task.refresh_from_db()
            messages.success(
                request,
                _("%(number)s: %(status)s.") % {"number": task.number, "status": task.get_status_display().lower()},
            )
            return redirect("qms:station")
    form.fields["password"].widget.attrs["autofocus"] = True
    return _screen(request, task, status=400, decide_form=form)


def inspection_banners(request, equipment) -> list[dict]:
    """The operator terminal's banner: in-process inspections due on this machine."""
    if not request.user.has_perm(RECORD):
        return []
    return [
        {
            "title": _("Quality check due"),
            "text": _("%(item)s · sample %(n)s · tap to enter the results")
            % {"item": task.item.code, "n": task.sample_size},
            "url": reverse("qms:station-task", args=[task.pk]) + "?back=terminal",
            "kind": "warn",
        }
        for task in selectors.due_on_equipment(user=request.user, equipment=equipment)
    ]


# --- desk ---------------------------------------------------------------------------------------


class DeskTaskFilter(InspectionTaskFilter):
    site = None

    class Meta(InspectionTaskFilter.Meta):
        fields = ["number", "stage", "status", "item", "lot", "equipment", "work_order"]


TASK_COLUMNS = [
    Column("number", gettext_lazy("Number"), ("number",), lambda t: t.number),
    Column("created", gettext_lazy("Opened"), ("created_at",), lambda t: t.created_at),
    Column("stage", gettext_lazy("Stage"), ("stage",), lambda t: t.get_stage_display()),
    Column("item", gettext_lazy("Item"), ("item__code",), lambda t: t.item.code),
    Column("lot", gettext_lazy("Lot / machine"), ("lot__code",), lambda t: t.lot.code if t.lot else ""),
    Column("sample", gettext_lazy("Sample"), ("sample_size",), lambda t: t.sample_size, num=True),
    Column("status", gettext_lazy("Status"), ("status",), lambda t: t.get_status_display()),
    Column(
        "decided_by",
        gettext_lazy("Decided by"),
        ("decided_by__username",),
        lambda t: t.decided_by.username if t.decided_by else "",
    ),
]


@desk("qms.view_inspectiontask")
def task_desk_list(request):
    """All inspection tasks of the current site, filtered like the API."""
    rows = for_site(selectors.task_list(user=request.user), request)
    form, tasks = filter_bar(DeskTaskFilter, request, rows)
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    return render_list(
        request,
        "qms/inspect/task_list.html",
        tasks,
        columns=TASK_COLUMNS,
        title=_("Inspections"),
        form=form,
        status_cards=[(value, label, counts.get(value, 0)) for value, label in InspectionStatus.choices],
        station_url=reverse("qms:station"),
    )
