"""Time and memory of one import at (or past) the record limit, on the full synthetic network.

    .venv/bin/python -m bench.imports [--format bibtex|ris|csl-json] [--records 2000]
                                      [--dry-run] [--database-url URL]

Prints the seconds the request took, the worker's RSS growth at its peak (sampled every
10 ms) and what it kept afterwards. Authors are names of stored experts (in either script)
and unknown names, as in ``bench.import_speed``. The import runs in a transaction that is
rolled back, so the benchmark can be repeated; run each size in a fresh process.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import threading
import time

import psutil
import sqlalchemy as sa
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import orm

from bench.common import full_network
from bench.import_speed import records

MIB = 1024 * 1024
MIMETYPES = {
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/json",
}


def _bib_name(author: dict) -> str:
    return ", ".join(part for part in (author["family"], author.get("given")) if part)


def as_bibtex(items: list[dict]) -> str:
    return "\n".join(
        f"@article{{w{i},\n  title = {{{item['title']}}},\n"
        f"  author = {{{' and '.join('{' + _bib_name(a) + '}' for a in item['author'])}}},\n"
        f"  journal = {{{item['container-title']}}},\n"
        f"  year = {{{item['issued']['date-parts'][0][0]}}},\n  doi = {{{item['DOI']}}}\n}}\n"
        for i, item in enumerate(items)
    )


def as_ris(items: list[dict]) -> str:
    return "".join(
        "TY  - JOUR\n"
        f"TI  - {item['title']}\n"
        + "".join(f"AU  - {_bib_name(a)}\n" for a in item["author"])
        + f"JO  - {item['container-title']}\nPY  - {item['issued']['date-parts'][0][0]}\n"
        f"DO  - {item['DOI']}\nER  - \n"
        for item in items
    )


def body(fmt: str, items: list[dict]) -> bytes:
    if fmt == "bibtex":
        return as_bibtex(items).encode()
    if fmt == "ris":
        return as_ris(items).encode()
    return json.dumps(items, ensure_ascii=False).encode()


class PeakRss:
    """The process's largest RSS while the block runs, sampled every 10 ms."""

    def __init__(self) -> None:
        self.process, self.peak, self._done = psutil.Process(), 0, threading.Event()

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._done.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--format", choices=sorted(MIMETYPES), default="bibtex")
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--dry-run", action="store_true")
    opts = parser.parse_args()
    url = full_network(opts.database_url)
    os.environ.update(DATABASE_URL=url, FLASK_CONFIG="development")
    from app import create_app
    from app.accounts.services import create_token
    from app.extensions import db
    from app.models import Role, TokenScope, User

    app = create_app()
    # Past the default limits, to measure what they keep out.
    app.config.update(IMPORT_MAX_RECORDS=opts.records, IMPORT_MAX_BYTES=64 * 1024 * 1024)
    with app.app_context():
        known = list(
            db.session.scalars(sa.text("SELECT full_name FROM experts ORDER BY id LIMIT 3000"))
        )
        data = body(opts.format, records(known, opts.records))
        connection = db.engine.connect()
        transaction = connection.begin()
        db.session.remove()
        db.session = orm.scoped_session(
            orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        user = User(email="bench-importer@example.org", password_hash="x", role=Role.ORGANISER)
        db.session.add(user)
        _, secret = create_token(user, "bench", [TokenScope.WRITE], 1)
        db.session.commit()
        client = app.test_client()
        gc.collect()
        before = psutil.Process().memory_info().rss
        with PeakRss() as peak:
            started = time.perf_counter()
            response = client.post(
                f"/api/v1/publications/import?format={opts.format}&dry_run={opts.dry_run}",
                data=data,
                content_type=MIMETYPES[opts.format],
                headers={"Authorization": f"Bearer {secret}"},
            )
            seconds = time.perf_counter() - started
        report = response.get_json()
        db.session.remove()
        transaction.rollback()
        connection.close()
        gc.collect()
        kept = psutil.Process().memory_info().rss
    assert response.status_code in (200, 201), report
    print(f"database          {url.split(':')[0]}")
    print(f"file              {opts.records} {opts.format} records, {len(data) / 1e6:.2f} MB")
    print(f"dry run           {opts.dry_run}; would create / created {report['created']}")
    print(f"request time      {seconds:.1f} s")
    print(
        f"RSS growth        peak +{(peak.peak - before) / MIB:.0f} MiB, "
        f"kept +{(kept - before) / MIB:.0f} MiB"
    )


if __name__ == "__main__":
    main()
