"""Sending e-mail through the configured SMTP server (host, port, TLS, credentials)."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from coordination import playmode


@dataclass(frozen=True)
class Mailer:
    host: str | None
    port: int = 25
    starttls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = "Coordination <coordination@localhost>"
    timeout: float = 10.0
    subject_prefix: str = ""  # "[EXERCISE name] " for what an exercise sends

    @classmethod
    def from_config(cls, config) -> "Mailer":
        return cls(
            host=config.get("SMTP_HOST") or None,
            port=int(config.get("SMTP_PORT", 25)),
            starttls=bool(config.get("SMTP_STARTTLS", False)),
            use_ssl=bool(config.get("SMTP_SSL", False)),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            sender=config.get("MAIL_FROM", cls.sender),
            subject_prefix=playmode.subject_prefix(),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    def send(self, *, to: list[str], subject: str, body: str) -> None:
        """Send one plain-text message to one or more recipients; raises on SMTP failure."""
        if not self.enabled or not to:
            return
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(to)
        message["Subject"] = self.subject_prefix + subject
        message.set_content(body)
        if self.use_ssl:
            server = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with server:
            if self.starttls and not self.use_ssl:
                server.starttls(context=ssl.create_default_context())
            if self.username:
                server.login(self.username, self.password or "")
            server.send_message(message)
