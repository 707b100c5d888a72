"""What every desk page shares: the permission guard, paging, filter forms and site scoping."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseBase
from django.shortcuts import redirect, render

from core.forms import REFUSALS
from core.listing import list_page
from core.selectors.master_data import item_list
from wms.selectors.stock import bin_list

PAGE_SIZE = 50


def desk(perm):
    """Signed-in users with `perm` only: anonymous users go to the login page, others get 403."""

    def decorate(view):
        guarded = login_required(permission_required(perm, raise_exception=True)(view))
        return wraps(view)(guarded)

    return decorate


def page_of(request, rows, size=PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def for_site(rows, request):
    return rows.for_site(request.site) if request.site is not None else rows.none()


def code_lists(request):
    """Codes offered as type-ahead suggestions on desk forms."""
    return {
        "bin_codes": for_site(bin_list(user=request.user), request).values_list("code", flat=True)[:1000],
        "item_codes": item_list(user=request.user).filter(active=True).values_list("code", "name")[:1000],
    }


def render_list(request, template: str, rows, *, columns, title, form, **extra):
    """A desk list: sorted by `?sort=`, paged, counted, or downloaded whole with `?export=`."""
    result = list_page(request, rows, columns=columns, title=title)
    if isinstance(result, HttpResponseBase):
        return result
    return render(request, template, {"form": form, **result, **extra})


@dataclass(frozen=True)
class DocumentPage:
    """The create page of a document with item lines (pick lists, expected receipts)."""

    create: Callable  # the service: create(site=, lines=, user=, **the form's `fields`)
    fields: tuple[str, ...]
    template: str
    detail: str  # the URL name of the new document's page
    created: str  # the success message, formatted with the document's %(number)s


def document_form(request, page: DocumentPage, form, lines):
    """Show `page`; on a valid POST create the document (a domain refusal becomes the form's
    message) and go to its page."""
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            document = page.create(
                site=request.site,
                lines=lines.lines(),
                user=request.user,
                **{name: form.cleaned_data[name] for name in page.fields},
            )
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            messages.success(request, page.created % {"number": document.number})
            return redirect(page.detail, pk=document.pk)
    return render(request, page.template, {"form": form, "lines": lines, **code_lists(request)})
