"""Generic list / detail / form / delete / sign pages, parameterised per model by an `ObjectPage`.

One mechanism serves every master-data model (and any app's records that want the same pages):
reads go through the page's selector (already scoped to the user's sites, so another site's
record answers 404), writes through the page's services (the same functions the API calls),
and each action checks the model permission the user's roles give.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.forms import NullBooleanSelect
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.formats import localize
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext as _
from django.views import View

from core import exports
from core.api.pagination import EstimatedCountPaginator
from core.display import plain_decimal
from core.errors import DomainError
from core.forms import SignatureForm, apply_errors, scope_choices

PAGE_SIZE = 50
EMPTY = "—"


@dataclass
class ObjectPage:
    """Everything the generic views need to know about one model's pages."""

    model: type
    name: str  # URL name prefix inside the namespace: "item" -> core:item-list, core:item-detail, ...
    selector: object  # callable(*, user) -> QuerySet scoped to the user
    form_class: type
    list_columns: list[str]
    detail_fields: list[str]
    create_service: object  # callable(*, user, data) -> instance
    update_service: object  # callable(*, instance, user, data) -> instance
    delete_service: object | None = None  # callable(*, instance, user) -> None
    search_fields: list[str] = field(default_factory=lambda: ["code", "name"])
    filters: list[str] = field(default_factory=list)
    filter_selectors: dict = field(default_factory=dict)  # filter name -> callable(*, user) -> QuerySet
    namespace: str = "core"
    delete_label: str = ""
    detail_panels: list[str] = field(default_factory=list)  # extra templates on the detail page
    detail_context: object | None = None  # callable(request, obj) -> dict for those panels
    signable: bool = True
    labels: dict = field(default_factory=dict)  # column or field name -> label, for non-fields
    display: dict = field(default_factory=dict)  # name -> callable(obj) -> text, overrides the default
    # name -> callable(viewer, obj) -> bool: the field shows (and is searched, with obj None) only
    # when it answers True; others read a dash.
    private: dict = field(default_factory=dict)
    # Large lists: the count is the planner's estimate past EstimatedCountPaginator.exact_below rows.
    estimate_count: bool = False
    # Actions on the rows ticked in the list: [(url name, label)], each a POST of `ids` that needs
    # the change permission.
    bulk_actions: list = field(default_factory=list)

    def label(self, name: str) -> str:
        return str(self.labels[name]) if name in self.labels else field_label(self.model, name)

    def value(self, obj, name: str, viewer=None):
        if name in self.private and not self.private[name](viewer, obj):
            return EMPTY
        if name in self.display:
            return self.display[name](obj) or EMPTY
        return display_value(obj, name)

    def export_value(self, obj, name: str, viewer=None):
        """One cell of an exported list: the value itself (a number stays a number), not its
        on-screen form."""
        if name in self.private and not self.private[name](viewer, obj):
            return ""
        if name in self.display:
            return strip_tags(str(self.display[name](obj) or ""))
        return raw_value(obj, name)

    def is_number(self, name: str) -> bool:
        try:
            f = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return isinstance(f, models.DecimalField | models.IntegerField | models.FloatField) and not f.choices

    @property
    def opts(self):
        return self.model._meta

    def perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def url_name(self, action: str) -> str:
        return f"{self.namespace}:{self.name}-{action}"

    def urls(self, prefix: str) -> list:
        views = [
            ("", ObjectListView, "list"),
            ("new/", ObjectCreateView, "create"),
            ("<int:pk>/", ObjectDetailView, "detail"),
            ("<int:pk>/edit/", ObjectEditView, "edit"),
        ]
        if self.delete_service is not None:
            views.append(("<int:pk>/delete/", ObjectDeleteView, "delete"))
        if self.signable:
            views.append(("<int:pk>/sign/", ObjectSignView, "sign"))
        return [
            path(f"{prefix}/{suffix}", view.as_view(page=self), name=f"{self.name}-{action}")
            for suffix, view, action in views
        ]


def display_value(obj, name: str):
    """One field of `obj` as people read it: labels of choices, names of related records,
    local times, plain decimals."""
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:  # a property or method, not a model field
        model_field = None
    if model_field is not None and model_field.many_to_many:
        return ", ".join(str(o) for o in getattr(obj, name).all()) or EMPTY
    if model_field is not None and model_field.choices:
        value = getattr(obj, f"get_{name}_display")()
        return value if value != "" else EMPTY
    value = getattr(obj, name, None)
    if callable(value):
        value = value()
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return format_html('<span class="badge {}">{}</span>', "ok" if value else "", _("yes") if value else _("no"))
    if isinstance(value, Decimal):
        return localize(plain_decimal(value))
    if isinstance(value, datetime):
        return dateformat.format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return dateformat.format(value, "Y-m-d")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or EMPTY
    return str(value)


