"""Websocket routes, served by Channels (config/asgi.py)."""

from django.urls import path

from core.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
]
