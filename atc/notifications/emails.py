"""The notification e-mails: French, plain text with an HTML alternative, every link on the public
address (atc/links.py), and the one-click unsubscribe headers of RFC 2369 and RFC 8058."""

from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import ngettext

from atc.links import absolute_url
from atc.mail import EmailMultiAlternatives
from atc.models import Notification, User
from atc.notifications.kinds import KINDS, Frequency


def _unsubscribe_url(token: str) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[token]))


def _message(*, subject: str, to: str, template: str, context: dict, token: str) -> EmailMultiAlternatives:
    unsubscribe = _unsubscribe_url(token)
    context = {
        **context,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "inbox_url": absolute_url(reverse("notifications:inbox")),
    }
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + str(subject),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    return message


def _item(notification: Notification) -> dict:
    return {
        "notification": notification,
        "link": absolute_url(reverse("notifications:open", args=[notification.pk]))
        if notification.url
        else "",
    }


def notification_message(notification: Notification, *, token: str) -> EmailMultiAlternatives:
    """One notification, sent at once; unsubscribing stops its kind only."""
    return _message(
        subject=notification.title,
        to=notification.recipient.email,
        template="notification",
        context={**_item(notification), "kind_label": str(KINDS[notification.kind].label)},
        token=token,
    )


def digest_message(
    *, user: User, frequency: str, notifications: list[Notification], token_for: Callable[[list[str]], str]
) -> EmailMultiAlternatives:
    """A daily or weekly digest, grouped by kind; each group has its own unsubscribe link, the
    header's one-click link stops every kind the digest holds."""
    groups = []
    for code, kind in KINDS.items():
        items = [_item(n) for n in notifications if n.kind == code]
        if items:
            groups.append(
                {
                    "label": str(kind.label),
                    "items": items,
                    "unsubscribe_url": _unsubscribe_url(token_for([code])),
                }
            )
    count = len(notifications)
    if frequency == Frequency.DAILY:
        subject = ngettext(
            "Votre résumé du jour : %(count)d notification",
            "Votre résumé du jour : %(count)d notifications",
            count,
        )
    else:
        subject = ngettext(
            "Votre résumé de la semaine : %(count)d notification",
            "Votre résumé de la semaine : %(count)d notifications",
            count,
        )
    return _message(
        subject=subject % {"count": count},
        to=user.email,
        template="digest",
        context={"user": user, "groups": groups, "count": count, "daily": frequency == Frequency.DAILY},
        token=token_for(
            [group_kind for group_kind in KINDS if any(n.kind == group_kind for n in notifications)]
        ),
    )
