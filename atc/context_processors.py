from django.conf import settings

from atc.permissions import is_national, role_kinds


def platform(request):
    """What the base layout needs: the user's roles for the header, and the CSP nonce."""
    user = getattr(request, "user", None)
    context = {"csp_nonce": getattr(request, "csp_nonce", ""), "platform_env": settings.DJANGO_ENV}
    if user is not None and user.is_authenticated:
        context["header_roles"] = user.roles.current().select_related("network").prefetch_related("sites")
        context["user_is_national"] = is_national(user)
        context["user_role_kinds"] = role_kinds(user)
    return context
