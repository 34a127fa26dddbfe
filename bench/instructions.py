"""Machine instructions per request of pages and API reads, counted under valgrind.

    .venv/bin/python -m bench.instructions [--database-url URL] [--requests 100] [PATH ...]

Rates and CPU times move with whatever else the machine runs (on a shared 2-core machine
by ±25 % from one run to the next), so a change of a few per cent cannot be seen in
them. An instruction count can: each path is served in-process (Flask's test client,
production configuration, logged in as ``bench.pages_throughput``'s user, startup objects
frozen as ``wsgi.py`` freezes them) under ``valgrind --tool=cachegrind``, once with no
measured requests and once with ``--requests``; the difference over the count is the cost
of one request, startup and warm-up cancelled out. Paths under ``/api/`` are read with a
bearer token, the others with the session cookie.

On this machine ~7.3 million instructions took a millisecond of CPU (the experts page,
18.2 M, took 2.5 ms in-process on a quiet machine). A pair of runs takes 1–3 minutes.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys

from bench.common import ROOT, full_network
from bench.pages_throughput import EMAIL, PASSWORD, QUERY, bearer_token, seeded_expert

WARM_UP = 30


def default_paths(expert_id: int) -> list[str]:
    return [
        f"/api/v1/experts?q={QUERY}",
        "/api/v1/experts?country=KZ&page_size=20",
        f"/experts?q={QUERY}",
        f"/experts/{expert_id}",
        f"/search?q={QUERY}",
    ]


def serve_requests(path: str, count: int, secret: str) -> None:
    """In this process: warm up, then ``count`` requests of ``path`` (the measured part)."""
    from app import create_app

    app = create_app()
    client = app.test_client()
    headers = {}
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {secret}"}
    else:
        login = {"email": EMAIL, "password": PASSWORD}
        if client.post("/api/v1/auth/login", json=login).status_code != 200:
            sys.exit("the bench user could not log in")
    gc.collect()
    gc.freeze()
    for _ in range(WARM_UP + count):
        status = client.get(path, headers=headers).status_code
        if status != 200:
            sys.exit(f"{path} answered {status}")


def instructions(path: str, count: int, secret: str, env: dict[str, str]) -> int:
    """Instructions valgrind counted in a process serving ``count`` measured requests."""
    cmd = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.instructions",
        "--serve",
        path,
        "--requests",
        str(count),
        "--secret",
        secret,
    ]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or not found:
        sys.exit(f"valgrind run failed for {path}:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--secret", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.serve:
        serve_requests(opts.serve, opts.requests, opts.secret)
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    url = full_network(opts.database_url)
    secret = bearer_token(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FLASK_CONFIG": "production",
        "SECRET_KEY": "benchmark-only",
        "RESPONSE_CACHE": "off",
        "PYTHONHASHSEED": "0",
        # Without Redis each process sweeps dead jobs every JOBS_SWEEP_SECONDS in a thread of
        # its own; valgrind counts that thread too, and a run lasts long enough under it
        # for a sweep or two to land in one of the pair but not the other.
        "JOBS_SWEEP_SECONDS": "86400",
    }
    for path in opts.paths or default_paths(seeded_expert(url)):
        base = instructions(path, 0, secret, env)
        measured = instructions(path, opts.requests, secret, env)
        per_request = (measured - base) / opts.requests / 1e6
        print(f"{per_request:7.2f} M instructions/request   {path}", flush=True)


if __name__ == "__main__":
    main()
