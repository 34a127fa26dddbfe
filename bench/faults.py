"""Faults under load: PostgreSQL restarted, Redis stopped, a worker killed; nothing lost.

    .venv/bin/python -m bench.faults [--timeline] [--keep-logs DIR]

One bounded run (about 40 s of load, under 2 minutes in all) against services of its own
on loopback, never the shared ones: a throw-away PostgreSQL 15 cluster (initdb into a
temporary directory, trust auth, spare port), a ``redis-server`` without persistence, and
the app under gunicorn with 4 workers in production configuration (``gunicorn.conf.py``
when the repository has one; the flags here set the bind address and worker count). The
database is migrated and seeded, and an organiser logs in over HTTP for a write token.

Load: wrk reads (2 threads, 4 connections, each pausing 20 ms between requests) over
centres, expert searches, publications, the coverage report (with the token; the others
anonymous) and health; a Python reader polls the same paths the same way; three Python
writers create a centre, rename it and create a publication, over and over. Phases
follow one another with the load running throughout: baseline; PostgreSQL restart
(``pg_ctl stop -m fast``, 2 s down, start); Redis stopped for 5 s and started again; one
gunicorn worker killed with SIGKILL; recovery.

Attribution: wrk runs once per phase with ``-d`` the phase's length, and its Lua
``response`` hook counts statuses per epoch second (``os.time()``); wrk reports socket
errors only as a total, which is charged to its phase. The Python client times each of
its calls, socket errors included. Seconds to recovery run from the fault's end (the
database or Redis answering again, the moment of the kill) to the start of the first
second with traffic and no 5xx or socket error, to 1 s resolution.

Afterwards every write acknowledged with a 2xx is looked up in the database: the row
must exist and hold the acknowledged value (or that of a later write whose outcome is
unknown). Writes answered 5xx or not at all are looked up too: how many were saved
anyway is printed, as is how many of the client's 503s lacked ``Retry-After`` or the JSON
error shape. Exit status 1 when an acceptance check fails: no 5xx outside the seconds
PostgreSQL is down, only 503 while it is, no error in the Redis phase (down, coming back
and after), no acknowledged write lost, and every fault recovered from within the run.
``--timeline`` prints every second's tally as well.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT
from bench.fault_load import Client, Tally, Timeline, Wrk, check_writes
from bench.fault_stack import (
    PG_BIN,
    Flask,
    Gunicorn,
    Postgres,
    Redis,
    kill_group,
    spare_port,
    write_token,
)

ORGANISER = ("organiser@faults.bench.invalid", "fault bench passphrase 1")
WRITERS = 3
FAULT_AT = 1.5  # seconds into a phase


@dataclass
class Stack:
    postgres: Postgres
    redis: Redis
    app: Gunicorn
    workdir: Path


@dataclass
class Phase:
    name: str
    seconds: float
    fault: Callable[[Stack], tuple[float, float]] | None = None


@dataclass
class PhaseResult:
    """What one phase saw; ``fault`` is the (start, end) of its fault in epoch seconds."""

    phase: Phase
    start: float
    end: float
    tally: Tally
    fault: tuple[float, float] | None = None
    recovery: float | None = None


def restart_postgres(stack: Stack) -> tuple[float, float]:
    start = time.time()
    stack.postgres.stop("fast")
    time.sleep(2)
    stack.postgres.start()
    return start, time.time()


def restart_redis(stack: Stack) -> tuple[float, float]:
    start = time.time()
    stack.redis.stop()
    time.sleep(5)
    stack.redis.start()
    return start, time.time()


def kill_worker(stack: Stack) -> tuple[float, float]:
    victim = stack.app.worker_pids()[0]
    at = time.time()
    os.kill(victim, signal.SIGKILL)
    return at, at


PHASES = [
    Phase("baseline", 5),
    Phase("postgres restart", 10, restart_postgres),
    Phase("redis stop 5 s", 13, restart_redis),
    Phase("worker SIGKILL", 8, kill_worker),
    Phase("recovery", 5),
]


def prerequisites() -> None:
    missing = [tool for tool in ("wrk", "redis-server") if not shutil.which(tool)]
    missing += [] if (PG_BIN / "initdb").exists() else [f"PostgreSQL 15 ({PG_BIN})"]
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (apt-get install wrk redis-server postgresql-15)")


def build_stack(stack: ExitStack, workdir: Path) -> Stack:
    """Start PostgreSQL and Redis, migrate, seed, add the organiser, start gunicorn."""
    postgres = Postgres(workdir, spare_port(55432))
    stack.callback(postgres.stop, "immediate")
    postgres.create()
    redis = Redis(workdir, spare_port(56379))
    stack.callback(redis.stop)
    redis.start()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FLASK_CONFIG": "production",
        "SECRET_KEY": "fault-bench-only",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
    }
    flask = Flask(env)
    flask("db", "upgrade")
    flask("seed")
    email, password = ORGANISER
    flask("users", "create", "--email", email, "--role", "organiser", "--password", password)
    app = Gunicorn(env, spare_port(55000), workdir / "gunicorn.log")
    stack.callback(app.stop)
    app.start()
    return Stack(postgres, redis, app, workdir)


def run_phase(phase: Phase, stack: Stack, token: str, timeline: Timeline) -> PhaseResult:
    start = time.time()
    wrk = Wrk(stack.app.base, token, phase.seconds, stack.workdir / "reads.lua")
    try:
        fault = None
        if phase.fault:
            time.sleep(FAULT_AT)
            fault = phase.fault(stack)
        time.sleep(max(0.0, start + phase.seconds - time.time()))
        socket_errors = wrk.finish(timeline)
    finally:
        kill_group(wrk.proc)
    end = time.time()
    tally = timeline.between(start, end)
    tally.socket += socket_errors
    result = PhaseResult(phase, start, end, tally, fault)
    if fault:
        result.recovery = recovery(timeline, fault[1], end)
    return result


def recovery(timeline: Timeline, fault_end: float, until: float) -> float | None:
    """Seconds from the fault's end to the first second with traffic and no error."""
    for second in range(int(fault_end), int(until)):
        tally = timeline.seconds.get(second, Tally())
        if tally.requests and not tally.errors:
            return max(0.0, second - fault_end)
    return None


