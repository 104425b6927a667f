"""E-mail messages whose subject folds as RFC 2047 and RFC 5322 ask.

Django 5.2 encodes a non-ASCII subject as one long encoded word, which the generator then moves
whole onto a continuation line: the raw header starts with "Subject: " and a line break, and mail
clients show the subject with a leading space (or, past 998 characters, break it). Here the subject
is a `Header`, which splits into encoded words that each fit a 78-character line, the first on the
"Subject:" line itself. Every e-mail of the platform is built from these classes (allauth's too,
through atc.adapters)."""

from email.header import Header
from email.message import Message

from django.core import mail


def fold_subject(message: Message, subject: str) -> Message:
    """Replace the message's Subject by a properly folded one (Django's header class re-encodes
    whatever it is given, so the plain `Message.__setitem__` stores the Header as it is)."""
    subject = str(subject)
    del message["Subject"]
    charset = "us-ascii" if subject.isascii() else "utf-8"
    Message.__setitem__(message, "Subject", Header(subject, charset, header_name="Subject"))
    return message


class EmailMessage(mail.EmailMessage):
    def message(self, *args, **kwargs):
        return fold_subject(super().message(*args, **kwargs), self.subject)


class EmailMultiAlternatives(mail.EmailMultiAlternatives):
    def message(self, *args, **kwargs):
        return fold_subject(super().message(*args, **kwargs), self.subject)
