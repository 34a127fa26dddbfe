"""Shared set-up for benchmarks: a database holding the full synthetic network."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
FULL = {"centres": 1_000, "experts": 10_000, "publications": 100_000, "forums": 100}
DEFAULT_SQLITE = Path(tempfile.gettempdir()) / "expert_bridge_bench.sqlite"
# The start of a wrk script that reports per thread: each thread numbered ("id", e.g. to
# seed its random numbers) and kept, so that done() can read every thread's counts.
WRK_THREADS_LUA = """
local threads, n = {}, 0

function setup(thread)
  n = n + 1
  thread:set("id", n)
  table.insert(threads, thread)
end
"""


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
        vacuum(url)
    return url


def vacuum(url: str) -> None:
    """``VACUUM ANALYZE`` a PostgreSQL database, as autovacuum would in time: index-only
    scans (a list's COUNT) read the table again until the visibility map is set."""
    if sa.make_url(url).get_backend_name() != "postgresql":
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def read_token(
    url: str, email: str, password: str, role: str = "expert", *, write: bool = False
) -> str:
    """A new read (and, ``write``, write) token of the user ``email``, made in this process
    (the user too, with ``role``, when there is none yet)."""
    os.environ.update(DATABASE_URL=url, FLASK_CONFIG="development")
    from app import create_app
    from app.accounts import services
    from app.accounts.models import Role, TokenScope, User
    from app.extensions import db

    app = create_app()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = services.create_user(email, password, Role(role))
        scopes = [TokenScope.READ, *([TokenScope.WRITE] if write else [])]
        _, secret = services.create_token(user, "bench", scopes, 1)
        db.session.commit()
    return secret


def serve(
    target: str, port: int, env: dict[str, str], host: str = "127.0.0.1", workers: int = 2
) -> subprocess.Popen:
    """``target`` under gunicorn on ``host:port``, answering (see :func:`start`)."""
    proc = start(target, port, env, host, workers)
    wait_until_up(proc, host, port)
    return proc


def start(
    target: str, port: int, env: dict[str, str], host: str = "127.0.0.1", workers: int = 2
) -> subprocess.Popen:
    """``target`` under gunicorn with ``workers`` sync workers and the rest of ``gunicorn.conf.py``
    (preloaded app, keep-alive, the redacting logger), read from the repository root as
    production reads it, but for two settings. The access log goes to /dev/null: each line
    is still formatted (and redacted), but a terminal's speed does not count. Workers are
    not recycled: the steady state is measured, and the config's ``post_fork`` builds the
    whole app in every new worker, which under bare Flask (thousands of requests a second,
    a new worker every fraction of a second) cut its rate to under 1,000 req/s."""
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"{host}:{port}",
        "--log-level",
        "warning",
        "--access-logfile",
        "/dev/null",
        "--max-requests",
        "0",
        target,
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def wait_until_up(proc: subprocess.Popen, host: str, port: int, seconds: float = 60) -> None:
    """Return once ``host:port`` answers HTTP (any status); stop ``proc`` if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(f"http://{host}:{port}/api/v1/health/live", timeout=1)
        except urllib.error.HTTPError:
            return  # it answers (a 404 is fine: bare Flask has no such route)
        except OSError:
            time.sleep(0.1)
            continue
        return
    proc.terminate()
    raise RuntimeError(f"the server on {host}:{port} did not start")


def free_port(host: str) -> int:
    """A TCP port nothing listens on at ``host`` now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> tuple[float, str]:
    """Requests per second and p99 of ``url`` under wrk (2 threads, 16 connections)."""
    sent = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", "16", "-d", f"{seconds}s", "--latency", *sent, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = latency_ms(re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M))
    if "Non-2xx" in out:
        raise RuntimeError(f"errors while loading {url}:\n{out}")
    return rate, p99


def latency_ms(match: re.Match) -> str:
    """wrk's p99 (from its latency distribution, not a "+/- Stdev" column ending in
    "99%") in milliseconds, whichever unit wrk chose."""
    value, unit = float(match.group(1)), match.group(2)
    scale = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]
    return f"{value * scale:.1f}ms"


class Timing(NamedTuple):
    """One wrk run: req/s, p99, and CPU milliseconds per request of the server's workers
    and of the services beside them (:func:`services_cpu`)."""

    rate: float
    p99: str
    cpu: float
    services_cpu: float


def timed(server: subprocess.Popen, url: str, seconds: int, headers: dict[str, str]) -> Timing:
    """wrk's req/s and p99, and the CPU per request of the server's workers and of the
    database and Redis servers, which share the machine's cores with them."""
    before, services_before = workers_cpu(server), services_cpu()
    rate, p99 = wrk(url, seconds, headers)
    requests = rate * seconds
    return Timing(
        rate,
        p99,
        (workers_cpu(server) - before) * 1000 / requests,
        (services_cpu() - services_before) * 1000 / requests,
    )


def served_and_timed(
    target: str, port: int, env: dict[str, str], path: str, seconds: int, headers: dict[str, str]
) -> Timing:
    """``target`` under gunicorn (:func:`serve`), warmed up for 3 s, then :func:`timed` on
    ``path`` for ``seconds``; stopped afterwards."""
    proc = serve(target, port, env)
    url = f"http://127.0.0.1:{port}{path}"
    try:
        wrk(url, 3, headers)
        return timed(proc, url, seconds, headers)
    finally:
        proc.terminate()
        proc.wait()


def workers_cpu(server: subprocess.Popen) -> float:
    """CPU seconds (user + system) spent so far by ``server``'s worker processes (Linux's
    /proc; 0 elsewhere). Per request, it tells an app's cost apart from how busy the
    machine was, which moves the req/s of a shared machine from run to run."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        for pid in worker_pids(server):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return 0.0
    return total


# The services a bench's server talks to on this machine, by process name.
SERVICES = ("postgres", "redis-server")


def services_cpu() -> float:
    """CPU seconds spent so far by every process of :data:`SERVICES` (Linux's /proc; 0
    elsewhere). A process that ends between two readings takes its share with it, so
    read it around runs that start none (PostgreSQL's backends live as long as the
    pool's connections)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().split(" (", 1)[1].rsplit(") ", 1)
        except (OSError, IndexError, ValueError):
            continue  # gone, or not ours to read
        if name in SERVICES:
            parts = fields.split()
            total += (int(parts[11]) + int(parts[12])) / tick
    return total


def worker_pids(server: subprocess.Popen) -> list[int]:
    """The process ids of ``server``'s workers (its children, from Linux's /proc)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def workers_rss(server: subprocess.Popen) -> dict[int, float]:
    """Each worker's resident set (``VmRSS`` in /proc) in MiB, by process id; shared pages
    of the preloaded app count in every worker's figure."""
    sizes = {}
    for pid in worker_pids(server):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # it ended meanwhile
        kib = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if kib:
            sizes[pid] = int(kib.group(1)) / 1024
    return sizes
