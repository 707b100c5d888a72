"""Signing in and out on a shared shop-floor tablet, under /floor/."""

from django.urls import path

from core.floor import views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="floor-sign-in"),
    path("sign-out/", views.sign_out, name="floor-sign-out"),
    path("still-here/", views.still_here, name="floor-still-here"),
]
