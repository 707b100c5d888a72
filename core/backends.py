from django.contrib.auth.backends import ModelBackend

from core.models import User


class UsernameOrBadgeBackend(ModelBackend):
    """Sign in with the user name or the badge id (scanned), always with the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            badge_user = User.objects.filter(badge_id=username).only("username").first()
            if badge_user is not None:
                username = badge_user.username
        return super().authenticate(request, username=username, password=password, **kwargs)
