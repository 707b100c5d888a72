from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("floor/", views.tablet_home, name="tablet-home"),
    path("search/", views.search_records, name="search"),
    path("floor/", include("core.floor.urls")),
    path("site/", views.set_site, name="set-site"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
