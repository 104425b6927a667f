from django.conf import settings
from django.utils.functional import SimpleLazyObject

from atc.notifications.services import unread_count
from atc.permissions import access_of, is_national


def platform(request):
    """What the base layout needs: the user's roles and unread notifications for the header, and
    the CSP nonce."""
    user = getattr(request, "user", None)
    context = {"csp_nonce": getattr(request, "csp_nonce", ""), "platform_env": settings.DJANGO_ENV}
    if user is not None and user.is_authenticated:
        access = access_of(user)
        context["header_roles"] = access.header
        context["user_is_national"] = is_national(user)
        context["user_role_kinds"] = access.kinds
        # Counted only when a template shows it (not for htmx fragments), then cached.
        context["notifications_unread"] = SimpleLazyObject(lambda: unread_count(user))
    return context
