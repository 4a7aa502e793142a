"""A real SMTP server on the loopback interface, and the production e-mail backend pointed at
it: the registration e-mails are tested as they leave Formativ, bytes on the wire."""

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Mail:
    """One received message, decoded."""

    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # Django folds a long encoded subject onto the next line ("Subject: \n =?utf-8?..."),
        # which the parser reads back with a leading space; mail programs drop it too.
        return self.message["subject"].strip()

    @property
    def body(self) -> str:
        text = self.message.get_body(preferencelist=("plain",)).get_content()
        return text.replace("\r\n", "\n")  # SMTP line endings


@dataclass
class Inbox:
    """What the SMTP server received (the aiosmtpd handler)."""

    received: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Mail(to=list(envelope.rcpt_tos), message=message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.received if address in mail.to]

    def only(self, address: str) -> Mail:
        mails = self.to(address)
        assert len(mails) == 1, [m.subject for m in self.received]
        return mails[0]

    def clear(self) -> None:
        self.received.clear()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """Start an SMTP server on 127.0.0.1 and send the project's mail to it through Django's
    SMTP backend (the one production uses)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
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


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Call a service as a request would: its on-commit work (the mail) runs when it returns."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run
