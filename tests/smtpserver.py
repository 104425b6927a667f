"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, and Django's SMTP backend pointed at it.

The `smtp_server` fixture gives the messages it received, parsed (headers, parts, attachments), so
a test reads an e-mail as the recipient's mail client would, after a real SMTP conversation."""

import email
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from tests.objectstore import free_port


class _Inbox:
    """The aiosmtpd handler: keeps every delivered message with its envelope."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server; Django sends through it with its SMTP backend for the test."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()


def body_text(message: EmailMessage) -> str:
    """The plain-text body, as the recipient reads it."""
    return message.get_body(preferencelist=("plain",)).get_content()


def attachments(message: EmailMessage) -> dict[str, bytes]:
    """File name → content of each attachment."""
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}
