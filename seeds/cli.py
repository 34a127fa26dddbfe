"""``flask seed``: the report's data, and synthetic networks for scale."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db


@click.group("seed", cls=AppGroup, invoke_without_command=True)
@click.pass_context
def seed_cli(ctx: click.Context) -> None:
    """Load the report's data (no subcommand), or a synthetic network."""
    if ctx.invoked_subcommand is None:
        _load_report()


@seed_cli.command("report")
def report_command() -> None:
    """Load the report's think tanks, experts, publications, regions, topics and forums."""
    _load_report()


def _load_report() -> None:
    from seeds.loader import load_report

    counts = load_report()
    db.session.commit()
    click.echo("Seeded the report's data: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@seed_cli.command("synthetic")
@click.option("--centres", default=200, show_default=True, type=click.IntRange(2, 100_000))
@click.option("--experts", default=1_000, show_default=True, type=click.IntRange(2, 1_000_000))
@click.option("--publications", default=5_000, show_default=True, type=click.IntRange(0, 5_000_000))
@click.option("--forums", default=5, show_default=True, type=click.IntRange(0, 10_000))
@click.option("--sessions-per-forum", default=20, show_default=True, type=click.IntRange(0, 1_000))
@click.option(
    "--projects",
    default=None,
    type=click.IntRange(0, 1_000_000),
    help="Joint projects (default: one per five centres).",
)
@click.option(
    "--seed",
    "random_seed",
    default=2030,
    show_default=True,
    help="Random seed: the same seed gives the same network.",
)
def synthetic_command(
    centres, experts, publications, forums, sessions_per_forum, projects, random_seed
) -> None:
    """Add a plausible synthetic network on top of the report's data, with bulk inserts."""
    from seeds.synthetic import SyntheticSpec, generate

    spec = SyntheticSpec(
        centres=centres,
        experts=experts,
        publications=publications,
        forums=forums,
        sessions_per_forum=sessions_per_forum,
        projects=centres // 5 if projects is None else projects,
        seed=random_seed,
    )
    started = time.perf_counter()
    counts = generate(spec)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Fresh tables have no statistics until autovacuum comes round (if it is on at
        # all): without them the planner takes 1,000 centres for one, and a gaps report
        # that takes 0.3 s can take minutes.
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(
        "Generated " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f" in {elapsed:.1f} s"
    )