def checks(
    results: list[PhaseResult], timeline: Timeline, missing: int, bare_503s: int
) -> list[str]:
    """The issue's acceptance checks; the failed ones, described."""
    pg_start, pg_end = next(r.fault for r in results if r.phase.fault is restart_postgres)
    down = range(int(pg_start), int(pg_end) + 1)
    outside = Tally()
    inside = Tally()
    for second, tally in timeline.seconds.items():
        if second in down:
            inside += tally
        else:
            outside += tally
    redis = next(r for r in results if r.phase.fault is restart_redis)
    failures = [
        (outside.server + outside.unavailable, "5xx outside the seconds PostgreSQL is down"),
        (inside.server, "5xx other than 503 while PostgreSQL is down"),
        (redis.tally.errors, "errors in the Redis phase (5xx or no answer)"),
        (missing, "acknowledged writes lost"),
        (bare_503s, "503s without Retry-After or the JSON error shape"),
    ]
    failed = [f"{count} {what}" for count, what in failures if count]
    failed += [
        f"no recovery after {r.phase.name}" for r in results if r.fault and r.recovery is None
    ]
    return failed


def print_table(results: list[PhaseResult]) -> None:
    head = ("phase", "s", "requests", "2xx-3xx", "4xx", "5xx !503", "503", "no answer")
    print(f"{head[0]:<18}" + "".join(f"{h:>10}" for h in head[1:]) + "   recovery")
    for r in results:
        t = r.tally
        cells = (r.end - r.start, t.requests, t.ok, t.client, t.server, t.unavailable, t.socket)
        line = f"{r.phase.name:<18}{cells[0]:>10.1f}" + "".join(f"{c:>10}" for c in cells[1:])
        if r.fault:
            lasted = r.fault[1] - r.fault[0]
            after = "never" if r.recovery is None else f"{r.recovery:.1f} s"
            line += f"   {after} (fault lasted {lasted:.1f} s)"
        print(line)


def print_timeline(results: list[PhaseResult], timeline: Timeline) -> None:
    print("second  phase              requests  2xx-3xx  4xx  5xx!503  503  no answer")
    for r in results:
        for second in range(int(r.start), int(r.end)):
            t = timeline.seconds.get(second, Tally())
            cells = (t.requests, t.ok, t.client, t.server, t.unavailable, t.socket)
            widths = (8, 9, 5, 9, 5, 11)
            row = "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
            print(f"{second - int(results[0].start):>6}  {r.phase.name:<17}{row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-logs", type=Path, help="copy the gunicorn and PostgreSQL logs here")
    parser.add_argument("--timeline", action="store_true", help="print every second's tally too")
    opts = parser.parse_args()
    prerequisites()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as for Ctrl-C
    workdir = Path(tempfile.mkdtemp(prefix="expert-bridge-faults-"))
    try:
        with ExitStack() as cleanup:
            cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
            if opts.keep_logs:
                cleanup.callback(keep_logs, workdir, opts.keep_logs)
            print("starting PostgreSQL, Redis and gunicorn ...", file=sys.stderr)
            stack = build_stack(cleanup, workdir)
            failed = measure(stack, opts.timeline)
    except KeyboardInterrupt:
        sys.exit("interrupted; the bench's services are stopped and its files removed")
    print("PASS" if not failed else "FAIL: " + "; ".join(failed))
    sys.exit(1 if failed else 0)


def measure(stack: Stack, show_timeline: bool = False) -> list[str]:
    token = write_token(stack.app.base, *ORGANISER)
    Wrk.script(stack.workdir / "reads.lua")
    timeline = Timeline()
    client = Client(stack.app.base, token, timeline)
    threads = client.start(WRITERS)
    try:
        results = []
        for phase in PHASES:
            print(f"phase: {phase.name} ({phase.seconds:.0f} s)", file=sys.stderr)
            results.append(run_phase(phase, stack, token, timeline))
    finally:
        client.stop.set()
        for thread in threads:
            thread.join(20)
    writes = check_writes(client.writes, stack.postgres.url)
    if show_timeline:
        print_timeline(results, timeline)
    print_table(results)
    print(f"acknowledged writes: {writes.acked}, missing: {len(writes.missing)}")
    print(f"writes answered 5xx or not at all: {writes.unanswered}, saved: {writes.saved}")
    bare = client.unavailable.count(False)
    print(f"503s to the Python client: {len(client.unavailable)}, ", end="")
    print(f"without Retry-After or the JSON error shape: {bare}")
    for write in writes.missing[:5]:
        print(f"  lost: {write}")
    return checks(results, timeline, len(writes.missing), bare)


def keep_logs(workdir: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("gunicorn.log", "postgres.log"):
        if (workdir / name).exists():
            shutil.copy(workdir / name, target / name)


if __name__ == "__main__":
    main()
