"""Two app hosts sharing one PostgreSQL and one Redis: how soon a write on one shows on
the other, and what the shared list cache saves.

    REDIS_URL=redis://127.0.0.1:6379/7 python -m bench.hosts \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/bench_hosts [--rounds 50]

The database (created if missing) is emptied, migrated and seeded with the report's data.
The pass/fail checks of the same set-up are tests/multihost (``pytest -m multihost``);
this prints figures.
"""

from __future__ import annotations

import argparse
import http.cookies
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.common import ROOT, flask, free_port, reset, start, wait_until_up

# Linux answers on all of 127.0.0.0/8; elsewhere give the loopback these aliases first.
ADDRESSES = ("127.0.0.2", "127.0.0.3")
ADMIN_EMAIL = "hosts-admin@example.org"
ADMIN_PASSWORD = "a long shared secret for hosts"


@contextmanager
def app_hosts(
    settings: dict[str, str | None], addresses: tuple[str, ...] = ADDRESSES, workers: int = 1
) -> Iterator[list[str]]:
    """Base URLs of app hosts (gunicorn, 2 workers each) on ``addresses``, run as
    production runs them behind one proxy (one ``SECRET_KEY``, ``PROXY_FIX_HOPS=1``) with
    ``settings`` on top (``None`` unsets a variable), and ``workers`` job workers (``flask
    jobs worker``, which with ``REDIS_URL`` in ``settings`` take the hosts' jobs)."""
    env = {
        **os.environ,
        "FLASK_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "PROXY_FIX_HOPS": "1",
        "PYTHONPATH": str(ROOT),
        **settings,
    }
    env = {name: value for name, value in env.items() if value is not None}
    servers: list[tuple[subprocess.Popen, str, int]] = []
    job_workers: list[subprocess.Popen] = []
    try:
        for host in addresses:
            port = free_port(host)
            servers.append((start("wsgi:app", port, env, host), host, port))
        job_workers += [job_worker(env) for _ in range(workers)]
        for proc, host, port in servers:
            wait_until_up(proc, host, port)
        yield [f"http://{host}:{port}" for _, host, port in servers]
    finally:
        running = [proc for proc, *_ in servers] + job_workers
        for proc in running:
            proc.terminate()
        for proc in running:
            stop(proc)


def stop(proc: subprocess.Popen, seconds: float = 15) -> None:
    """Wait for ``proc`` to end after a SIGTERM; past ``seconds``, SIGKILL its process
    group (a job worker's forked work horse too)."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait()


def job_worker(env: dict[str, str]) -> subprocess.Popen:
    """``flask jobs worker`` with the hosts' settings (its output to /dev/null)."""
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@contextmanager
def two_hosts(
    database_url: str, redis_url: str, settings: dict[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """Two hosts on :data:`ADDRESSES` sharing one database and one Redis, with
    PgBouncer's setting (harmless without one)."""
    shared = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DATABASE_POOLER": "pgbouncer",
        "JOBS_QUEUE": f"hosts-{secrets.token_hex(4)}",  # this run's workers take its jobs only
    }
    with app_hosts({**shared, **(settings or {})}) as (first, second):
        yield first, second


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Visitor:
    """One browser behind the proxy, from ``address``: its cookies go to whichever host it
    reaches, with the proxy's ``X-Forwarded-For`` and ``X-Forwarded-Proto: https`` (the
    cookies are ``Secure``: the proxy ends TLS)."""

    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""  # the session's CSRF token, from the login

    def request(self, method: str, url: str, body: Any = None, csrf: bool = True) -> Answer:
        """``body`` as JSON; a write carries the CSRF token unless ``csrf`` is false."""
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https"}
        if csrf and self.csrf and method not in {"GET", "HEAD"}:
            headers["X-CSRF-Token"] = self.csrf
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                answer = Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.headers, error.read())
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        return answer

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            for name, morsel in http.cookies.SimpleCookie(line).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def login(self, base: str, email: str, password: str) -> Answer:
        """Log in on ``base``; a success keeps the session's CSRF token for later writes."""
        body = {"email": email, "password": password}
        answer = self.request("POST", f"{base}/api/v1/auth/login", body)
        if answer.status == 200:
            self.csrf = answer.json()["csrf_token"]
        return answer


FINAL = {"succeeded", "failed", "cancelled"}


