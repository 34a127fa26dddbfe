"""Cold coverage and gap reports on the full synthetic network, against the SQL they rest on.

    .venv/bin/python -m bench.reports [--database-url URL] [--rounds 7]

The reports are whole requests ``GET /api/v1/reports/coverage`` and ``/gaps`` (default
filters) by an organiser's token, with the report cache off, so every one is computed:
once in a fresh process of its own (which also gives the worker's peak RSS), then ``rounds``
times in this process, each after ``DISCARD ALL`` on PostgreSQL. The services are timed
alone too, and so is the aggregation both rest on (``queries.pair_totals``) written by hand.
A database built before the ledger is upgraded and its ledger rebuilt first. When a target
is missed, each statement is timed, and on PostgreSQL the slowest is explained.

Targets: each report under 1.5 s cold on PostgreSQL and within 2× of the hand-written
aggregation; peak RSS of the worker under 300 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from bench.common import ROOT, flask, full_network

EMAIL = "bench-reports@example.org"
TOKEN_VARIABLE = "BENCH_REPORTS_TOKEN"
PATHS = {"coverage": "/api/v1/reports/coverage", "gaps": "/api/v1/reports/gaps"}
COLD_MS, RATIO, PEAK_MB = 1_500, 2.0, 300
PLAN_LINES = 40

# The aggregation each report rests on, written by hand for the default window (no since,
# topic or kind). Coverage rests on the pair totals; gaps on the pair totals joined with
# the centres' shared topics, ranked (the never-tied and the dormant pairs, 50 each).
PAIR_TOTALS = """
    SELECT ru_centre_id, kz_centre_id,
           SUM(CASE WHEN kind = 'publication' THEN 1 ELSE 0 END) AS publications,
           SUM(CASE WHEN kind = 'session' THEN 1 ELSE 0 END) AS sessions,
           SUM(CASE WHEN kind = 'project' THEN 1 ELSE 0 END) AS projects,
           MIN(starts_on) AS first,
           MAX(starts_on) AS last,
           MAX(COALESCE(ends_on, :today)) AS active_until,
           SUM(CASE kind WHEN 'publication' THEN 1.0 WHEN 'session' THEN 0.5
                         WHEN 'project' THEN 2.0 ELSE 0 END) AS strength
    FROM centre_ties
    WHERE starts_on <= :today
    GROUP BY ru_centre_id, kz_centre_id
"""
GAP_PAIRS = f"""
    WITH totals AS ({PAIR_TOTALS}),
    overlap AS (
        SELECT r.centre_id AS ru_centre_id, k.centre_id AS kz_centre_id, COUNT(*) AS shared
        FROM centre_topics r
        JOIN centre_topics k ON k.topic_id = r.topic_id
        JOIN centres rc ON rc.id = r.centre_id AND rc.country_code = 'RU'
        JOIN centres kc ON kc.id = k.centre_id AND kc.country_code = 'KZ'
        GROUP BY r.centre_id, k.centre_id
    ),
    sizes AS (
        SELECT c.id, COUNT(DISTINCT a.expert_id) AS size
        FROM centres c
        LEFT JOIN affiliations a ON a.centre_id = c.id
             AND (a.start_date IS NULL OR a.start_date <= :today)
             AND (a.end_date IS NULL OR a.end_date >= :today)
        GROUP BY c.id
    )
    SELECT * FROM (
        SELECT 'never', o.ru_centre_id, o.kz_centre_id, o.shared
        FROM overlap o
        JOIN sizes rs ON rs.id = o.ru_centre_id
        JOIN sizes ks ON ks.id = o.kz_centre_id
        WHERE NOT EXISTS (SELECT 1 FROM totals t
                          WHERE t.ru_centre_id = o.ru_centre_id
                            AND t.kz_centre_id = o.kz_centre_id)
        ORDER BY o.shared DESC, rs.size + ks.size DESC, o.ru_centre_id, o.kz_centre_id
        LIMIT 50
    ) AS never
    UNION ALL
    SELECT * FROM (
        SELECT 'dormant', t.ru_centre_id, t.kz_centre_id, COALESCE(o.shared, 0)
        FROM totals t
        LEFT JOIN overlap o ON o.ru_centre_id = t.ru_centre_id
                           AND o.kz_centre_id = t.kz_centre_id
        WHERE t.active_until < :cutoff
        ORDER BY COALESCE(o.shared, 0) DESC, t.strength DESC, t.ru_centre_id, t.kz_centre_id
        LIMIT 50
    ) AS dormant
