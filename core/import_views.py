"""Import from a file: upload a CSV or Excel sheet, see every row's errors from the dry run,
then import it whole. The dry run and the import run as Celery tasks; the page polls the job's
status for its progress bar."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import apply_errors
from core.models import ImportJob, ImportStatus
from core.services import imports

ERRORS_SHOWN = 500  # rows of errors listed on the page; the count covers them all


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8, comma or semicolon) or Excel .xlsx; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.key, kind.label) for kind in imports.kinds_for(user)]


def _job(request, pk) -> ImportJob:
    job = ImportJob.objects.for_user(request.user).filter(pk=pk).select_related("site", "user").first()
    if job is None or job.kind not in imports.KINDS or not request.user.has_perm(imports.KINDS[job.kind].permission):
        raise Http404(_("No such import."))
    return job


@login_required
def import_start(request):
    kinds = imports.kinds_for(request.user)
    if not kinds:
        raise DjangoPermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_FILE_BYTES:
            form.add_error("file", _("The file is larger than 10 MB."))
        elif request.site is None:
            form.add_error(None, _("You work at no site."))
        else:
            try:
                job = imports.start_import(
                    user=request.user,
                    site=request.site,
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name,
                    content=upload.read(),
                )
            except DomainError as error:
                apply_errors(form, error)
            else:
                return redirect("core:import-detail", pk=job.pk)
    recent = ImportJob.objects.for_user(request.user).filter(user=request.user).defer("content")[:10]
    return render(
        request,
        "core/import_start.html",
        {"form": form, "kinds": kinds, "recent": recent},
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request, pk):
    job = _job(request, pk)
    errors = job.errors or []
    return render(
        request,
        "core/import_detail.html",
        {
            "job": job,
            "kind": imports.KINDS[job.kind],
            "errors": errors[:ERRORS_SHOWN],
            "error_count": len(errors),
            "error_rows": len({error["row"] for error in errors}),
            "progress": imports.progress(job),
            "running": job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING),
            "can_import": job.status == ImportStatus.CHECKED and not errors,
        },
    )


@login_required
def import_status(request, pk):
    """The job's status and progress: JSON (`?format=json`), or the progress panel the page
    polls, which reloads the page once the job is finished."""
    job = _job(request, pk)
    progress = imports.progress(job)
    running = job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"id": job.pk, "status": job.status, **progress, "errors": len(job.errors), "written": job.created_count}
        )
    response = render(request, "core/_import_progress.html", {"job": job, "progress": progress, "running": running})
    if not running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request, pk):
    job = _job(request, pk)
    try:
        imports.confirm_import(job=job, user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("core:import-detail", pk=job.pk)


@login_required
def import_template(request, kind):
    import_kind = imports.KINDS.get(kind)
    if import_kind is None or not request.user.has_perm(import_kind.permission):
        raise Http404(_("No such import."))
    response = HttpResponse(imports.template_csv(import_kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{import_kind.key}-template.csv"'
    return response
