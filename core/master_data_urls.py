"""Master-data pages (namespace "core"): list, detail, create, edit, delete and sign per model."""

from django.urls import path

from core import views

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
]
for key, prefix in PREFIXES.items():
    urlpatterns += views.PAGES[key].urls(prefix)
