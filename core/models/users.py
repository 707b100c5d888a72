from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor")
    PLANNER = "planner", _("Planner")
    QUALITY = "quality", _("Quality engineer")
    WAREHOUSE = "warehouse", _("Warehouse")
    MAINTENANCE = "maintenance", _("Maintenance")
    ACCOUNTANT = "accountant", _("Accountant")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person or an external system. Roles are Django groups named after `Role`."""

    sites = models.ManyToManyField("core.Site", blank=True, related_name="users", verbose_name=_("sites"))
    badge_id = models.CharField(_("badge id"), max_length=64, unique=True, null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # A short number for signing in on a shop-floor terminal, stored hashed like the password.
    floor_pin = models.CharField(_("floor PIN"), max_length=128, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login", "floor_pin"], m2m_fields=[sites])

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def roles(self) -> list[str]:
        """The user's role names, sorted. Reads prefetched groups when a list prefetched them."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = sorted(group.name for group in self.groups.all() if group.name in Role.values)
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(role in self.roles for role in roles)

    def set_floor_pin(self, pin: str) -> None:
        """Hash and set the shop-floor PIN (empty: none)."""
        from django.contrib.auth.hashers import make_password

        self.floor_pin = make_password(pin) if pin else ""

    def check_floor_pin(self, pin: str) -> bool:
        from django.contrib.auth.hashers import check_password

        return bool(self.floor_pin and pin) and check_password(pin, self.floor_pin)