def raw_value(obj, name: str):
    """One field of `obj` for a spreadsheet: choice labels and related records' names, but
    numbers, dates and booleans as themselves."""
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if model_field is not None and model_field.many_to_many:
        return ", ".join(str(o) for o in getattr(obj, name).all())
    if model_field is not None and model_field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name, None)
    if callable(value):
        value = value()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if value is None or isinstance(value, bool | Decimal | int | float | date | datetime | str):
        return value
    return str(value)


def field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a property: name it from its attribute
        return name.replace("_", " ")


class PageView(LoginRequiredMixin, View):
    page: ObjectPage = None
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.page.perm(self.action)):
            raise DjangoPermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        """The record, read through the page's selector: another site's record is a 404."""
        obj = self.page.selector(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise Http404(_("No such record."))
        return obj

    def base_context(self, **extra):
        page, user = self.page, self.request.user
        return {
            "page": page,
            "verbose_name": page.opts.verbose_name,
            "verbose_name_plural": page.opts.verbose_name_plural,
            "list_url": reverse(page.url_name("list")),
            "can_add": user.has_perm(page.perm("add")),
            "can_change": user.has_perm(page.perm("change")),
            "can_delete": page.delete_service is not None and user.has_perm(page.perm("delete")),
            "delete_label": page.delete_label or _("Delete"),
            **extra,
        }


class ObjectListView(PageView):
    """Search (`q`), filters, sorting by column (`sort`, `-sort`) and pagination."""

    def get(self, request):
        page = self.page
        queryset = page.selector(user=request.user)
        query = request.GET.get("q", "").replace("\x00", "").strip()  # the database refuses NUL
        search_fields = [
            name for name in page.search_fields if name not in page.private or page.private[name](request.user, None)
        ]
        if query and search_fields:
            condition = Q()
            for name in search_fields:
                condition |= Q(**{f"{name}__icontains": query})
            queryset = queryset.filter(condition)
        filterset = None
        if page.filters:
            filterset = django_filters.filterset.filterset_factory(page.model, fields=page.filters)(
                request.GET or None, queryset=queryset
            )
            scope_choices(filterset.form, request.user)
            for name, selector in page.filter_selectors.items():
                filterset.form.fields[name].queryset = selector(user=request.user)
            _any_choice(filterset.form)
            if filterset.is_bound and filterset.is_valid():
                queryset = filterset.qs
        sortable = {name for name in page.list_columns if _is_concrete(page.model, name)}
        sort = request.GET.get("sort", "")
        if sort.lstrip("-") in sortable:
            queryset = queryset.order_by(sort, "pk")
        export = request.GET.get("export", "")
        if export in exports.FORMATS:
            return exports.export_response(
                fmt=export,
                title=str(page.opts.verbose_name_plural),
                headings=[str(page.label(name)).capitalize() for name in page.list_columns],
                rows=queryset.iterator(chunk_size=2000),
                row_values=lambda obj: [page.export_value(obj, name, request.user) for name in page.list_columns],
            )
        paginator = (EstimatedCountPaginator if page.estimate_count else Paginator)(queryset, PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        columns = []
        for name in page.list_columns:
            column = {"label": page.label(name), "sort": None, "active": "", "num": page.is_number(name)}
            if name in sortable:
                column["sort"] = f"-{name}" if sort == name else name
                column["active"] = "asc" if sort == name else "desc" if sort == f"-{name}" else ""
            columns.append(column)
        rows = [
            {
                "pk": obj.pk,
                "url": reverse(page.url_name("detail"), args=[obj.pk]),
                "cells": [
                    {"value": page.value(obj, name, request.user), "num": page.is_number(name)}
                    for name in page.list_columns
                ],
            }
            for obj in page_obj
        ]
        sort_params = params.copy()
        sort_params.pop("sort", None)
        export_params = params.copy()
        export_params.pop("export", None)
        return render(
            request,
            "core/object_list.html",
            self.base_context(
                columns=columns,
                rows=rows,
                page_obj=page_obj,
                query=query,
                filter_form=filterset.form if filterset else None,
                querystring=params.urlencode(),
                sort_querystring=sort_params.urlencode(),
                export_querystring=export_params.urlencode(),
                create_url=reverse(page.url_name("create")),
                bulk_actions=[
                    {"url": reverse(url_name), "label": label}
                    for url_name, label in page.bulk_actions
                    if request.user.has_perm(page.perm("change"))
                ],
                searchable=bool(page.search_fields),
                search_hint=", ".join(page.label(n.split("__")[0]) for n in page.search_fields[:3]),
            ),
        )


def _any_choice(form) -> None:
    """Filters read "Any" when they do not filter, not "---------" or "Unknown"."""
    for form_field in form.fields.values():
        if isinstance(form_field.widget, NullBooleanSelect):
            form_field.widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        elif getattr(form_field, "empty_label", None) is not None:
            form_field.empty_label = _("Any")
            form_field.widget.choices = list(form_field.choices)
        elif getattr(form_field, "choices", None):
            choices = list(form_field.choices)
            if choices and choices[0][0] == "":
                form_field.choices = [("", _("Any")), *choices[1:]]


def _is_concrete(model, name: str) -> bool:
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:  # a property is not sortable
        return False
    return f.concrete and not f.many_to_many


class ObjectDetailView(PageView):
    def get(self, request, pk):
        obj = self.get_object()
        page = self.page
        fields = [(page.label(name), page.value(obj, name, request.user)) for name in page.detail_fields]
        extra = page.detail_context(request, obj) if page.detail_context else {}
        return render(
            request,
            "core/object_detail.html",
            self.base_context(
                object=obj,
                fields=fields,
                edit_url=reverse(page.url_name("edit"), args=[obj.pk]),
                delete_url=reverse(page.url_name("delete"), args=[obj.pk]) if page.delete_service else None,
                sign_url=reverse(page.url_name("sign"), args=[obj.pk]) if page.signable else None,
                panels=page.detail_panels,
                **extra,
            ),
        )


class ObjectEditView(PageView):
    """Edit a record: the form checks the input, the update service saves it."""

    action = "change"
    template_name = "core/object_form.html"

    def make_form(self, data=None, instance=None):
        return self.page.form_class(data=data, instance=instance, user=self.request.user)

    def save(self, form, instance):
        return self.page.update_service(instance=instance, user=self.request.user, data=form.service_data())

    def get(self, request, pk=None):
        instance = self.get_object() if pk is not None else None
        return self.show(self.make_form(instance=instance), instance)

    def post(self, request, pk=None):
        instance = self.get_object() if pk is not None else None
        form = self.make_form(data=request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = self.save(form, instance)
            except (DjangoValidationError, DomainError) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved})
                return redirect(self.page.url_name("detail"), pk=saved.pk)
        return self.show(form, instance, status=400)

    def show(self, form, instance, status=200):
        page = self.page
        cancel = reverse(page.url_name("detail"), args=[instance.pk]) if instance else reverse(page.url_name("list"))
        return render(
            self.request,
            self.template_name,
            self.base_context(form=form, object=instance, cancel_url=cancel),
            status=status,
        )


class ObjectCreateView(ObjectEditView):
    action = "add"

    def save(self, form, instance):
        return self.page.create_service(user=self.request.user, data=form.service_data())


class ObjectDeleteView(PageView):
    """Confirm, then delete (or deactivate) through the page's service. A record still in use
    stays, with a message."""

    action = "delete"

    def get(self, request, pk):
        obj = self.get_object()
        detail_url = reverse(self.page.url_name("detail"), args=[obj.pk])
        return render(request, "core/object_confirm_delete.html", self.base_context(object=obj, detail_url=detail_url))

    def post(self, request, pk):
        obj = self.get_object()
        label = str(obj)
        try:
            self.page.delete_service(instance=obj, user=request.user)
        except DomainError as exc:  # in use, or refused by the service: say so on the record's page
            messages.error(request, str(exc.message))
            return redirect(self.page.url_name("detail"), pk=obj.pk)
        messages.success(request, _("%(name)s: done.") % {"name": label})
        return redirect(self.page.url_name("list"))


class ObjectSignView(PageView):
    """Sign a record electronically (review or approval of a master-data record)."""

    action = "change"

    def get(self, request, pk):
        obj = self.get_object()
        return self.show(obj, SignatureForm(user=request.user))

    def post(self, request, pk):
        obj = self.get_object()
        form = SignatureForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                form.sign(record=obj)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Signed: %(name)s.") % {"name": obj})
                return redirect(self.page.url_name("detail"), pk=obj.pk)
        return self.show(obj, form, status=400)

    def show(self, obj, form, status=200):
        return render(
            self.request,
            "core/object_sign.html",
            self.base_context(
                object=obj,
                signature_form=form,
                cancel_url=reverse(self.page.url_name("detail"), args=[obj.pk]),
            ),
            status=status,
        )
