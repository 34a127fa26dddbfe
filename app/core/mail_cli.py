"""``flask mail outbox``: what the app would have mailed, where no mail server is set."""

from __future__ import annotations

import click

from app.core.mail import recent
from app.core.transaction import CommandGroup

mail_cli = CommandGroup("mail", help="Outgoing mail.")


@mail_cli.command("outbox")
@click.option("--limit", default=10, show_default=True, help="How many messages, newest first.")
def outbox(limit: int) -> None:
    """List recent messages with their recipient, subject and links."""
    messages = recent(limit)
    if not messages:
        click.echo("The outbox is empty.")
    for message in messages:
        click.echo(f"#{message.id} {message.created_at:%Y-%m-%d %H:%M} UTC ({message.language})")
        click.echo(f"To: {message.recipient}")
        click.echo(f"Subject: {message.subject}")
        for link in message.links:
            click.echo(f"Link: {link}")
        click.echo()
