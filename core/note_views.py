"""Pages of comments, attachments and saved filters. A comment is added, read and downloaded
only on a record the user can see (`core.records`); a saved filter is only ever the user's own."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import records
from core.errors import DomainError
from core.forms import apply_errors
from core.models import Comment
from core.note_forms import CommentForm, SavedFilterForm
from core.selectors.comments import comment_list
from core.services import comments as comment_services
from core.services import saved_filters as filter_services


def _back(request, fallback: str = "/") -> str:
    """Where to go back to: a path of ours (the form's `next`, else the referring page)."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not safe or not target.isprintable():
        return fallback
    if not target.startswith("/"):  # a referrer is a full URL of ours: keep its path and query
        parts = urlsplit(target)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if not target.startswith("/"):
            return fallback
    return target


def _refused(request, template: str, form, status: int = 400):
    """A refusal shown on its own page, on the field it concerns, with the way back."""
    return render(request, template, {"form": form, "back": _back(request)}, status=status)


@login_required
@require_POST
def comment_add(request):
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        label, pk = form.cleaned_data["record"]
        try:
            comment_services.add_comment(
                user=request.user,
                label=label,
                pk=pk,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data["file"],
                key=str(form.cleaned_data["key"]) if form.cleaned_data["key"] else None,
            )
        except DomainError as error:
            if error.status == 404:
                raise Http404(str(error.message)) from None
            apply_errors(form, error)
        else:
            messages.success(request, _("Comment added."))
            return HttpResponseRedirect(_back(request) + "#comments")
    return _refused(request, "core/comment_refused.html", form)


def _visible_comment(request, pk) -> Comment:
    comment = comment_list(user=request.user).filter(pk=pk).first()
    if comment is None:
        raise Http404(_("No such comment."))
    return comment


@login_required
@require_POST
def comment_delete(request, pk):
    comment = _visible_comment(request, pk)
    try:
        comment_services.delete_comment(user=request.user, comment=comment)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Comment deleted."))
    return HttpResponseRedirect(_back(request) + "#comments")


@login_required
def comment_file(request, pk):
    """The attached file, to those who can see its record; always as a download, never shown
    inline (an uploaded file can never run as a page of ours)."""
    comment = _visible_comment(request, pk)
    if not comment.file:
        raise Http404(_("This comment has no file."))
    response = FileResponse(comment.file.open("rb"), as_attachment=True, filename=comment.file_name)
    response["Content-Type"] = comment.file_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def saved_filter_save(request):
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        try:
            saved = filter_services.save_filter(
                user=request.user,
                path=form.cleaned_data["path"],
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
            )
        except DomainError as error:
            apply_errors(form, error, aliases={"query": "name", "path": "name"})
        else:
            messages.success(request, _("Filter saved as “%(name)s”.") % {"name": saved.name})
            return HttpResponseRedirect(f"{saved.path}?{saved.query}")
    return _refused(request, "core/saved_filter_refused.html", form)


@login_required
@require_POST
def saved_filter_delete(request, pk):
    try:
        filter_services.delete_filter(user=request.user, pk=pk)
    except DomainError as error:
        raise Http404(str(error.message)) from None
    messages.success(request, _("Saved filter deleted."))
    return HttpResponseRedirect(_back(request))


def record_key(record) -> str:
    return f"{records.label_of(record)}:{record.pk}"
