"""Requests per second of a directory list under gunicorn, against bare Flask, in one run.

    .venv/bin/python -m bench.list_throughput [--database-url URL] [--seconds 15]

Both servers run gunicorn with 2 sync workers on loopback; wrk drives each with
16 connections. The list runs anonymously with the shared response cache (Redis; needs
REDIS_URL, as production does) and without it, and with a bearer token, which the cache
never answers. Targets: cached, at least half the bare rate; with the token, at least
0.2 of it (issue #12). Each line also gives the workers' CPU per request, steadier than
req/s on a shared machine, and that of PostgreSQL and Redis, which share its cores.

One more run bounds the token's target: the liveness probe with the same token, a
logged-in request that reads nothing (the token checked, the app's hooks and middleware
run, the session opened and closed). The last line sets it against the CPU that 0.2 of
bare Flask's rate leaves each request on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

import sqlalchemy as sa

from bench.common import Timing, full_network, read_token, served_and_timed

LIST = "/api/v1/experts?country=KZ&page_size=20"
EMAIL, PASSWORD = "bench-list@example.org", "bench-list-password-1"
TARGETS = {"list, cached": 0.5, "list, token": 0.2}
LIVENESS = "live, token"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=int, default=15)
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    url = full_network(opts.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FLASK_CONFIG": "production",
        "SECRET_KEY": "benchmark-only",
    }
    bearer = {"Authorization": f"Bearer {read_token(url, EMAIL, PASSWORD)}"}
    runs = [
        ("bare Flask", "bench.bare_app:app", 5901, "/items", {}, {}),
        ("list, no cache", "wsgi:app", 5902, LIST, {"RESPONSE_CACHE": "off"}, {}),
        ("list, token", "wsgi:app", 5904, LIST, {}, bearer),
        (LIVENESS, "wsgi:app", 5905, "/api/v1/health/live", {}, bearer),
    ]
    if os.environ.get("REDIS_URL"):
        runs.append(("list, cached", "wsgi:app", 5903, LIST, {"RESPONSE_CACHE": "redis"}, {}))
    else:
        print("REDIS_URL is not set: the cached run is skipped", file=sys.stderr)
    results = {}
    for name, target, port, path, extra, headers in runs:
        env_run = {**env, **extra}
        results[name] = served_and_timed(target, port, env_run, path, opts.seconds, headers)
    report(url, results)


def report(url: str, results: dict[str, Timing]) -> None:
    bare = results["bare Flask"]
    print(f"database        {sa.make_url(url).get_backend_name()}   {LIST}")
    for name, (rate, p99, cpu, services) in results.items():
        line = f"{name:15} {rate:8.0f} req/s   p99 {p99:>8}   {cpu:5.2f} ms CPU/req"
        line += f" + {services:4.2f} services'"
        if name != "bare Flask":
            line += f"   ratio {rate / bare.rate:.3f}, by CPU {bare.cpu / cpu:.3f}"
        if name in TARGETS:
            ok = "ok" if rate / bare.rate >= TARGETS[name] else "BELOW"
            line += f" (target >= {TARGETS[name]}) {ok}"
        print(line)
    print(budget(bare, results[LIVENESS], results["list, token"]))


def budget(bare: Timing, live: Timing, token: Timing) -> str:
    """What 0.2 of bare Flask's rate leaves a request of the machine's CPU (wrk's share
    included), against what the liveness probe and the list spend with the token."""
    cores = os.cpu_count() or 1
    rate = TARGETS["list, token"] * bare.rate
    return (
        f"at {rate:.0f} req/s (0.2 of bare Flask) {cores} cores leave "
        f"{cores * 1000 / rate:.2f} ms of CPU a request, wrk's share included; "
        f"with the token the probe takes {live.cpu + live.services_cpu:.2f} ms "
        f"(workers and services), the list {token.cpu + token.services_cpu:.2f} ms"
    )


if __name__ == "__main__":
    main()
