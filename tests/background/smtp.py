"""A real SMTP server on loopback for the tests (aiosmtpd), which a test starts and stops."""

import socket
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    @property
    def recipients(self) -> list[str]:
        return [message["To"] for message in self.messages]


class MailServer:
    """An SMTP server on one port of 127.0.0.1, down until start(), down again after stop()."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        assert self._controller is None, "already started"
        # server_hostname: without it, aiosmtpd asks DNS for this machine's name.
        self._controller = Controller(
            self.inbox, hostname=HOST, port=self.port, server_hostname="localhost"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def use_in(self, settings) -> None:
        """Point Django's SMTP backend at this server (whether it is up or not)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = HOST
        settings.EMAIL_PORT = self.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