"""


def dormant_since() -> dt.date:
    """The gaps report's default cutoff: two years before today (as the service has it)."""
    from app.reports import services as reports

    return reports.dormant_cutoff(reports.window({}))


TODAY = sa.bindparam("today", type_=sa.Date)
BASELINES = {
    "coverage": ("pair totals", sa.text(PAIR_TOTALS).bindparams(TODAY)),
    "gaps": (
        "pair totals with shared topics, ranked",
        sa.text(GAP_PAIRS).bindparams(TODAY, sa.bindparam("cutoff", type_=sa.Date)),
    ),
}

# Autovacuum's own test: more rows changed since the last ANALYZE than 50 + 10 %.
STALE = sa.text(
    "SELECT relname FROM pg_stat_user_tables"
    " WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup ORDER BY relname"
)

SIZES = {
    "centres": "SELECT count(*) FROM centres",
    "experts": "SELECT count(*) FROM experts",
    "publications": "SELECT count(*) FROM publications",
    "sessions": "SELECT count(*) FROM sessions",
    "centre ties": "SELECT count(*) FROM centre_ties",
    "expert ties": "SELECT count(*) FROM expert_ties",
}


@dataclasses.dataclass
class Figures:
    """What one report measured: in a fresh process, as a service, and over HTTP."""

    fresh: dict[str, Any]
    service: list[float]
    http: list[float] = dataclasses.field(default_factory=list)


# -- the database -------------------------------------------------------------------------


def ensure_ledger(url: str) -> None:
    """Upgrade a database built before the ledger, and fill an empty ledger."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        present = sa.inspect(conn).has_table("centre_ties")
        ties = conn.scalar(sa.text("SELECT count(*) FROM centre_ties")) if present else 0
    if not present:
        started = time.perf_counter()
        flask(["db", "upgrade"], url)
        print(f"ledger     tables missing: flask db upgrade {time.perf_counter() - started:.1f} s")
    if not ties:
        started = time.perf_counter()
        flask(["reports", "rebuild"], url)
        print(f"ledger     empty: flask reports rebuild {time.perf_counter() - started:.1f} s")
    engine.dispose()


def ensure_statistics(url: str) -> None:
    """ANALYZE the tables autovacuum would have analysed by now (PostgreSQL): without
    statistics the planner takes 1,000 centres for one, and its plans are guesses."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            autovacuum = conn.exec_driver_sql("SHOW autovacuum").scalar()
            stale = list(conn.execute(STALE).scalars())
            if stale:
                started = time.perf_counter()
                conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{t}"' for t in stale))
                print(
                    f"statistics {len(stale)} tables stale or never analysed (autovacuum "
                    f"{autovacuum}): ANALYZE {time.perf_counter() - started:.1f} s"
                )
    engine.dispose()


