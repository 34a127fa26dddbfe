"""Outgoing mail, written in its recipient's language and sent once the request commits.

With ``MAIL_SERVER`` set, messages go by SMTP (Flask-Mailman). Without it (development),
each goes to the log and to the ``outbox`` table, which every process of the app shares
and ``flask mail outbox`` lists.

A message waits for the commit of the transaction that asked for it: mail about a write
that rolled back is never sent, and an outbox row rolls back with it. Delivery is best
effort: when the mail server is down or refuses, the failure is logged and the request
goes on, since its write is already saved, and every mail we send can be asked for again
(a new verification link, another password reset).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, render_template, url_for
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives, Mail
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from app.core.derived import listen
from app.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.core.models import Base, created_at, intpk

mail = Mail()
PENDING = "mail_pending"
LINK = re.compile(r"https?://\S+")


class OutboxMessage(Base):
    """A message as it would have been sent, kept where no mail server is configured."""

    __tablename__ = "outbox"

    id: Mapped[intpk]
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))
    language: Mapped[str] = mapped_column(sa.String(2))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[created_at]

    @property
    def links(self) -> list[str]:
        return LINK.findall(self.body_text)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str
    language: str


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link that works from a mailbox: ``APP_URL`` and the path, else Flask's external
    URL (``SERVER_NAME`` and ``PREFERRED_URL_SCHEME``, else the request's host)."""
    base = current_app.config.get("APP_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def render(to: str, template: str, language: str | None, **context: Any) -> Message:
    """``mail/<template>.txt`` and ``.html`` in ``language``; the text's first line is the
    subject, the rest its body."""
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    with force_locale(lang):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    subject, _, body = text.strip().partition("\n")
    return Message(to, subject.strip(), body.strip() + "\n", html, lang)


def send(to: str, template: str, language: str | None, **context: Any) -> Message:
    """Render a message and send it when the current transaction commits (never raises
    for delivery: see the module's docstring)."""
    from app.extensions import db

    message = render(to, template, language, **context)
    if not current_app.config.get("MAIL_SERVER"):
        db.session.add(
            OutboxMessage(
                recipient=message.to,
                subject=message.subject,
                language=message.language,
                body_text=message.text,
                body_html=message.html,
            )
        )
    db.session.info.setdefault(PENDING, []).append(message)
    return message


def deliver(messages: list[Message]) -> None:
    """Send by SMTP, or log where no server is set; a failure is logged, never raised."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for m in messages:
            _log().info("Mail to %s: %s\n\n%s", m.to, m.subject, m.text)
        return
    try:
        connection = mail.get_connection(
            backend="smtp",
            host=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            use_tls=config.get("MAIL_USE_TLS", False),
            timeout=config.get("MAIL_TIMEOUT"),
        )
        connection.send_messages([_email(m, connection) for m in messages])
    except Exception:  # refused, timed out, unreachable: the write stands (see above)
        current_app.logger.exception(
            "Mail could not be sent to %s", ", ".join(m.to for m in messages)
        )


def _log() -> logging.Logger:
    # Its own level: the app's logger passes only warnings outside debug mode, and these
    # messages are how `make run` shows its mail.
    log = current_app.logger.getChild("mail")
    log.setLevel(logging.INFO)
    return log


def _email(message: Message, connection: Any) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        message.subject,
        message.text,
        current_app.config["MAIL_DEFAULT_SENDER"],
        [message.to],
        connection=connection,
    )
    email.attach_alternative(message.html, "text/html")
    return email


def _after_commit(session: orm.Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        deliver(pending)


def _after_rollback(session: orm.Session, previous: orm.SessionTransaction) -> None:
    # The soft event: it fires for every Session.rollback(), also when the connection's
    # transaction is joined rather than owned (the tests). A savepoint's rollback keeps
    # what the outer transaction asked for.
    if previous.parent is None:
        session.info.pop(PENDING, None)


def recent(limit: int = 10) -> list[OutboxMessage]:
    """The newest outbox messages, newest first."""
    from app.extensions import db

    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def register(app: Flask) -> None:
    """Flask-Mailman, the delivery after each commit, and ``flask mail``."""
    from app.core.mail_cli import mail_cli

    mail.init_app(app)
    listen([("after_commit", _after_commit), ("after_soft_rollback", _after_rollback)])
    app.cli.add_command(mail_cli)
