"""A mixed load, as issue #12 asks: search, items, filtered lists and a report, 64 connections.

    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python -m bench.load \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_load [--seconds 60]

The app runs under gunicorn with 4 workers as production runs it (``gunicorn.conf.py``,
production configuration, PostgreSQL, the response and report caches in Redis; workers
are not recycled, so a leak would show in their RSS). wrk (2 threads, 64 connections) and
a Lua script send, at random:

- 35 % search: ``?q=`` on the expert, centre and publication lists (the API's search;
  there is no ``/api/v1/search``), names from the database in Latin, Cyrillic and Kazakh;
- 35 % item: ``/api/v1/experts/<id>``, ``/centres/<id>``, ``/publications/<id>`` of ids
  that exist and anyone may see;
- 20 % filtered list: experts, centres and publications by country, topic or year;
- 10 % report: ``/api/v1/reports/...`` with an organiser's bearer token.

Two runs of ``--seconds`` follow a short warm-up, back to back; each prints req/s,
p50/p90/p99, errors (non-2xx answers and socket errors), requests sent per kind and the
workers' CPU per request, then the workers' RSS. Pass/fail lines follow for the issue's
targets. Then :func:`under_jobs`: the load a third time while a 60 s solve and a
50,000-entry import run as jobs on a ``flask jobs worker``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench import load_jobs
from bench.common import WRK_THREADS_LUA, full_network, read_token, serve, workers_cpu, workers_rss

PORT = 5921
WORKERS = 4
CONNECTIONS = 64
WEIGHTS = {"search": 35, "item": 35, "list": 20, "report": 10}
TODAY_RATE = 95  # req/s, issue #12
TARGET_P99_MS, TARGET_RATE, RSS_FLAT = 400, 2 * TODAY_RATE, 0.05
JOBS_P99_MOVE = 0.5
WARM_UP_SECONDS = 5
EMAIL, PASSWORD = "bench-load@example.org", "bench-load-password-1"
KAZAKH = "әғқңөұүһі"
REPORTS = [
    "/api/v1/reports/coverage?limit=50",
    "/api/v1/reports/gaps?limit=20",
    "/api/v1/reports/topics",
    "/api/v1/reports/regions",
    "/api/v1/reports/trend",
]
LUA = (
    WRK_THREADS_LUA
    + """
local paths = {%(paths)s}
local weights = {%(weights)s}

function init(args)
  token, sent, statuses = args[1], {}, {}
  math.randomseed(os.time() * 100 + id)
end

function request()
  local r, kind = math.random(100), nil
  for _, w in ipairs(weights) do
    if r <= w[2] then kind = w[1] break end
  end
  sent[kind] = (sent[kind] or 0) + 1
  local list = paths[kind]
  local headers = {}
  if kind == "report" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", list[math.random(#list)], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for kind, count in pairs(thread:get("sent")) do io.write("K ", kind, " ", count, "\\n") end
    for status, count in pairs(thread:get("statuses")) do
      io.write("S ", status, " ", count, "\\n")
    end
  end
  local e = summary.errors
  io.write("E ", e.connect + e.read + e.write + e.timeout, "\\n")
  io.write("R ", summary.requests, " ", summary.duration, "\\n")
  for _, p in ipairs({50, 90, 99}) do io.write("P ", p, " ", latency:percentile(p), "\\n") end
end
"""
)


@dataclass
class Run:
    """One wrk run's figures."""

    rate: float
    percentiles: dict[int, float]  # ms
    statuses: dict[int, int]
    socket_errors: int
    sent: dict[str, int]
    cpu_ms: float = 0.0  # workers' CPU per request
    rss: dict[int, float] = field(default_factory=dict)  # MiB per worker, after the run

    @property
    def errors(self) -> int:
        bad = sum(count for status, count in self.statuses.items() if not 200 <= status < 300)
        return bad + self.socket_errors


