"""Latency of ``q`` searches on the full synthetic network, names present and absent.

    .venv/bin/python -m bench.search_latency [--database-url URL] [--rounds 300]

Each search is a full request through the app (routing, search, the list query and
serialisation), timed in-process. Target: p50 under 20 ms, p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time

import sqlalchemy as sa

from bench.common import full_network

ABSENT = ["Zyxwvuts", "Qwertyuiop Asdf", "Жжжжщщщ", "Xoxoxo Lalala", "Ъъъ Ыыы", "Mnbvcxz"]


def names(engine: sa.Engine, n: int) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT full_name, other_names FROM experts ORDER BY id LIMIT 2000")
        ).all()
    rng = random.Random(7)
    picks = []
    for full_name, stored in rng.sample(rows, n):
        other = stored if isinstance(stored, list) else json.loads(stored or "[]")
        picks.append(rng.choice([full_name, full_name.split()[-1], *(other or [full_name])]))
    return picks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=300)
    opts = parser.parse_args()
    url = full_network(opts.database_url)
    os.environ.update(DATABASE_URL=url, FLASK_CONFIG="development")
    from app import create_app
    from app.core.heap import freeze_startup_objects
    from app.extensions import db

    app = create_app()
    freeze_startup_objects()  # as wsgi.py does
    client = app.test_client()
    with app.app_context():
        present = names(db.engine, opts.rounds // 2)
    queries = [(q, "present") for q in present]
    queries += [(ABSENT[n % len(ABSENT)] + str(n), "absent") for n in range(opts.rounds // 2)]
    random.Random(3).shuffle(queries)
    # Warm up: the first query of each shape (one word, two words, initials) pays for
    # compiling its SQL; a running server has paid that long before.
    for warm in ("Warmup", "Warm Up", "Warm U.", "Разогрев", "Разо Грев"):
        client.get("/api/v1/experts", query_string={"q": warm, "page_size": 20})
    timings: dict[str, list[float]] = {"present": [], "absent": []}
    for q, kind in queries:
        started = time.perf_counter()
        response = client.get("/api/v1/experts", query_string={"q": q, "page_size": 20})
        timings[kind].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        if kind == "present":
            assert response.get_json(), f"nothing found for {q!r}"
    everything = timings["present"] + timings["absent"]
    print(f"database   {url.split(':')[0]}   experts searched by name, {len(everything)} requests")
    for kind, samples in (*timings.items(), ("all", everything)):
        cuts = statistics.quantiles(samples, n=100)
        print(
            f"{kind:8}  p50 {statistics.median(samples):6.1f} ms   p99 {cuts[98]:6.1f} ms   "
            f"max {max(samples):6.1f} ms"
        )
    print("target    p50 < 20 ms, p99 < 100 ms")


if __name__ == "__main__":
    main()
