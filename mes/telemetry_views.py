"""Machine-data desk pages: the dead letters of ingestion, counted by reason."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from mes.models import DeadLetterReason
from mes.selectors import telemetry


@login_required
@permission_required("mes.view_deadletter", raise_exception=True)
def dead_letter_list(request):
    letters = telemetry.dead_letter_list(user=request.user)
    reason = request.GET.get("reason", "")
    if reason in DeadLetterReason.values:
        letters = letters.filter(reason=reason)
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mes/dead_letters.html",
        {
            "page_obj": page,
            "counts": telemetry.dead_letter_counts(user=request.user),
            "reason": reason,
            "reason_label": DeadLetterReason(reason).label if reason in DeadLetterReason.values else "",
        },
    )