def sample_paths(url: str, seed: int = 12) -> dict[str, list[str]]:
    """The paths of each kind, drawn once from the database (a fixed seed: every run and
    every branch sends the same ones)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        visible = "user_id IS NULL"  # nobody's private registration
        experts = conn.scalars(sa.text(f"SELECT id FROM experts WHERE {visible}")).all()
        centres = conn.scalars(sa.text("SELECT id FROM centres")).all()
        publications = conn.scalars(sa.text("SELECT id FROM publications")).all()
        names = conn.execute(sa.text(f"SELECT full_name, other_names FROM experts WHERE {visible}"))
        words = [w for full, other in names for n in [full, *(other or [])] for w in n.split()]
        topics = conn.scalars(sa.text("SELECT id FROM topics")).all()
    engine.dispose()
    pick = random.Random(seed)
    return {
        "search": search_paths(words, pick),
        "item": [
            *(f"/api/v1/experts/{i}" for i in pick.sample(experts, 200)),
            *(f"/api/v1/centres/{i}" for i in pick.sample(centres, 100)),
            *(f"/api/v1/publications/{i}" for i in pick.sample(publications, 100)),
        ],
        "list": list_paths(pick.sample(topics, 5)),
        "report": REPORTS,
    }


def search_paths(words: list[str], pick: random.Random) -> list[str]:
    """``?q=`` searches of names: 20 Latin, 20 Cyrillic (Russian) and 20 with Kazakh letters."""
    latin = sorted({w for w in words if w.isascii() and w.isalpha() and len(w) > 3})
    cyrillic = sorted({w for w in words if not w.isascii() and not set(w.lower()) & set(KAZAKH)})
    kazakh = sorted({w for w in words if set(w.lower()) & set(KAZAKH)})
    queries = [
        q for group in (latin, cyrillic, kazakh) for q in pick.sample(group, min(20, len(group)))
    ]
    lists = ("experts", "experts", "centres", "publications")
    return [f"/api/v1/{pick.choice(lists)}?q={urllib.parse.quote(q)}" for q in queries]


def list_paths(topics: list[int]) -> list[str]:
    return [
        "/api/v1/experts?country=KZ&page_size=20",
        "/api/v1/experts?country=RU&page_size=20&page=2",
        *(f"/api/v1/experts?topic={t}&page_size=20" for t in topics),
        "/api/v1/centres?country=KZ",
        *(f"/api/v1/centres?topic={t}" for t in topics[:2]),
        "/api/v1/publications?country=KZ&year_from=2020",
        *(f"/api/v1/publications?topic={t}&year_from=2015" for t in topics),
    ]


def lua_script(paths: dict[str, list[str]]) -> str:
    """The wrk script for these paths and :data:`WEIGHTS` (cumulative, in percent)."""
    tables = ", ".join(
        f"{kind} = {{{', '.join(lua_string(p) for p in found)}}}" for kind, found in paths.items()
    )
    bounds, total = [], 0
    for kind, weight in WEIGHTS.items():
        total += weight
        bounds.append(f'{{"{kind}", {total}}}')
    return LUA % {"paths": tables, "weights": ", ".join(bounds)}


def lua_string(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(script: str, seconds: int, token: str) -> Run:
    """One wrk run of ``script`` for ``seconds``; its figures as the script printed them."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        cmd = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "-s", lua.name]
        out = subprocess.run(
            [*cmd, f"http://127.0.0.1:{PORT}", "--", token],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return parse(out)


def parse(out: str) -> Run:
    lines = [line.split() for line in out.splitlines() if re.match(r"^[KSERP] ", line)]
    sent = {line[1]: 0 for line in lines if line[0] == "K"}
    statuses = {int(line[1]): 0 for line in lines if line[0] == "S"}
    for line in lines:  # one line per wrk thread
        if line[0] == "K":
            sent[line[1]] += int(line[2])
        elif line[0] == "S":
            statuses[int(line[1])] += int(line[2])
    socket = next(int(line[1]) for line in lines if line[0] == "E")
    requests, duration_us = next((int(line[1]), int(line[2])) for line in lines if line[0] == "R")
    percentiles = {int(line[1]): float(line[2]) / 1000 for line in lines if line[0] == "P"}
    return Run(requests / (duration_us / 1e6), percentiles, statuses, socket, sent)


def measured(server: subprocess.Popen, script: str, seconds: int, token: str) -> Run:
    """A run with the workers' CPU per request and their RSS after it."""
    before = workers_cpu(server)
    run = run_wrk(script, seconds, token)
    answered = run.rate * seconds
    run.cpu_ms = (workers_cpu(server) - before) * 1000 / answered if answered else 0.0
    run.rss = workers_rss(server)
    return run


def show(name: str, run: Run) -> None:
    p = run.percentiles
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(run.statuses.items()))
    print(
        f"{name}: {run.rate:7.1f} req/s   p50 {p[50]:.1f} ms   p90 {p[90]:.1f} ms   "
        f"p99 {p[99]:.1f} ms   {run.cpu_ms:.2f} ms CPU/req (workers)"
    )
    print(f"  errors {run.errors} (non-2xx and {run.socket_errors} socket errors); {statuses}")
    total = sum(run.sent.values()) or 1
    kinds = ", ".join(
        f"{k} {run.sent.get(k, 0)} ({run.sent.get(k, 0) / total:.0%})" for k in WEIGHTS
    )
    print(f"  sent by kind: {kinds}")
    sizes = "  ".join(f"{mib:.0f}" for _, mib in sorted(run.rss.items()))
    print(f"  worker RSS after it: sum {sum(run.rss.values()):.0f} MiB   per worker {sizes} MiB")


