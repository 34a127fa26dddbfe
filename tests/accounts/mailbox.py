"""What the accounts' tests read of the mail sent: the outbox's links (no mail server is
set in tests, so every message lands there)."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.mail import OutboxMessage


def outbox_links(db_session, to: str) -> list[str]:
    """Every link in the mail sent to ``to``, oldest first."""
    stmt = sa.select(OutboxMessage).filter_by(recipient=to).order_by(OutboxMessage.id)
    return [link for m in db_session.scalars(stmt) for link in m.links]


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def mailed_links(db_session, to: str) -> list[str]:
    """The links in the mail sent to ``to``, oldest first, as paths to open."""
    return [path_of(link) for link in outbox_links(db_session, to)]
