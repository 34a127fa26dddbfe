"""Mail: rendered in the recipient's language, sent after the commit over real SMTP (an
aiosmtpd server in the test), or kept in the outbox that ``flask mail outbox`` lists."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.core import mail
from app.core.mail import OutboxMessage
from app.models import User
from tests.conftest import PASSWORD

SUBJECTS = {
    "en": "Confirm your email address",
    "ru": "Подтвердите адрес электронной почты",
    "kk": "Электрондық пошта мекенжайыңызды растаңыз",
}


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server on a loopback port, and the app configured to send through it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    try:
        yield inbox
    finally:
        controller.stop()


def register(caller, email_address: str, lang: str = "en", name: str = "Новый Эксперт"):
    client = caller()
    client.client.set_cookie("lang", lang)
    return client.post(
        "/api/v1/auth/register",
        json={"email": email_address, "password": PASSWORD, "full_name": name, "country": "KZ"},
    )


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(text: str) -> str:
    return re.search(r"https?://\S+", text).group(0)


def test_registration_mail_arrives_over_smtp_and_its_link_verifies(smtp, caller, db_session):
    response = register(caller, "smtp@example.org")
    assert response.status_code == 201
    (message,) = smtp.messages
    assert message["To"] == "smtp@example.org"
    assert message["Subject"] == SUBJECTS["en"]
    assert message.get_body(preferencelist=("html",)) is not None
    link = link_in(text_of(message))
    assert link.startswith("http://localhost/verify/")
    # No outbox row where a mail server is set.
    assert db_session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0

    page = caller().get(link.removeprefix("http://localhost"))
    assert page.status_code == 200
    user = db_session.scalars(sa.select(User).filter_by(email="smtp@example.org")).one()
    assert user.email_verified_at is not None
    login = caller().post(
        "/login", data={"email": "smtp@example.org", "password": PASSWORD, "next": "/account"}
    )
    assert login.status_code == 303 and login.headers["Location"] == "/account"


def test_smtp_down_leaves_the_registration_saved(app, caller, db_session, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    response = register(caller, "down@example.org")
    assert response.status_code == 201
    assert db_session.scalars(sa.select(User).filter_by(email="down@example.org")).one()
    assert "Mail could not be sent to down@example.org" in caplog.text


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_mail_is_in_the_recipients_language(caller, db_session, lang):
    assert register(caller, f"{lang}@example.org", lang).status_code == 201
    message = db_session.scalars(sa.select(OutboxMessage)).one()
    assert (message.recipient, message.language) == (f"{lang}@example.org", lang)
    assert message.subject == SUBJECTS[lang]
    assert f'<html lang="{lang}">' in message.body_html
    user = db_session.scalars(sa.select(User).filter_by(email=f"{lang}@example.org")).one()
    assert user.language == lang


def test_outbox_logs_and_lists_messages(caller, runner, db_session, caplog):
    caplog.set_level("INFO")
    assert register(caller, "outbox@example.org", "ru").status_code == 201
    (message,) = db_session.scalars(sa.select(OutboxMessage))
    (link,) = message.links
    assert link.startswith("http://localhost/verify/") and link in message.body_html
    assert f"Mail to outbox@example.org: {SUBJECTS['ru']}" in caplog.text
    result = runner.invoke(args=["mail", "outbox"])
    assert result.exit_code == 0, result.output
    assert "To: outbox@example.org" in result.output
    assert f"Subject: {SUBJECTS['ru']}" in result.output
    assert f"Link: {link}" in result.output


def test_a_rolled_back_write_sends_nothing(app, db_session, smtp):
    with app.test_request_context():
        db_session.execute(sa.select(1))  # the transaction a write would be in
        mail.send("nobody@example.org", "verify", "en", link="http://x/verify/1", hours=1)
        db_session.rollback()
        db_session.commit()
    assert smtp.messages == []


def test_app_url_starts_every_link(app, caller, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "APP_URL", "https://bridge.example/")
    assert register(caller, "url@example.org").status_code == 201
    (message,) = db_session.scalars(sa.select(OutboxMessage))
    assert message.links[0].startswith("https://bridge.example/verify/")
