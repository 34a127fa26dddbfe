"""Two app hosts, one PostgreSQL, one Redis: nothing a user sees depends on which host
answers (issue #12, item 2).

Each host is gunicorn with two workers on its own loopback address (127.0.0.2, 127.0.0.3),
run as production runs it behind one proxy. Needs PostgreSQL (``TEST_DATABASE_URL``) and
Redis (``REDIS_URL``), as CI's second run has; ``pytest -m multihost`` runs these alone.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import redis

from app.core import export_slots
from bench.hosts import ADDRESSES, ADMIN_EMAIL, ADMIN_PASSWORD, Visitor, jobs_step, two_hosts

pytestmark = pytest.mark.multihost

FAILURES_ALLOWED = 4
EXPORTS_ALLOWED = 3
SETTINGS = {
    "RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS": f"{FAILURES_ALLOWED} per 15 minutes",
    "RATE_LIMIT_EXPORTS": f"{EXPORTS_ALLOWED} per minute",
}


def _loopback_aliases_bind() -> bool:
    try:
        for address in ADDRESSES:
            with socket.socket() as probe:
                probe.bind((address, 0))
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def hosts(app, request) -> Iterator[tuple[str, str]]:
    redis_url = app.config.get("REDIS_URL")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") or not redis_url:
        pytest.skip("needs PostgreSQL and Redis (TEST_DATABASE_URL and REDIS_URL, as in CI)")
    if not _loopback_aliases_bind():
        pytest.skip(f"cannot bind {ADDRESSES}: add them to the loopback (Linux has all 127/8)")
    with two_hosts(request.getfixturevalue("scratch_url"), redis_url, SETTINGS) as pair:
        yield pair


def logged_in(base: str, address: str) -> Visitor:
    admin = Visitor(address)
    assert admin.login(base, ADMIN_EMAIL, ADMIN_PASSWORD).status == 200
    return admin


def centre(name: str) -> dict:
    return {"name_en": name, "country": "KZ", "kind": "academic"}


def test_a_session_begun_on_one_host_works_on_the_other(hosts):
    a, b = hosts
    admin = logged_in(a, "203.0.113.20")
    assert admin.request("GET", f"{b}/api/v1/auth/me").json()["email"] == ADMIN_EMAIL
    # B checks the CSRF token against the session A began: without it, refused.
    refused = admin.request("POST", f"{b}/api/v1/centres", centre("Twohost Centre"), csrf=False)
    assert refused.status == 403
    created = admin.request("POST", f"{b}/api/v1/centres", centre("Twohost Centre"))
    assert created.status == 201
    assert admin.request("GET", f"{a}/api/v1/centres/{created.json()['id']}").status == 200

    kept = dict(admin.cookies)  # a copy of the cookie, as a thief might keep it
    assert admin.request("POST", f"{b}/api/v1/auth/logout").status == 204
    thief = Visitor(admin.address, kept)
    assert thief.request("GET", f"{a}/api/v1/auth/me").status == 401  # ended on A too


def test_a_write_on_one_host_is_seen_at_once_through_the_other_hosts_cache(hosts):
    a, b = hosts
    admin, anonymous = logged_in(a, "203.0.113.21"), Visitor("203.0.113.22")
    listing = "/api/v1/centres?q=Crosshost"

    def names(base: str, expected_cache: str) -> set[str]:
        answer = anonymous.request("GET", base + listing)
        assert answer.status == 200 and answer.headers["X-Cache"] == expected_cache
        return {c["name_en"] for c in answer.json()}

    assert names(b, "miss") == set()
    assert names(a, "hit") == set()  # B's answer, served by A: one cache
    created = admin.request("POST", f"{a}/api/v1/centres", centre("Crosshost Institute"))
    assert created.status == 201
    assert names(b, "miss") == {"Crosshost Institute"}
    assert names(b, "hit") == {"Crosshost Institute"}

    item = f"/api/v1/centres/{created.json()['id']}"
    renamed = admin.request("PATCH", a + item, {"name_en": "Crosshost Centre"})
    assert renamed.status == 200
    assert names(b, "miss") == {"Crosshost Centre"}
    assert admin.request("GET", b + item).json()["name_en"] == "Crosshost Centre"


def test_a_report_cached_on_one_host_is_retired_by_a_write_on_the_other(hosts, app):
    a, b = hosts
    admin = logged_in(a, "203.0.113.23")
    store = redis.Redis.from_url(app.config["REDIS_URL"])

    def kz_centres() -> int:
        answer = admin.request("GET", f"{b}/api/v1/reports/coverage")
        assert answer.status == 200
        return answer.json()["summary"]["kz_centres"]

    stored = "eb:reports:coverage:*"
    if store.keys(stored):
        store.delete(*store.keys(stored))  # left by an earlier run
    before = kz_centres()
    generation = int(store.get("eb:reports:generation") or 0)
    assert store.keys(stored), "B stored the report in Redis"
    assert admin.request("POST", f"{a}/api/v1/centres", centre("Reporthost Centre")).status == 201
    assert int(store.get("eb:reports:generation")) > generation  # A retired it
    assert kz_centres() == before + 1


def test_failed_logins_are_counted_across_both_hosts(hosts):
    """Per host, each would allow FAILURES_ALLOWED; together they allow it once."""
    a, b = hosts
    intruder = Visitor("203.0.113.24")
    statuses = [
        intruder.login((a, b)[n % 2], ADMIN_EMAIL, "not the password").status
        for n in range(FAILURES_ALLOWED + 2)
    ]
    assert statuses == [401] * FAILURES_ALLOWED + [429, 429]


def test_anonymous_exports_are_counted_across_both_hosts(hosts, app):
    a, b = hosts
    # The suite's own exports share the slots' key in this Redis (the test client leaves
    # streamed answers open, their slots held until they lapse): the hosts start with none.
    redis.Redis.from_url(app.config["REDIS_URL"]).delete(export_slots.KEY)
    visitor = Visitor("203.0.113.25")
    statuses = [
        visitor.request("GET", f"{(a, b)[n % 2]}/api/v1/centres?format=csv").status
        for n in range(EXPORTS_ALLOWED + 2)
    ]
    assert statuses == [200] * EXPORTS_ALLOWED + [429, 429]


def test_a_job_submitted_on_one_host_is_polled_to_completion_on_the_other(hosts):
    a, b = hosts
    assert jobs_step(logged_in(a, "203.0.113.26"), a, b) == "succeeded"