def discard(engine: sa.Engine) -> None:
    """Forget the server session's plans and state (PostgreSQL); nothing to do on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("DISCARD ALL")


def print_network(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        counts = {label: conn.scalar(sa.text(sql)) for label, sql in SIZES.items()}
    print(f"database   {engine.dialect.name}   {engine.url.render_as_string()}")
    print("network    " + ", ".join(f"{label} {n:,}" for label, n in counts.items()))


def create_organiser() -> str:
    from app.accounts.models import Role, TokenScope, User
    from app.accounts.services import create_token
    from app.extensions import db

    db.session.execute(sa.delete(User).filter_by(email=EMAIL))
    organiser = User(email=EMAIL, role=Role.ORGANISER, password_hash="x")
    db.session.add(organiser)
    db.session.flush()
    _, secret = create_token(organiser, "bench", [TokenScope.READ], 1)
    db.session.commit()
    return secret


def remove_organiser() -> None:
    from app.accounts.models import User
    from app.extensions import db

    db.session.execute(sa.delete(User).filter_by(email=EMAIL))
    db.session.commit()


# -- what is timed ------------------------------------------------------------------------


def timed(run: Callable[[], Any], before: Callable[[], None], rounds: int) -> list[float]:
    """Milliseconds of ``rounds`` calls of ``run``, each after ``before``."""
    samples = []
    for _ in range(rounds):
        before()
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def request(client: Any, name: str, secret: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(PATHS[name], headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, response.get_json()
        return response

    return run


def services() -> dict[str, Callable[[], dict[str, Any]]]:
    """The two services as the routes call them, with the routes' default filters."""
    from app.reports import services as reports

    return {
        "coverage": lambda: reports.coverage(reports.window({}), 500),
        "gaps": lambda: reports.gaps(reports.window({}), None, 50),
    }


def statements() -> dict[str, list[tuple[str, sa.Select]]]:
    """Every statement each service runs, for the default window."""
    from app.reports import queries
    from app.reports import services as reports

    w = reports.window({})
    ever = dataclasses.replace(w, since=None)
    cutoff = reports.dormant_cutoff(w)
    sizes = ("centre_sizes", queries.centre_sizes(w.end))
    planned = sa.select(sa.func.count()).select_from(queries.planned_pairs(w).subquery())
    return {
        "coverage": [
            sizes,
            ("ranked_pairs", queries.ranked_pairs(w, 500)),
            ("count(planned_pairs)", planned),
        ],
        "gaps": [
            sizes,
            ("gap_pairs", queries.gap_pairs(ever, cutoff, 50)),
            ("tied_centres", queries.tied_centres(w)),
        ],
    }


# -- one report in a fresh process --------------------------------------------------------


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(name: str) -> None:
    """Build one report in this fresh process; print its time and peak RSS as JSON."""
    from app import create_app
    from app.core.heap import freeze_startup_objects

    client = create_app().test_client()
    freeze_startup_objects()  # as wsgi.py does
    idle = peak_kib()
    started = time.perf_counter()
    response = request(client, name, os.environ[TOKEN_VARIABLE])()
    elapsed = (time.perf_counter() - started) * 1000
    figures = {"idle_kib": idle, "peak_kib": peak_kib(), "first_ms": elapsed}
    print(json.dumps(figures | {"bytes": len(response.data)}))


