"""The operator terminal, under /mes/floor/: sign in with badge and PIN, choose the equipment
(remembered by the tablet), its dispatch list, and the job screen (setup, start, pause with a
reason, resume, complete, report good and scrap, consume lots, read the instructions).

Every action calls the same service as the API. Reports answer JSON to the terminal's script
(which queues them while offline and resends them with their idempotency key) and redirect
otherwise."""

import time
import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.floor.views import SEEN_KEY, floor_view, render_screen
from core.forms import REFUSALS
from core.quantities import plain_quantity
from mes.floor import banners
from mes.floor.forms import PinSignInForm, ReportForm
from mes.models import DowntimeReason, Operation, WorkInstruction
from mes.selectors import terminal
from mes.selectors.dispatch import dispatch_list
from mes.services import operations, production
from wms.models import Bin, Lot

# The tablet remembers its machine in this cookie (a year): the next person lands on its list.
EQUIPMENT_COOKIE = "mes_terminal_equipment"
VIEW = "mes.view_operation"
CHANGE = "mes.change_operation"
REPORT = "mes.add_productionreport"
ACTIONS = {
    "setup": operations.setup_operation,
    "start": operations.start_operation,
    "resume": operations.resume_operation,
    "complete": operations.complete_operation,
}


DONE_LABELS = {
    "setup": gettext_lazy("setup begun"),
    "start": gettext_lazy("started"),
    "resume": gettext_lazy("resumed"),
    "complete": gettext_lazy("completed"),
}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def pin_sign_in(request):
    """Sign in on the terminal with the badge and the floor PIN."""
    form = PinSignInForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.cleaned_data["user"], backend="core.backends.UsernameOrBadgeBackend")
        request.session[SEEN_KEY] = time.time()
        return redirect("mes:terminal")
    return render(
        request, "mes/floor/sign_in.html", {"form": form}, status=400 if form.is_bound and form.errors else 200
    )


@floor_view(VIEW)
def terminal_home(request):
    """Choose the equipment; a tablet that has chosen goes straight to its list."""
    machines = terminal.terminal_equipment(user=request.user, site=request.site)
    remembered = request.COOKIES.get(EQUIPMENT_COOKIE, "")
    if remembered and "choose" not in request.GET and machines.filter(code=remembered).exists():
        return redirect("mes:terminal-dispatch", code=remembered)
    return render(request, "mes/floor/equipment.html", {"machines": machines, "remembered": remembered})


def _equipment(request, code):
    machines = terminal.terminal_equipment(user=request.user, site=request.site)
    return get_object_or_404(machines, code=code)


