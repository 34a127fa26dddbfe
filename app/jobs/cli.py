"""``flask jobs worker`` and ``flask jobs sweep``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.jobs import queue, runner

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run jobs from Redis (REDIS_URL) until stopped; run as many as you like, anywhere."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        raise click.UsageError(
            "REDIS_URL is not set: jobs then run in the app's own threads, no worker needed."
        )
    queue.work(app, burst=burst)


@jobs_cli.command("sweep")
def sweep() -> None:
    """Retry or fail the running jobs whose worker died (workers do this by themselves)."""
    again = runner.sweep()
    queue.redispatch(again)
    click.echo(f"{len(again)} job(s) queued again.")
