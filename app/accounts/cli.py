"""``flask users``: account administration from the shell."""

from __future__ import annotations

import click

from app.accounts.models import Role
from app.accounts.services import create_user
from app.core.errors import DomainError
from app.core.transaction import CommandGroup

users_cli = CommandGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The new user's email address.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.EXPERT.value,
    show_default=True,
)
@click.password_option(help="Prompted for when not given.")
def create(email: str, role: str, password: str) -> None:
    """Create a user, for example the first admin."""
    try:
        user = create_user(email, password, Role(role))
    except DomainError as exc:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