def in_fresh_process(name: str, url: str, secret: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.reports", "--child", name, "--database-url", url],
        cwd=ROOT,
        env={**os.environ, TOKEN_VARIABLE: secret},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run ------------------------------------------------------------------------------


def measure(app: Any, url: str, rounds: int) -> tuple[dict[str, list[float]], dict[str, Figures]]:
    """Each report's baseline times and figures, all in this one run."""
    from app.extensions import db

    with app.app_context():
        engine, secret = db.engine, create_organiser()
    try:
        fresh = {name: in_fresh_process(name, url, secret) for name in PATHS}
        with app.app_context():

            def before() -> None:
                db.session.remove()
                discard(engine)

            today = {"today": dt.date.today()}
            values = {"coverage": today, "gaps": today | {"cutoff": dormant_since()}}
            base = {
                name: timed(
                    lambda sql=sql, name=name: db.session.execute(sql, values[name]).all(),
                    before,
                    rounds,
                )
                for name, (_, sql) in BASELINES.items()
            }
            figures = {
                name: Figures(fresh[name], timed(build, before, rounds))
                for name, build in services().items()
            }
            db.session.remove()
        for name, report in figures.items():
            get = request(app.test_client(), name, secret)
            report.http = timed(get, lambda: discard(engine), rounds)
    finally:
        with app.app_context():
            remove_organiser()
    return base, figures


def summary(samples: list[float]) -> str:
    return (
        f"first {samples[0]:7.1f} ms   median {statistics.median(samples):7.1f}   "
        f"min {min(samples):7.1f}   max {max(samples):7.1f}"
    )


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_report(name: str, report: Figures, base: list[float]) -> bool:
    """The report's figures and verdicts; whether its time targets were met."""
    fresh = report.fresh
    ratio = statistics.median(report.http) / statistics.median(base)
    print(name)
    print(f"  HTTP     {fresh['first_ms']:7.1f} ms, the first request of a fresh process")
    print(f"  HTTP     {summary(report.http)}")
    print(f"  service  {summary(report.service)}")
    service_ratio = statistics.median(report.service) / statistics.median(base)
    print(f"  ratio    HTTP / baseline {ratio:5.2f}×   service / baseline {service_ratio:5.2f}×")
    increment = fresh["peak_kib"] - fresh["idle_kib"]
    print(
        f"  RSS      idle app {mib(fresh['idle_kib'])}, peak {mib(fresh['peak_kib'])} "
        f"(+{mib(increment)}); answer {fresh['bytes'] / 1024:.0f} KiB"
    )
    cold = max(fresh["first_ms"], statistics.median(report.http)) < COLD_MS
    small = fresh["peak_kib"] * 1024 < PEAK_MB * 10**6
    print(
        f"  targets  cold < {COLD_MS / 1000} s: {verdict(cold)}   "
        f"≤ {RATIO:.0f}× baseline: {verdict(ratio <= RATIO)}   "
        f"peak < {PEAK_MB} MB: {verdict(small)}"
    )
    return cold and ratio <= RATIO


def breakdown(app: Any, reports: list[str], rounds: int) -> None:
    """Each statement of the reports that missed, timed; on PostgreSQL the slowest explained."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine

        def before() -> None:
            db.session.remove()
            discard(engine)

        for report in reports:
            print(f"statements of {report} (median of {rounds}):")
            times = {}
            for label, stmt in statements()[report]:
                run = lambda s=stmt: db.session.execute(s).all()  # noqa: E731
                times[label] = (statistics.median(timed(run, before, rounds)), stmt)
                print(f"  {label:22} {times[label][0]:8.1f} ms")
            db.session.remove()
            slowest = max(times, key=lambda label: times[label][0])
            if engine.dialect.name == "postgresql":
                explain(engine, f"{report}: {slowest}", times[slowest][1])


def explain(engine: sa.Engine, label: str, stmt: sa.Select) -> None:
    sql = stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        lines = list(conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").scalars())
    print(f"EXPLAIN (ANALYZE, BUFFERS) {label}, top {PLAN_LINES} of {len(lines)} lines:")
    for line in lines[:PLAN_LINES]:
        print("  " + line)


def run(url: str, rounds: int) -> None:
    from app import create_app
    from app.core.heap import freeze_startup_objects
    from app.extensions import db

    app = create_app()
    freeze_startup_objects()  # as wsgi.py does
    with app.app_context():
        print_network(db.engine)
        cold_note = "each after DISCARD ALL" if db.engine.dialect.name == "postgresql" else ""
    base, figures = measure(app, url, rounds)
    print(f"rounds     {rounds} per figure {cold_note}".rstrip())
    for name, (what, _) in BASELINES.items():
        print(f"baseline   {name}: hand-written {what}   {summary(base[name])}")
    missed = [
        name for name, report in figures.items() if not print_report(name, report, base[name])
    ]
    if missed:
        breakdown(app, missed, max(3, rounds // 2))
    print(
        f"targets    cold < {COLD_MS / 1000} s on PostgreSQL, ≤ {RATIO:.0f}× the hand-written "
        f"aggregation, peak RSS < {PEAK_MB} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--child", choices=sorted(PATHS), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if not opts.child:
        opts.database_url = full_network(opts.database_url)
        ensure_ledger(opts.database_url)
        ensure_statistics(opts.database_url)
    # Before the app is imported: config reads REPORT_CACHE once, at import.
    os.environ.update(
        DATABASE_URL=opts.database_url, FLASK_CONFIG="development", REPORT_CACHE="off"
    )
    if opts.child:
        child(opts.child)
    else:
        run(opts.database_url, opts.rounds)


if __name__ == "__main__":
    main()
