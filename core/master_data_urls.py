"""Master-data pages (namespace "core"): list, detail, create, edit, delete and sign per model."""

from django.urls import path

from core import approval_views, import_views, views

app_name = "core"

PREFIXES = {
    "company": "companies",
    "site": "sites",
    "currency": "currencies",
    "exchangerate": "exchange-rates",
    "unit": "units",
    "item": "items",
    "partner": "partners",
    "user": "users",
    "webhook": "webhooks",
}

urlpatterns = [
    path("items/<int:pk>/conversions/", views.item_conversion_save, name="item-conversion-save"),
    path(
        "items/<int:pk>/conversions/<int:conversion_pk>/delete/",
        views.item_conversion_delete,
        name="item-conversion-delete",
    ),
    path("account/token/", views.my_token, name="my-token"),
    path("imports/", import_views.import_start, name="import-start"),
    path("imports/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("imports/<int:pk>/status/", import_views.import_status, name="import-status"),
    path("imports/<int:pk>/import/", import_views.import_confirm, name="import-confirm"),
    path("imports/templates/<str:kind>.csv", import_views.import_template, name="import-template"),
    path("approvals/", approval_views.inbox, name="approval-inbox"),
    path("approvals/cards/", approval_views.cards, name="approval-cards"),
    path("approvals/badge/", approval_views.badge, name="approval-badge"),
    path("approvals/<int:pk>/decide/", approval_views.decide, name="approval-decide"),
    path("approvals/delegations/<int:pk>/revoke/", approval_views.revoke_delegation, name="approval-revoke"),
]
for key, prefix in PREFIXES.items():
    urlpatterns += views.PAGES[key].urls(prefix)
