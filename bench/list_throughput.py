"""Requests per second of a directory list under gunicorn, against bare Flask, in one run.

    .venv/bin/python -m bench.list_throughput [--database-url URL] [--seconds 15]

Both servers run gunicorn with 2 sync workers on loopback; wrk drives each with
16 connections. The target: the list reaches at least half the bare rate. The list
runs twice: with the shared response cache (Redis; needs REDIS_URL, as production
does) and without it, so both figures are on record.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from bench.common import full_network, serve, wrk

LIST = "/api/v1/experts?country=KZ&page_size=20"


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
    runs = [
        ("bare Flask", "bench.bare_app:app", 5901, "/items", {}),
        ("list, no cache", "wsgi:app", 5902, LIST, {"RESPONSE_CACHE": "off"}),
    ]
    if os.environ.get("REDIS_URL"):
        runs.append(("list, cached", "wsgi:app", 5903, LIST, {"RESPONSE_CACHE": "redis"}))
    else:
        print("REDIS_URL is not set: the cached run is skipped", file=sys.stderr)
    results = {}
    for name, target, port, path, extra in runs:
        proc = serve(target, port, {**env, **extra})
        try:
            wrk(f"http://127.0.0.1:{port}{path}", 3)  # warm up
            results[name] = wrk(f"http://127.0.0.1:{port}{path}", opts.seconds)
        finally:
            proc.terminate()
            proc.wait()
    bare = results["bare Flask"][0]
    print(f"database        {url.split(':')[0]}   {LIST}")
    for name, (rate, p99) in results.items():
        ratio = "" if name == "bare Flask" else f"   ratio {rate / bare:.2f} (target >= 0.50)"
        print(f"{name:15} {rate:8.0f} req/s   p99 {p99:>8}{ratio}")


if __name__ == "__main__":
    main()
