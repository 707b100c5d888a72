import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """A domain event, stored in the transaction that caused it (the outbox's source)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    site = models.ForeignKey("core.Site", models.SET_NULL, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.name} {self.id}"


class Webhook(models.Model):
    """An outside system that wants events: each body is signed with HMAC-SHA256 over `secret`."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200)
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Event names or prefixes ending in '*' (wms.*); empty means all."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.name

    def wants(self, event_name: str) -> bool:
        if not self.events:
            return True
        return any(
            event_name == pattern or (pattern.endswith("*") and event_name.startswith(pattern[:-1]))
            for pattern in self.events
        )


class OutboxMessage(models.Model):
    """One delivery of one event to one destination, written in the business transaction."""

    class Channel(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        WEBSOCKET = "websocket", _("Live page push")
        EMAIL = "email", _("E-mail")
        HANDLER = "handler", _("After-commit subscriber")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    webhook = models.ForeignKey(Webhook, models.CASCADE, null=True, blank=True, related_name="deliveries")
    target = models.CharField(max_length=500, blank=True, help_text=_("Group name, e-mail address or subscriber name"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.UniqueConstraint(fields=["event", "webhook"], name="outbox_one_per_event_webhook"),
        ]

    def __str__(self):
        return f"{self.channel} {self.event.name} ({self.status})"
