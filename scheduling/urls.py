from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.version_list, name="version-list"),
    path("<int:pk>/", views.version_detail, name="version-detail"),
    path("<int:pk>/run/", views.version_progress, name="version-progress"),
    path("<int:pk>/compare/<int:other>/", views.version_compare, name="version-compare"),
    path("<int:pk>/reschedule/", views.version_reschedule, name="version-reschedule"),
    path("<int:pk>/<str:decision>/sign/", views.version_decide, name="version-decide"),
    path("<int:pk>/<str:action>/", views.version_action, name="version-action"),
]
