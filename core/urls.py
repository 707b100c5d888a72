from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import note_views, views
from core.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("floor/", views.tablet_home, name="tablet-home"),
    path("search/", views.search_records, name="search"),
    path("floor/", include("core.floor.urls")),
    path("site/", views.set_site, name="set-site"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# Comments, attachments and saved filters.
urlpatterns += [
    path("comments/add/", note_views.comment_add, name="comment-add"),
    path("comments/<int:pk>/delete/", note_views.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/file/", note_views.comment_file, name="comment-file"),
    path("saved-filters/", note_views.saved_filter_save, name="saved-filter-save"),
    path("saved-filters/<int:pk>/delete/", note_views.saved_filter_delete, name="saved-filter-delete"),
]
