"""One host, two gunicorn workers, no Redis: no worker answers from a cache of its own
that a write answered by another left stale (gunicorn.conf.py turns the in-process
caches off, whatever ``FLASK_CONFIG`` says). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from bench.hosts import ADMIN_EMAIL, ADMIN_PASSWORD, Visitor, app_hosts

pytestmark = pytest.mark.multihost

# Each request opens a connection of its own, which either worker may accept: of so many,
# both get some (the chance that one worker takes them all is about 2 in a million).
READS = 20


def test_a_write_in_one_worker_is_seen_by_every_worker_at_once(scratch_url):
    development = {"FLASK_CONFIG": "development", "DATABASE_URL": scratch_url, "REDIS_URL": None}
    with app_hosts(development, addresses=("127.0.0.1",)) as (base,):
        admin, anonymous = Visitor("203.0.113.30"), Visitor("203.0.113.31")
        listing = f"{base}/api/v1/centres?q=Oneworker"
        for _ in range(READS):  # each worker would cache the empty answer
            assert anonymous.request("GET", listing).json() == []
        assert admin.login(base, ADMIN_EMAIL, ADMIN_PASSWORD).status == 200
        body = {"name_en": "Oneworker Institute", "country": "KZ", "kind": "academic"}
        assert admin.request("POST", f"{base}/api/v1/centres", body).status == 201
        seen = [
            [c["name_en"] for c in anonymous.request("GET", listing).json()] for _ in range(READS)
        ]
    assert seen == [["Oneworker Institute"]] * READS