def jobs_step(admin: Visitor, first: str, second: str, seconds: float = 60) -> str:
    """The status a job ends in when ``admin`` starts it on ``first`` (a timetable solve of
    a new forum, 202 with ``Location``) and polls it on ``second`` until it is final (or
    "still <status>" after ``seconds``)."""
    forum = admin.request("POST", f"{first}/api/v1/forums", JOBS_FORUM)
    assert forum.status == 201, forum.body
    base = f"{first}/api/v1/forums/{forum.json()['id']}"
    assert admin.request("POST", f"{base}/rooms", {"name": "Hall", "capacity": 80}).status == 201
    for title in ("Transit corridors", "Water and energy", "The Caspian"):
        session = {"title": title, "format": "panel", "duration_minutes": 90}
        assert admin.request("POST", f"{base}/sessions", session).status == 201
    started = admin.request("POST", f"{base}/schedule/solve", {"apply": False})
    assert started.status == 202, started.body
    job_url = urllib.parse.urljoin(second, started.headers["Location"])
    deadline = time.monotonic() + seconds
    while True:
        status = admin.request("GET", job_url).json()["status"]
        if status in FINAL:
            return status
        if time.monotonic() > deadline:
            return f"still {status}"
        time.sleep(0.2)


JOBS_FORUM = {
    "title": "Forum of two hosts",
    "year": 2030,
    "host_country": "KZ",
    "start_date": "2030-06-02",
    "end_date": "2030-06-03",
    "timezone": "Asia/Almaty",
}


def _timed(call) -> tuple[float, Answer]:
    began = time.perf_counter()
    answer = call()
    return (time.perf_counter() - began) * 1000, answer


def _round(admin: Visitor, anonymous: Visitor, first: str, second: str, n: int) -> dict:
    """Write a centre on ``first``; search for it on ``second``, twice (an exact match
    comes first: a page of earlier rounds' centres never hides it)."""
    name = f"Benchhost Institute {n}"
    listing = f"{second}/api/v1/centres?q={urllib.parse.quote(name)}"
    anonymous.request("GET", listing)  # cached, before the write
    write_ms, created = _timed(
        lambda: admin.request(
            "POST",
            f"{first}/api/v1/centres",
            {"name_en": name, "country": "KZ", "kind": "academic"},
        )
    )
    assert created.status == 201, created.body
    miss_ms, after = _timed(lambda: anonymous.request("GET", listing))
    hit_ms, again = _timed(lambda: anonymous.request("GET", listing))
    names = {c["name_en"] for c in after.json()}
    return {
        "write": write_ms,
        "miss": miss_ms,
        "hit": hit_ms,
        "seen": name in names,
        "states": (after.headers["X-Cache"], again.headers["X-Cache"]),
    }


def prepare(url: str) -> None:
    """An empty database, migrated, with the report's data and an admin."""
    reset(url)
    flask(["db", "upgrade"], url)
    flask(["seed"], url)
    flask(
        [
            "users",
            "create",
            "--email",
            ADMIN_EMAIL,
            "--role",
            "admin",
            "--password",
            ADMIN_PASSWORD,
        ],
        url,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to wipe")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    url, redis_url = args.database_url, os.environ.get("REDIS_URL")
    if not (url.startswith("postgresql") and redis_url):
        sys.exit("needs a PostgreSQL --database-url and REDIS_URL")
    prepare(url)
    with two_hosts(url, redis_url) as (first, second):
        admin, anonymous = Visitor("203.0.113.10"), Visitor("203.0.113.11")
        admin.login(first, ADMIN_EMAIL, ADMIN_PASSWORD)
        rounds = [_round(admin, anonymous, first, second, n) for n in range(args.rounds)]
        job = jobs_step(admin, first, second)
    _report(rounds, job)


def _report(rounds: list[dict], job: str) -> None:
    def median(key: str) -> str:
        return f"{statistics.median(r[key] for r in rounds):.1f} ms"

    seen = sum(r["seen"] for r in rounds)
    states = {r["states"] for r in rounds}
    print(f"hosts: {', '.join(ADDRESSES)}, 2 workers each; {len(rounds)} rounds")
    print(f"write on A (POST /centres), median: {median('write')}")
    print(f"list on B right after it (miss), median: {median('miss')}")
    print(f"the write seen on B at once: {seen}/{len(rounds)} rounds")
    print(
        f"list on B again (hit), median: {median('hit')}; X-Cache after a write: {sorted(states)}"
    )
    print(f"a solve started on A, polled on B until it ended: {job}")


if __name__ == "__main__":
    main()
