"""``flask jobs worker`` and ``flask jobs sweep``."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.jobs import files, queue, runner

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option(
    "--nice",
    type=click.IntRange(0, 19),
    default=None,
    help="Add this to the worker's niceness (default JOBS_WORKER_NICE, 19): on a host that "
    "also serves requests, a solve or an import then takes the CPU that requests leave.",
)
def worker(burst: bool, nice: int | None) -> None:
    """Run jobs from Redis (REDIS_URL) until stopped; run as many as you like, anywhere."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        raise click.UsageError(
            "REDIS_URL is not set: jobs then run in the app's own threads, no worker needed."
        )
    # The forked work horse, and the solver's threads in it, inherit the niceness.
    os.nice(app.config["JOBS_WORKER_NICE"] if nice is None else nice)
    queue.work(app, burst=burst)


@jobs_cli.command("sweep")
def sweep() -> None:
    """Retry or fail the running jobs whose worker died, and delete expired files
    (workers do both by themselves)."""
    again = runner.sweep()
    queue.redispatch(again)
    deleted = files.sweep_expired()
    db.session.commit()
    click.echo(f"{len(again)} job(s) queued again; {deleted} expired file(s) deleted.")
