"""Outgoing mail: over SMTP when SMTP_HOST is set, else into VAR_DIR/outbox/ as .eml files
(development). Messages carry secrets (reset codes): neither they nor their body are logged."""

import logging
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from fastapi.concurrency import run_in_threadpool

from app.core.config import Settings

logger = logging.getLogger("rebound.mail")


def compose(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    return message


async def send(settings: Settings, message: EmailMessage) -> None:
    """Deliver `message`; raises OSError / smtplib.SMTPException when delivery fails."""
    if settings.smtp_host:
        await run_in_threadpool(_send_smtp, settings, message)
    else:
        await run_in_threadpool(_write_to_outbox, settings.var_dir / "outbox", message)


async def deliver(settings: Settings, messages: list[EmailMessage]) -> None:
    """Send each message, never raising (a background task): a failure is logged by its kind
    and subject only, never with the address or the text."""
    for message in messages:
        try:
            await send(settings, message)
        except Exception as exc:  # noqa: BLE001
            logger.error("mail not sent (%s): %s", message["Subject"], type(exc).__name__)


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host is not None
    context = ssl.create_default_context()
    timeout = settings.smtp_timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_tls == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
        smtp.send_message(message)


def _write_to_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.touch(mode=0o600)  # it holds a reset code: readable by its owner only
    path.write_bytes(message.as_bytes())
    return path