@floor_view(VIEW)
def dispatch(request, code):
    """The equipment's dispatch list: each line startable or why not, pause and resume in a tap."""
    equipment = _equipment(request, code)
    lines = dispatch_list(user=request.user, equipment=equipment)
    response = render(
        request,
        "mes/floor/dispatch.html",
        {"equipment": equipment, "lines": lines, "terminal_banners": banners.for_equipment(request, equipment)},
    )
    response.set_cookie(EQUIPMENT_COOKIE, equipment.code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _operation(request, pk) -> Operation:
    try:
        return terminal.terminal_operation(user=request.user, pk=pk)
    except Operation.DoesNotExist:
        raise Http404 from None


def _job_context(request, operation, equipment, form=None):
    now = timezone.now()
    instructions = []
    step = operation.work_order.routing.operations.filter(sequence=operation.sequence).first()
    if step is not None:
        instructions = list(step.work_instructions.all())
    return {
        "operation": operation,
        "order": operation.work_order,
        "equipment": equipment,
        "form": form
        or ReportForm(user=request.user, initial={"idempotency_key": uuid.uuid4().hex, "good": "", "scrap": ""}),
        "materials": terminal.fefo_suggestions(operation=operation),
        "scrap_reasons": terminal.scrap_reasons(),
        "instructions": instructions,
        "run_seconds": round(operation.run_seconds(now), 3),
        "server_now": now.isoformat(),
        "running": operation.status == "running",
        "pauses": operation.pauses.select_related("reason").order_by("-started_at")[:5],
        "terminal_banners": banners.for_equipment(request, equipment),
    }


@floor_view(VIEW)
def job(request, code, pk):
    """The job screen of one operation on one machine."""
    equipment = _equipment(request, code)
    operation = _operation(request, pk)
    return render(request, "mes/floor/job.html", _job_context(request, operation, equipment))


@floor_view(CHANGE)
@require_POST
def act(request, code, pk, action):
    """Setup, start, resume or complete from the list or the job screen, then back to it."""
    equipment = _equipment(request, code)
    operation = _operation(request, pk)
    service = ACTIONS.get(action)
    if service is None:
        raise Http404
    kwargs = {"equipment": equipment} if action in ("setup", "start") else {}
    try:
        service(operation=operation, user=request.user, **kwargs)
    except REFUSALS as error:
        messages.error(request, str(getattr(error, "message", error)))
    else:
        messages.success(
            request, _("Operation %(seq)s: %(action)s.") % {"seq": operation.sequence, "action": _(action)}
        )
    if request.POST.get("back") == "list" or action == "complete":
        return redirect("mes:terminal-dispatch", code=equipment.code)
    return redirect("mes:terminal-job", code=equipment.code, pk=operation.pk)


@floor_view(CHANGE)
def pause(request, code, pk):
    """Pause with a reason, in taps: planned or unplanned, then category, then reason."""
    equipment = _equipment(request, code)
    operation = _operation(request, pk)
    node = None
    if request.GET.get("reason"):
        node = get_object_or_404(DowntimeReason, code=request.GET["reason"], active=True)
    if request.method == "POST":
        reason = get_object_or_404(DowntimeReason, code=request.POST.get("reason", ""), active=True)
        try:
            operations.pause_operation(operation=operation, user=request.user, reason=reason.code)
        except REFUSALS as error:
            messages.error(request, str(getattr(error, "message", error)))
        else:
            messages.success(request, _("Paused: %(reason)s.") % {"reason": reason.name})
        if request.POST.get("back") == "list":
            return redirect("mes:terminal-dispatch", code=equipment.code)
        return redirect("mes:terminal-job", code=equipment.code, pk=operation.pk)
    # The roots are planned and unplanned stops, then categories, then reasons.
    choices = terminal.reason_level(parent=node)
    return render(
        request,
        "mes/floor/pause.html",
        {
            "equipment": equipment,
            "operation": operation,
            "node": node,
            "choices": choices,
            "back": request.GET.get("back", ""),
        },
    )


def _consumed(form, operation):
    """The consumed line of a report form, or none."""
    data = form.cleaned_data
    scan = data.get("lot")
    if not scan:
        return []
    if not data.get("consumed"):
        form.add_error("consumed", _("Enter how much was used."))
        return None
    order = operation.work_order
    bin_code = (data.get("bin") or "").strip()
    if bin_code:
        bin_ = Bin.objects.filter(code=bin_code, warehouse__site=order.site).first()
        if bin_ is None:
            form.add_error("lot", _("Bin %(bin)s is not at this site.") % {"bin": bin_code})
            return None
    else:
        bin_ = operation.work_centre.line_side_bin
        if bin_ is None:
            form.add_error("lot", _("Tap a suggestion to say where the material came from."))
            return None
    return [{"item": scan.item, "lot": scan.lot, "bin": bin_, "quantity": data["consumed"]}]


@floor_view(REPORT)
@require_POST
def report(request, code, pk):
    """Book a report. The terminal's script posts here (also when resending a report queued
    offline: the idempotency key makes the resend a no-op) and reads JSON."""
    equipment = _equipment(request, code)
    operation = _operation(request, pk)
    form = ReportForm(request.POST, user=request.user)
    materials = operation.work_order.materials.values("component_id")
    form.fields["lot"].lots = Lot.objects.for_user(request.user).filter(
        site=operation.work_order.site, item_id__in=materials
    )
    created = None
    if form.is_valid():
        consumed = _consumed(form, operation)
        if consumed is not None:
            data = form.cleaned_data
            try:
                done, created = production.report_production(
                    operation=operation,
                    user=request.user,
                    idempotency_key=data["idempotency_key"],
                    good=data.get("good") or 0,
                    scrap=data.get("scrap") or 0,
                    scrap_reason=data.get("scrap_reason"),
                    consumed=consumed,
                )
            except REFUSALS as error:
                form.show_domain_error(error)
    if created is None:
        if _wants_json(request):
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            code_ = "conflict" if "__all__" in errors else "invalid"
            return JsonResponse({"ok": False, "errors": errors, "code": code_}, status=400)
        context = _job_context(request, operation, equipment, form=form)
        return render_screen(request, "mes/floor/job.html", context)
    operation.refresh_from_db(fields=["good", "scrap"])
    message = _("Reported %(good)s good, %(scrap)s scrap.") % {
        "good": plain_quantity(done.good),
        "scrap": plain_quantity(done.scrap),
    }
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "created": created,
                "report": done.pk,
                "message": message,
                "good": plain_quantity(operation.good),
                "scrap": plain_quantity(operation.scrap),
            },
            status=201 if created else 200,
        )
    messages.success(request, message)
    return redirect("mes:terminal-job", code=equipment.code, pk=operation.pk)


@floor_view(VIEW)
def instruction_file(request, pk):
    """A work instruction's picture or PDF, from Django's storage, for the user's sites only."""
    from core.models import Site

    instruction = get_object_or_404(
        WorkInstruction.objects.filter(routing_operation__routing__site__in=Site.objects.for_user(request.user)),
        pk=pk,
    )
    if not instruction.attachment:
        raise Http404
    name = instruction.attachment.name
    if not default_storage.exists(name):
        raise Http404
    content_type = "application/pdf" if instruction.is_pdf else None
    return FileResponse(default_storage.open(name, "rb"), content_type=content_type)


@never_cache
def service_worker(request):
    """The terminal's service worker, served from /mes/floor/ so that it may control the
    terminal's pages (its script lives with the other static files)."""
    from django.contrib.staticfiles import finders

    path = finders.find("js/mes-terminal-sw.js")
    if path is None:
        raise Http404
    with open(path, encoding="utf-8") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("mes:terminal")
    return response


def manifest(request):
    """The installable web app's manifest: the terminal opens full screen at its home."""
    from django.templatetags.static import static

    start = reverse("mes:terminal")
    return JsonResponse(
        {
            "name": _("Operator terminal"),
            "short_name": _("Terminal"),
            "start_url": start,
            "scope": start,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1f4e79",
            "icons": [
                {"src": static("img/terminal-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/terminal-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        },
        content_type="application/manifest+json",
    )
