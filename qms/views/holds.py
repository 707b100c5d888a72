"""Quality hold pages: the list (filter bar, sort, export), placing a hold (from the list, or
from a lot, equipment or work order page), and a hold's page with its signed release, laid out
so that an approver can act from a phone. The same services as the API do the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import REFUSALS, DomainErrorsMixin
from core.listing import Column
from mes.models import Equipment, WorkOrder
from qms.api.holds import QualityHoldFilter
from qms.models import HoldReason, HoldStatus
from qms.selectors.holds import find_target, hold_list
from qms.services.holds import place_hold, release_hold
from wms.desk.filters import filter_bar
from wms.desk.views.base import for_site, render_list
from wms.models import Lot

VIEW = "qms.view_qualityhold"

COLUMNS = [
    Column("number", gettext_lazy("Hold"), ("number",), lambda h: h.number),
    Column("status", gettext_lazy("Status"), ("status",), lambda h: h.get_status_display()),
    Column("target", gettext_lazy("Held"), (), lambda h: h.target_label),
    Column("kind", gettext_lazy("Kind"), (), lambda h: h.target_kind_label),
    Column("reason_code", gettext_lazy("Reason code"), ("reason_code",), lambda h: h.get_reason_code_display()),
    Column("reason", gettext_lazy("Reason"), (), lambda h: h.reason),
    Column("placed_at", gettext_lazy("Placed"), ("placed_at",), lambda h: h.placed_at),
    Column("placed_by", gettext_lazy("Placed by"), ("placed_by__username",), lambda h: _who(h.placed_by)),
    Column("released_at", gettext_lazy("Released"), ("released_at",), lambda h: h.released_at),
]


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else _("system")


def guarded(view):
    """Signed in, allowed to see holds, working at a site."""

    @login_required
    @permission_required(VIEW, raise_exception=True)
    def wrapper(request, *args, **kwargs):
        if request.site is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


class HoldListFilter(QualityHoldFilter):
    site = None
    placed_after = None
    placed_before = None

    class Meta(QualityHoldFilter.Meta):
        fields = ["status", "target", "reason_code", "item", "lot", "equipment", "work_order"]


@guarded
def hold_list_page(request):
    rows = for_site(hold_list(user=request.user), request)
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(
            Q(number__icontains=query)
            | Q(reason__icontains=query)
            | Q(lot__code__icontains=query)
            | Q(equipment__code__icontains=query)
            | Q(work_order__number__icontains=query)
        )
    form, rows = filter_bar(HoldListFilter, request, rows, defaults={"status": HoldStatus.ACTIVE})
    return render_list(
        request,
        "qms/qhold/hold_list.html",
        rows,
        columns=COLUMNS,
        title=_("Quality holds"),
        form=form,
        searchable=True,
        query=query,
        search_hint=_("hold, reason, lot, equipment or order"),
        can_place=request.user.has_perm("qms.add_qualityhold"),
    )


class PlaceHoldForm(DomainErrorsMixin, forms.Form):
    """What to hold (by its codes, or fixed when the page came from the record) and why."""

    item = forms.CharField(label=gettext_lazy("Item (of the lot)"), max_length=60, required=False)
    lot = forms.CharField(label=gettext_lazy("Lot"), max_length=60, required=False)
    equipment = forms.CharField(label=gettext_lazy("Equipment"), max_length=30, required=False)
    work_order = forms.CharField(label=gettext_lazy("Work order"), max_length=40, required=False)
    reason_code = forms.ChoiceField(label=gettext_lazy("Reason code"), choices=HoldReason.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300})
    )
    error_aliases = {"target": "lot", "site": "lot"}


def _given_target(request):
    """The record named by ?lot= / ?equipment= / ?work_order= (ids, from that record's page)."""
    for name, model in (("lot", Lot), ("equipment", Equipment), ("work_order", WorkOrder)):
        pk = request.GET.get(name) or request.POST.get(f"{name}_id")
        if pk:
            if not str(pk).isdigit():
                return None
            return name, get_object_or_404(model.objects.for_user(request.user).select_related("site"), pk=pk)
    return None


@guarded
def hold_create(request):
    if not request.user.has_perm("qms.add_qualityhold"):
        raise PermissionDenied
    given = _given_target(request)
    form = PlaceHoldForm(request.POST or None)
    if given:
        for name in ("item", "lot", "equipment", "work_order"):
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = (
                {given[0]: given[1]}
                if given
                else find_target(
                    user=request.user,
                    site=request.site,
                    item=data["item"],
                    lot=data["lot"],
                    equipment=data["equipment"],
                    work_order=data["work_order"],
                )
            )
            hold = place_hold(user=request.user, reason_code=data["reason_code"], reason=data["reason"], **target)
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            messages.success(
                request, _("%(target)s is held (%(hold)s).") % {"target": hold.target_label, "hold": hold.number}
            )
            return redirect("qms:hold-detail", pk=hold.pk)
    return render(
        request, "qms/qhold/hold_form.html", {"form": form, "given": given}, status=400 if form.errors else 200
    )


class ReleaseHoldForm(DomainErrorsMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why is it released?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
    )
    password = forms.CharField(
        label=gettext_lazy("Your password (e-signature)"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@guarded
def hold_detail(request, pk):
    hold = get_object_or_404(hold_list(user=request.user), pk=pk)
    form = ReleaseHoldForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("qms.change_qualityhold"):
            raise PermissionDenied
        if form.is_valid():
            try:
                hold = release_hold(
                    hold=hold,
                    user=request.user,
                    password=form.cleaned_data["password"],
                    note=form.cleaned_data["note"],
                )
            except REFUSALS as error:
                form.show_domain_error(error)
            else:
                messages.success(request, _("%(hold)s is released.") % {"hold": hold.number})
                return redirect("qms:hold-detail", pk=hold.pk)
    can_release = hold.status == HoldStatus.ACTIVE and request.user.has_role("quality", "admin")
    return render(
        request,
        "qms/qhold/hold_detail.html",
        {
            "hold": hold,
            "form": form,
            "can_release": can_release,
        },
        status=400 if form.errors else 200,
    )
