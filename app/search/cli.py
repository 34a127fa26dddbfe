"""``flask search``: maintaining the search keys."""

from __future__ import annotations

import click

from app.core.transaction import CommandGroup
from app.extensions import db
from app.search.services import reindex

search_cli = CommandGroup("search", help="Cross-script search keys.")


@search_cli.command("reindex")
@click.option("--missing-only", is_flag=True, help="Only records that have no keys yet.")
def reindex_command(missing_only: bool) -> None:
    """Rebuild the search keys of experts, centres, publications and projects."""
    counts = reindex(db.session, missing_only=missing_only)
    click.echo("Indexed " + ", ".join(f"{n} keys for {t}s" for t, n in counts.items()))
