"""Time and peak memory of ``flask seed synthetic`` at full scale, on a fresh database.

    .venv/bin/python -m bench.seed_synthetic                       # SQLite
    .venv/bin/python -m bench.seed_synthetic --database-url postgresql+psycopg://postgres@127.0.0.1/test

Each run migrates an empty database, loads the report, then generates the network
in a child process and prints wall time and the child's peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.common import reset

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(FLASK + args, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--centres", type=int, default=1_000)
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--forums", type=int, default=100)
    opts = parser.parse_args()

    url = opts.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    reset(url)
    env = {**os.environ, "DATABASE_URL": url, "FLASK_CONFIG": "development"}
    run(["db", "upgrade"], env)
    run(["seed"], env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds = run(
        [
            "seed",
            "synthetic",
            "--centres",
            str(opts.centres),
            "--experts",
            str(opts.experts),
            "--publications",
            str(opts.publications),
            "--forums",
            str(opts.forums),
        ],
        env,
    )
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    dialect = sa.make_url(url).get_backend_name()
    print(f"database        {dialect}")
    print(
        f"network         {opts.centres} centres, {opts.experts} experts, "
        f"{opts.publications} publications, {opts.forums} forums"
    )
    print(f"wall time       {seconds:.1f} s (whole command, start-up included)")
    note = "" if peak_kib > before else " (an earlier step peaked higher)"
    print(f"peak RSS        {peak_kib / 1024:.0f} MiB{note}")


if __name__ == "__main__":
    main()
