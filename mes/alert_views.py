"""Alert pages of the production desk: the alerts (open first, live), one alert with its
recommended actions and history, and the alert rules. The same services as the API do the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import ServiceForm
from core.object_views import ObjectPage
from core.selectors import master_data
from mes.models import AlertRule, AlertSeverity, AlertStatus
from mes.selectors import alerts as selectors
from mes.selectors import plant
from mes.services import alerts as services


def _desk(perm):
    def decorate(view):
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorate


def _site_alerts(request):
    rows = selectors.alert_list(user=request.user)
    return rows.for_site(request.site) if request.site is not None else rows


STATUS_VIEWS = {
    "open": (_("Open"), [AlertStatus.RAISED, AlertStatus.ACKNOWLEDGED]),
    "resolved": (_("Resolved"), [AlertStatus.RESOLVED]),
    "all": (_("All"), list(AlertStatus.values)),
}


def _list_context(request) -> dict:
    shown = request.GET.get("status") if request.GET.get("status") in STATUS_VIEWS else "open"
    rows = _site_alerts(request).filter(status__in=STATUS_VIEWS[shown][1])
    severity = request.GET.get("severity")
    if severity in AlertSeverity.values:
        rows = rows.filter(severity=severity)
    equipment = (request.GET.get("equipment") or "").strip()
    if equipment:
        rows = rows.filter(equipment__code=equipment)
    return {
        "page_obj": Paginator(rows, 50).get_page(request.GET.get("page")),
        "shown": shown,
        "status_views": [(key, label) for key, (label, _statuses) in STATUS_VIEWS.items()],
        "severities": AlertSeverity.choices,
        "severity": severity,
        "equipment": equipment,
        "counts": selectors.open_alert_counts(user=request.user),
        "query": request.GET.urlencode(),
    }


@_desk("mes.view_alert")
def alert_list(request):
    """The alerts of the current site, open first and most severe first; refreshed live."""
    return render(request, "mes/alert_list.html", _list_context(request))


@_desk("mes.view_alert")
def alert_table(request):
    """The list's table alone, re-fetched when an alert event arrives."""
    return render(request, "mes/_alert_table.html", _list_context(request))


class ResolveForm(forms.Form):
    action_taken = forms.CharField(label=_("Action taken"), max_length=300)
    cause = forms.CharField(label=_("Cause"), max_length=300)


@_desk("mes.view_alert")
def alert_detail(request, pk):
    alert = get_object_or_404(selectors.alert_list(user=request.user), pk=pk)
    return render(
        request,
        "mes/alert_detail.html",
        {
            "alert": alert,
            "object": alert,
            "actions": alert.rule.ranked_actions(),
            "form": ResolveForm(),
            "may_acknowledge": services.ALERT_STATES.allowed(alert, "acknowledge", request.user),
            "may_resolve": services.ALERT_STATES.allowed(alert, "resolve", request.user),
            "others": selectors.alert_list(user=request.user)
            .filter(rule=alert.rule, equipment=alert.equipment)
            .exclude(pk=alert.pk)[:10],
        },
    )


def _back(request, alert):
    """Back to the list the tap came from, or to the alert."""
    target = request.POST.get("next", "")
    if target.startswith("/mes/alerts/") and "//" not in target:
        return redirect(target)
    return redirect("mes:alert-detail", pk=alert.pk)


@login_required
@require_POST
def alert_acknowledge(request, pk):
    """One tap: I have seen it."""
    alert = get_object_or_404(selectors.alert_list(user=request.user), pk=pk)
    try:
        services.acknowledge_alert(alert=alert, user=request.user)
        messages.success(request, _("Acknowledged."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(request, alert)


@login_required
@require_POST
def alert_resolve(request, pk):
    """Resolve with the cause and the action taken (a tapped recommended action, or typed)."""
    alert = get_object_or_404(selectors.alert_list(user=request.user), pk=pk)
    data = request.POST.copy()
    typed = (data.get("other_action") or "").strip()
    if typed:
        data["action_taken"] = typed
    form = ResolveForm(data)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("mes:alert-detail", pk=alert.pk)
    try:
        services.resolve_alert(alert=alert, user=request.user, **form.cleaned_data)
        messages.success(request, _("Resolved."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("mes:alert-detail", pk=alert.pk)


# --- rules ---------------------------------------------------------------------------------------


class AlertRuleForm(ServiceForm):
    """A rule on one machine or on a class of machines; the recommended actions one per line."""

    actions_text = forms.CharField(
        label=_("Recommended actions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, the most likely cure first."),
    )

    class Meta:
        model = AlertRule
        fields = [name for name in services.RULE_FIELDS if name != "recommended_actions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["equipment"].queryset = plant.equipment_list(user=self.user)
        if self.instance.pk:
            self.initial["actions_text"] = "\n".join(self.instance.recommended_actions or [])

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["recommended_actions"] = [line.strip() for line in data.pop("actions_text").splitlines() if line.strip()]
        return data


PAGES = {
    "alertrule": ObjectPage(
        model=AlertRule,
        name="alertrule",
        namespace="mes",
        selector=selectors.alert_rule_list,
        form_class=AlertRuleForm,
        list_columns=["name", "site", "equipment", "equipment_class", "tag", "condition", "severity", "active"],
        detail_fields=list(services.RULE_FIELDS),
        create_service=lambda *, user, data: services.create_alert_rule(user=user, **data),
        update_service=lambda *, instance, user, data: services.update_alert_rule(rule=instance, user=user, data=data),
        search_fields=["name", "tag", "equipment__code", "equipment_class__code"],
        filters=["site", "condition", "severity", "active"],
        filter_selectors={"site": master_data.site_list},
        display={
            "recommended_actions": lambda rule: " · ".join(rule.ranked_actions()),
            "site": lambda rule: rule.site.code if rule.site_id else _("every site"),
        },
        labels={"recommended_actions": _("Recommended actions (ranked)")},
        signable=False,
    ),
}