def verdicts(runs: list[Run]) -> None:
    """The pass/fail lines of issue #12's load targets; each must hold in every run."""
    checks = [
        (f"p99 < {TARGET_P99_MS} ms", all(r.percentiles[99] < TARGET_P99_MS for r in runs)),
        ("0 errors", all(r.errors == 0 for r in runs)),
        (f">= {TARGET_RATE} req/s (2 x {TODAY_RATE})", all(r.rate >= TARGET_RATE for r in runs)),
    ]
    first, second = (sum(r.rss.values()) for r in runs[:2])
    growth = (second - first) / first if first else 0.0
    checks.append(
        (
            f"worker RSS flat (run 2 within {RSS_FLAT:.0%} of run 1: {growth:+.1%})",
            growth <= RSS_FLAT,
        )
    )
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")


def under_jobs(
    url: str,
    server: subprocess.Popen,
    script: str,
    seconds: int,
    token: str,
    baseline: Run,
    kinds: tuple[str, ...] = load_jobs.KINDS,
) -> None:
    """The mixed load once more while a 60 s solve and a 50,000-entry import run as jobs
    (``bench.load_jobs``; or only those of ``kinds``): the p99's move against ``baseline``."""
    forum_id = load_jobs.build_forum(url) if "solve" in kinds else None
    body = load_jobs.import_body(url) if "import" in kinds else None
    # Storing the forum to solve is a write: the caches it invalidates are refilled here,
    # as before the first runs, so that the run measures the jobs, not the bench's setup.
    run_wrk(script, min(WARM_UP_SECONDS, seconds), token)
    lines: list[str] = []
    jobs = threading.Thread(
        target=lambda: lines.extend(
            load_jobs.run_jobs(f"http://127.0.0.1:{PORT}", token, forum_id, body, kinds)
        )
    )
    try:
        jobs.start()
        run = measured(server, script, seconds, token)
        jobs.join()
    finally:
        load_jobs.clean_up(url)
    show("with jobs", run)
    print("\n".join(lines) or "  the jobs did not answer")
    move = run.percentiles[99] / baseline.percentiles[99] - 1
    if kinds != load_jobs.KINDS:  # one job alone: a diagnosis, not the verdict
        print(f"p99 with only {', '.join(kinds)} moves by {move:+.0%}")
        return
    ok = abs(move) < JOBS_P99_MOVE and len(lines) == len(kinds)
    print(f"{'PASS' if ok else 'FAIL'}  p99 with jobs moves by {move:+.0%} (< {JOBS_P99_MOVE:.0%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL, as production")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--jobs",
        default=",".join(load_jobs.KINDS),
        help="the jobs of the third run: solve,import (the issue's verdict), or one alone "
        "to see what it moves",
    )
    opts = parser.parse_args()
    kinds = tuple(kind for kind in load_jobs.KINDS if kind in opts.jobs.split(","))
    if not kinds:
        sys.exit(f"--jobs takes {', '.join(load_jobs.KINDS)}")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL is not set: production caches in Redis")
    url = full_network(opts.database_url)
    script = lua_script(sample_paths(url))
    token = read_token(url, EMAIL, PASSWORD, role="organiser", write=True)  # the jobs write
    env = {**os.environ, "DATABASE_URL": url, "FLASK_CONFIG": "production"}
    env.update(SECRET_KEY="benchmark-only", RESPONSE_CACHE="redis", REPORT_CACHE="redis")
    env.update(load_jobs.job_limits())
    server = serve("wsgi:app", PORT, env, workers=WORKERS)
    workers = load_jobs.start_workers(env)
    try:
        run_wrk(script, min(WARM_UP_SECONDS, opts.seconds), token)  # caches, connections
        runs = [measured(server, script, opts.seconds, token) for _ in range(2)]
        print(
            f"database {sa.make_url(url).get_backend_name()}, gunicorn -w {WORKERS}, "
            f"wrk -c {CONNECTIONS}, {opts.seconds} s a run"
        )
        for number, run in enumerate(runs, 1):
            show(f"run {number}", run)
        verdicts(runs)
        under_jobs(url, server, script, opts.seconds, token, runs[1], kinds)
    finally:
        for process in (*workers, server):
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
