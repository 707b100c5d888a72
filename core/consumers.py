"""Live pages: a browser subscribes to topics of its sites and receives events as they happen."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.services.outbox import live_group


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Live events of the user's sites over one websocket (`/ws/live/`).

    The client sends `{"subscribe": topic, "site": code}` (or `"unsubscribe"`), where the topic
    is an event name's first part (`wms`, `mes`, ...). A subscription is accepted only for a site
    the user works at (permission-checked groups), answered `{"subscribed": topic, "site": code}`
    or `{"error": "forbidden", "site": code}`. Then each event of that topic at that site
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
        except ValueError:
            return None

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or not ({"subscribe", "unsubscribe"} & content.keys()):
            await self.send_json({"error": "invalid_message"})
            return
        unsubscribing = "unsubscribe" in content
        topic = str(content.get("unsubscribe" if unsubscribing else "subscribe", ""))[:50]
        site_code = str(content.get("site", ""))[:20]
        if not topic.isidentifier():
            await self.send_json({"error": "invalid_topic"})
            return
        if not await self._may_watch(site_code):
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
    def _may_watch(self, site_code: str) -> bool:
        from core.models import Site

        return Site.objects.for_user(self.scope["user"]).filter(code=site_code).exists()
