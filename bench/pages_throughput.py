"""Requests per second of pages and of the JSON list, logged in, against bare Flask in one run.

    .venv/bin/python -m bench.pages_throughput [--database-url URL] [--seconds 10]

Issue #11's bar: the ``/experts?q=…`` page and a profile page, logged in with a session
cookie, and ``GET /api/v1/experts?q=…`` with a bearer token, each reach at least 0.15 of
the rate bare Flask (``bench.bare_app``) reaches in the same run. A logged-in request
never touches the shared response cache (``app.core.cache`` passes over any request with
a cookie or an Authorization header), so every answer here is computed.

Both servers run under gunicorn as ``bench.common.serve`` says; wrk drives each with 16
connections. A URL that answers 404 is skipped with a line saying so: the pages may not
be built yet on the branch being measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import urllib.error
import urllib.request

import sqlalchemy as sa

from bench.common import Timing, full_network, read_token, serve, timed, wrk

QUERY = "shibutov"
TARGET = 0.15
EMAIL = "bench-pages@example.org"
PASSWORD = "bench-pages-password-1"
PORT_BARE, PORT_APP = 5911, 5912


def seeded_expert(url: str) -> int:
    """The id of Marat Shibutov, an expert of the report's seed data."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(
            sa.text("SELECT id FROM experts WHERE full_name = 'Marat Shibutov' ORDER BY id")
        )
    engine.dispose()
    if found is None:
        sys.exit("no seeded expert Marat Shibutov in this database")
    return found


def bearer_token(url: str) -> str:
    """A read token of the bench's user, made in this process (the user too, once)."""
    return read_token(url, EMAIL, PASSWORD)


def session_cookie(port: int) -> str:
    """The session cookie of a login over HTTP, as a ``Cookie`` header's value."""
    body = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        cookies = answer.headers.get_all("Set-Cookie") or []
    pairs = [c.split(";", 1)[0] for c in cookies]
    if not any(p.startswith("session=") for p in pairs):
        sys.exit(f"login set no session cookie: {cookies}")
    return "; ".join(pairs)


def probe(port: int, path: str, headers: dict[str, str]) -> str | None:
    """Why ``path`` cannot be measured (404, another error, a cached answer), or None."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            cache = answer.headers.get("X-Cache")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return "not found (404): page not built yet"
        return f"answered {exc.code}"
    if cache in {"hit", "miss"}:
        return f"answered from the shared cache (X-Cache: {cache}); not a logged-in request"
    return None


def runs(expert_id: int) -> list[tuple[str, str, str]]:
    """(name, path, credential) of each measurement; credential is "cookie" or "bearer"."""
    return [
        ("JSON list", f"/api/v1/experts?q={QUERY}", "bearer"),
        ("experts page", f"/experts?q={QUERY}", "cookie"),
        ("profile page", f"/experts/{expert_id}", "cookie"),
        ("search page", f"/search?q={QUERY}", "cookie"),
    ]


def measure(url: str, seconds: int) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FLASK_CONFIG": "production",
        "SECRET_KEY": "benchmark-only",
        "RESPONSE_CACHE": "redis" if os.environ.get("REDIS_URL") else "off",
    }
    expert_id, secret = seeded_expert(url), bearer_token(url)
    results: dict[str, Timing | str] = {}
    proc = serve("bench.bare_app:app", PORT_BARE, env)
    try:
        wrk(f"http://127.0.0.1:{PORT_BARE}/items", 3)  # warm up
        results["bare Flask"] = timed(proc, f"http://127.0.0.1:{PORT_BARE}/items", seconds, {})
    finally:
        proc.terminate()
        proc.wait()
    proc = serve("wsgi:app", PORT_APP, env)
    try:
        credentials = {
            "bearer": {"Authorization": f"Bearer {secret}"},
            "cookie": {"Cookie": session_cookie(PORT_APP)},
        }
        for name, path, credential in runs(expert_id):
            headers = credentials[credential]
            skipped = probe(PORT_APP, path, headers)
            if skipped:
                results[name] = f"{path}: {skipped}"
                continue
            wrk(f"http://127.0.0.1:{PORT_APP}{path}", 3, headers)  # warm up
            results[name] = timed(proc, f"http://127.0.0.1:{PORT_APP}{path}", seconds, headers)
    finally:
        proc.terminate()
        proc.wait()
    report(url, results, expert_id)


def report(url: str, results: dict[str, Timing | str], expert_id: int) -> None:
    bare, _, bare_cpu, _ = results["bare Flask"]
    print(f"database        {sa.make_url(url).get_backend_name()}   logged in, no shared cache")
    paths = {name: path for name, path, _ in runs(expert_id)}
    for name, result in results.items():
        if isinstance(result, str):
            print(f"{name:15} skipped: {result}")
            continue
        rate, p99, cpu, _ = result
        figures = f"{name:15} {rate:8.0f} req/s   p99 {p99:>8}   {cpu:5.2f} ms CPU/req"
        if name == "bare Flask":
            print(figures)
            continue
        verdict = "ok" if rate / bare >= TARGET else "BELOW"
        print(
            f"{figures}   ratio {rate / bare:.3f} (target >= {TARGET}) {verdict}, "
            f"by CPU {bare_cpu / cpu:.3f}   {paths[name]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=int, default=10)
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    measure(full_network(opts.database_url), opts.seconds)


if __name__ == "__main__":
    main()
