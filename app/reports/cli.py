"""``flask reports``: maintaining the collaboration ledger."""

from __future__ import annotations

import click
import sqlalchemy as sa

from app.core.transaction import CommandGroup
from app.extensions import db
from app.reports import ledger
from app.reports.models import CentreTie, ExpertTie

reports_cli = CommandGroup("reports", help="The collaboration ledger behind the reports.")


@reports_cli.command("rebuild")
def rebuild_command() -> None:
    """Recompute every tie from the records (after an upgrade, or to check the ledger)."""
    ledger.rebuild(db.session)
    centres = db.session.scalar(sa.select(sa.func.count()).select_from(CentreTie))
    experts = db.session.scalar(sa.select(sa.func.count()).select_from(ExpertTie))
    click.echo(f"The ledger holds {centres} centre ties and {experts} expert ties.")
