"""Live pages: a browser subscribes to topics of its sites and receives events as they happen."""

import json
import re

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.services.outbox import live_group

_TOPIC_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _valid_topic(topic: str) -> bool:
    """An app label, optionally followed by dotted code parts (group names allow letters, digits,
    '-', '_' and '.')."""
    app, _, rest = topic.partition(".")
    return app.isidentifier() and (not rest or all(_TOPIC_PART.match(part) for part in rest.split(".")))


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Live events of the user's sites over one websocket (`/ws/live/`).

    The client sends `{"subscribe": topic, "site": code}` (or `"unsubscribe"`), where the topic
    is an event name's first part (`wms`, `mes`, ...) or a narrower topic of that app named by
    dotted codes (`mes.equipment.CNC-01`: the pushes for one machine). A subscription is accepted only for a site
    the user works at and a topic its roles may read (view permission on a model of the app of
    that name, core.roles), answered `{"subscribed": topic, "site": code}` or
    `{"error": "forbidden", "site": code}`; a site code that is not text is `invalid_site`. Then each event of that topic at that site
    arrives as `{"event", "id", "site", "data"}` once the outbox delivers it.
    """

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = set()
        await self.accept()

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or not ({"subscribe", "unsubscribe"} & content.keys()):
            await self.send_json({"error": "invalid_message"})
            return
        unsubscribing = "unsubscribe" in content
        topic = str(content.get("unsubscribe" if unsubscribing else "subscribe", ""))[:50]
        site_code = content.get("site", "")
        if not isinstance(site_code, str) or "\x00" in site_code or not site_code.isprintable():
            await self.send_json({"error": "invalid_site"})
            return
        site_code = site_code[:20]
        if not _valid_topic(topic):
            await self.send_json({"error": "invalid_topic"})
            return
        if not await self._may_watch(site_code, topic):
            await self.send_json({"error": "forbidden", "site": site_code})
            return
        group = live_group(site_code, topic)
        if unsubscribing:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)
            await self.send_json({"unsubscribed": topic, "site": site_code})
            return
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)
        await self.send_json({"subscribed": topic, "site": site_code})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message):
        """A delivery from the outbox to a group this socket joined."""
        await self.send_json({k: message[k] for k in ("event", "id", "site", "data")})

    @database_sync_to_async
    def _may_watch(self, site_code: str, topic: str) -> bool:
        from django.apps import apps

        from core.models import Site

        user = self.scope["user"]
        topic = topic.split(".", 1)[0]
        if topic not in {config.label for config in apps.get_app_configs()}:
            return False
        return user.has_module_perms(topic) and Site.objects.for_user(user).filter(code=site_code).exists()
