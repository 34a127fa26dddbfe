"""Failed logins are counted per address and per account and address, before the password
is checked: parallel guesses get no extra tries, and nobody locks the owner out."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.accounts import services, throttle
from app.accounts.models import User, new_session_token
from app.accounts.passwords import hash_password
from app.extensions import db
from tests.conftest import PASSWORD

WRONG = "wrong-password-123"
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


def login(client, email, password=PASSWORD, address=ATTACKER):
    return client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def limit_of(app, setting: str) -> int:
    return int(app.config[setting].split()[0])


@pytest.fixture
def per_account(app) -> int:
    return limit_of(app, "RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS")


@pytest.fixture
def user(make_user, db_session):
    """A user committed to the test's savepoint, so a failed login's rollback keeps it."""
    made = make_user()
    db_session.commit()
    return made


def test_an_address_gets_limit_tries_at_an_account_then_429_even_with_the_password(
    client, user, per_account
):
    for _ in range(per_account):
        assert login(client, user.email, WRONG).status_code == 401
    refused = login(client, user.email)  # the right password: over the limit, not checked
    assert refused.status_code == 429
    body = refused.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert re.fullmatch(
        r"Too many failed logins to this account from this address; "
        r"try again in 1[45] minutes\.",
        body["message"],
    )
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60


def test_the_owner_logs_in_from_another_address_after_an_attacker_used_up_theirs(
    client, user, per_account
):
    for _ in range(per_account + 3):
        login(client, user.email, WRONG)
    assert login(client, user.email).status_code == 429
    assert login(client, user.email, address=OWNER).status_code == 200


def test_many_addresses_get_their_tries_each_and_the_owner_still_logs_in(client, user, per_account):
    for n in range(3):
        address = f"192.0.2.{n}"
        answers = [login(client, user.email, WRONG, address).status_code for _ in range(6)]
        assert answers == [401] * per_account + [429] * (6 - per_account)
    assert login(client, user.email, address=OWNER).status_code == 200


def test_failures_at_many_accounts_from_one_address_are_limited(client, user, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_FAILURES_ADDRESS", "3 per 15 minutes")
    for n in range(3):  # unknown accounts count like known ones
        assert login(client, f"nobody{n}@example.org", WRONG).status_code == 401
    refused = login(client, user.email)
    assert refused.status_code == 429
    assert refused.get_json()["message"].startswith("Too many failed logins from this address;")
    assert login(client, user.email, address=OWNER).status_code == 200


def test_successful_logins_do_not_count_as_failures(app, user, per_account, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_FAILURES_ADDRESS", "3 per 15 minutes")
    for _ in range(max(per_account, 3) + 2):
        assert login(app.test_client(), user.email).status_code == 200


def test_a_success_forgets_the_failures_of_that_account_from_that_address(
    client, user, per_account
):
    for _ in range(per_account - 1):
        assert login(client, user.email, WRONG).status_code == 401
    assert login(client, user.email).status_code == 200
    anonymous = client.application.test_client()  # the logged-in one would need CSRF
    answers = [login(anonymous, user.email, WRONG).status_code for _ in range(per_account)]
    assert answers == [401] * per_account


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (14 * 60 + 1, "15 minutes"),
    ],
)
def test_a_refusal_says_when_to_retry_in_words(seconds, words):
    refusal = throttle.LoginThrottled("Too many", seconds)
    assert refusal.data["message"] == f"Too many; try again in {words}."
    assert dict(refusal.get_headers())["Retry-After"] == str(seconds)


# -- parallel guesses ----------------------------------------------------------


@pytest.fixture
def committed_user(app):
    """A user committed outside the test's rolled-back transaction, so that requests in
    other threads (each with its own connection) see it; deleted afterwards."""
    email = f"parallel-{uuid.uuid4().hex[:12]}@example.org"
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            sa.insert(User).values(
                email=email,
                password_hash=hash_password(PASSWORD),
                role="expert",
                session_token=new_session_token(),
            )
        )
    yield email
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.delete(User).where(User.email == email))


@pytest.fixture
def counted_verifications(monkeypatch):
    """Counts argon2 verifications, each made slow enough that guesses overlap."""
    lock, calls = threading.Lock(), []
    verify = services.verify_password

    def slow_verify(password_hash: str, password: str) -> bool:
        with lock:
            calls.append(password)
        time.sleep(0.05)
        return verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", slow_verify)
    return calls


def test_parallel_guesses_get_no_more_tries_than_the_limit(
    app, committed_user, counted_verifications, per_account
):
    start = threading.Barrier(40)

    def guess(_n: int) -> int:
        client = app.test_client()
        start.wait()
        return login(client, committed_user, WRONG).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(guess, range(40)))

    assert len(counted_verifications) == per_account
    assert answers.count(401) == per_account
    assert answers.count(429) == 40 - per_account
    assert login(app.test_client(), committed_user, address=OWNER).status_code == 200


def test_reservations_are_atomic_under_threads(app, per_account):
    start = threading.Barrier(30)

    def reserve(_n: int) -> bool:
        with app.app_context():
            start.wait()
            try:
                throttle._reserve(throttle.ACCOUNT_ADDRESS, ATTACKER, "hammered")
            except throttle.LoginThrottled:
                return False
            return True

    with ThreadPoolExecutor(max_workers=30) as pool:
        taken = list(pool.map(reserve, range(30)))
    assert taken.count(True) == per_account


# -- storage failures ----------------------------------------------------------


class DeadStorage(MemoryStorage):
    """A rate-limit storage whose server is gone: every call raises, as redis-py does."""

    def acquire_entry(self, *_args, **_kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    get_moving_window = clear = acquire_entry


@pytest.fixture
def dead_storage(monkeypatch):
    throttle.reset_local()
    monkeypatch.setattr(throttle, "_shared", lambda: MovingWindowRateLimiter(DeadStorage()))
    yield
    throttle.reset_local()


def test_logins_go_on_and_stay_limited_when_the_storage_fails(
    client, user, dead_storage, per_account, caplog
):
    assert login(client, user.email, address=OWNER).status_code == 200
    anonymous = client.application.test_client()
    answers = [login(anonymous, user.email, WRONG).status_code for _ in range(per_account + 1)]
    assert answers == [401] * per_account + [429]
    assert "ConnectionError); counting in this process" in caplog.text


def test_limits_come_from_the_environment():
    env = {**os.environ, "RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS": "3 per hour"}
    env["RATE_LIMIT_LOGIN_FAILURES_ADDRESS"] = "9 per hour"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config; c = config.Config; print(c.RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS,"
            " '|', c.RATE_LIMIT_LOGIN_FAILURES_ADDRESS)",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "3 per hour | 9 per hour"


NEW = "a-new-long-passphrase-9"


@pytest.mark.parametrize(
    ("path", "send"),
    [
        (
            "/api/v1/auth/password",
            lambda client, data: client.post("/api/v1/auth/password", json=data),
        ),
        ("/account/password", lambda client, data: client.post("/account/password", data=data)),
    ],
)
def test_wrong_current_passwords_count_as_failed_logins(caller, user, per_account, path, send):
    # An open session must not turn into unlimited guesses at the password (each one an
    # argon2 verification): the form's failures share the login's count.
    client = caller(user)
    for _ in range(per_account):
        answer = send(client, {"current_password": WRONG, "new_password": NEW})
        assert answer.status_code == 422, path
    refused = send(client, {"current_password": PASSWORD, "new_password": NEW})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 60
    assert login(caller().client, user.email, address="127.0.0.1").status_code == 429


def test_a_wrong_password_when_changing_the_address_counts_too(caller, user, per_account):
    client = caller(user)
    client.client.set_cookie("lang", "ru")
    form = {"new_email": "elsewhere@example.org", "email_password": WRONG}
    for _ in range(per_account):
        assert client.post("/account/email", data=form).status_code == 422
    refused = client.post("/account/email", data={**form, "email_password": PASSWORD})
    assert refused.status_code == 429 and "Слишком много" in refused.text
