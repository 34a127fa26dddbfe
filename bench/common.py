"""Shared set-up for benchmarks: a database holding the full synthetic network."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
FULL = {"centres": 1_000, "experts": 10_000, "publications": 100_000, "forums": 100}
DEFAULT_SQLITE = Path(tempfile.gettempdir()) / "expert_bridge_bench.sqlite"


def flask(args: list[str], url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_CONFIG": "development"}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ensure_database(url: str) -> None:
    """Create a PostgreSQL database that does not exist yet."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def reset(url: str) -> None:
    ensure_database(url)
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        meta.drop_all(bind=conn)
    engine.dispose()


def network_size(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT count(*) FROM publications")) or 0
    except sa.exc.DBAPIError:
        return 0
    finally:
        engine.dispose()


def full_network(url: str | None) -> str:
    """A database URL holding the report and the full synthetic network (built once)."""
    url = url or f"sqlite:///{DEFAULT_SQLITE}"
    if network_size(url) < FULL["publications"]:
        print(
            f"building the synthetic network in {sa.make_url(url).render_as_string()} ...",
            file=sys.stderr,
        )
        reset(url)
        flask(["db", "upgrade"], url)
        flask(["seed"], url)
        flask(["seed", "synthetic", *(f"--{k}={v}" for k, v in FULL.items())], url)
    return url
