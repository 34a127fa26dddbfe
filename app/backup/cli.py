"""``flask data``: export everything to a portable archive, and import one."""

from __future__ import annotations

from pathlib import Path

import click

from app.backup.errors import Refused
from app.backup.services import Summary, export_data, import_data, schema_head
from app.core.transaction import CommandGroup
from app.extensions import db

data_cli = CommandGroup("data", help="Portable backups: move the data between databases.")


def _echo_summary(summary: Summary) -> None:
    width = max(map(len, [*summary.rows, *summary.rebuilt, "table"]))
    click.echo(f"{'table':<{width}}  {'rows':>9}")
    for name, rows in summary.rows.items():
        click.echo(f"{name:<{width}}  {rows:>9}")
    for name, rows in summary.rebuilt.items():
        click.echo(f"{name:<{width}}  {rows:>9}  (rebuilt)")
    click.echo(f"{'total':<{width}}  {sum(summary.rows.values()):>9}")


@data_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Write every record (not derived data, not jobs) to FILE, a zip archive."""
    try:
        summary = export_data(db.session, file, schema_head())
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_summary(summary)
    click.echo(f"Exported to {file}.")


@data_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Delete everything the database holds first.")
def import_command(file: Path, replace: bool) -> None:
    """Load FILE into an empty database (of the same schema revision) and rebuild the
    search keys and the ledger; all or nothing."""
    try:
        summary = import_data(db.session, file, schema_head(), replace=replace)
    except Refused as exc:
        raise click.ClickException(f"import refused, nothing written: {exc}") from exc
    _echo_summary(summary)
    click.echo(f"Imported {file}.")
