"""Failed logins, counted per address and per account-and-address.

Every attempt reserves a try before its password is checked: an atomic check-and-add on
a moving window in the rate limiter's storage (a Lua script in Redis, a lock in memory).
Parallel guesses therefore never get more tries than the limit. A successful login
gives its reservation back, so only failures stay counted.

Nothing is counted per account alone: such a count lets anyone lock the owner out from
another address, and the per-address counts already bound a guesser to the limit times
the addresses they control, against passwords of 12 characters or more off the common
list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.core.ratelimits import TooMany, seconds_until
from app.extensions import limiter

T = TypeVar("T")


@dataclass(frozen=True)
class Bucket:
    """One count: the setting that holds its limit, and what a refusal says."""

    name: str
    setting: str
    refusal: str


ACCOUNT_ADDRESS = Bucket(
    "login-failures-account-address",
    "RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS",
    "Too many failed logins to this account from this address",
)
ADDRESS = Bucket(
    "login-failures-address",
    "RATE_LIMIT_LOGIN_FAILURES_ADDRESS",
    "Too many failed logins from this address",
)

# Used only while the limiter's storage fails: this process then counts on its own.
_local = MovingWindowRateLimiter(MemoryStorage())


class LoginThrottled(TooMany):
    """429 in the API's error shape, saying in words when to try again (and Retry-After)."""


@cache
def _parse(text: str) -> RateLimitItem:
    return parse(text)


def _item(bucket: Bucket) -> RateLimitItem:
    return _parse(current_app.config[bucket.setting])


def _shared() -> MovingWindowRateLimiter:
    # Flask-Limiter's current storage: Redis, or its in-memory fallback while Redis is down.
    return MovingWindowRateLimiter(limiter.limiter.storage)


def _run(operation: Callable[[MovingWindowRateLimiter], T]) -> T:
    """``operation`` on the shared storage; on this process's own when that fails, so a
    storage outage never turns a login into a 500."""
    try:
        return operation(_shared())
    except Exception as exc:  # any storage failure: refused connection, timeout, read-only
        current_app.logger.warning(
            "Login throttle: rate-limit storage failed (%s); counting in this process.",
            type(exc).__name__,
        )
        return operation(_local)


def _reserve(bucket: Bucket, *keys: str) -> None:
    """Take one try from the bucket, or refuse with 429 when none is left."""
    item = _item(bucket)
    if _run(lambda strategy: strategy.hit(item, bucket.name, *keys)):
        return
    reset, _ = _run(lambda strategy: strategy.get_window_stats(item, bucket.name, *keys))
    raise LoginThrottled(bucket.refusal, seconds_until(reset))


def _give_back(bucket: Bucket, *keys: str) -> None:
    """Return the newest try taken from the bucket (it was not a failure)."""
    key = _item(bucket).key_for(bucket.name, *keys)

    def pop(strategy: MovingWindowRateLimiter) -> None:
        storage = strategy.storage
        if isinstance(storage, MemoryStorage):
            with storage.locks[key]:
                events = storage.events.get(key)
                if events:
                    events.pop(0)  # newest first, as acquire_entry inserts them
        elif hasattr(storage, "prefixed_key"):  # Redis, Sentinel, Cluster: LPUSHed entries
            storage.get_connection().lpop(storage.prefixed_key(key))
        # Any other storage keeps the try: stricter, never looser.

    _run(pop)


def _forget(bucket: Bucket, *keys: str) -> None:
    item = _item(bucket)
    _run(lambda strategy: strategy.clear(item, bucket.name, *keys))


def _account(email: str) -> str:
    # A digest: the counter keys hold no addresses of people, and no odd characters.
    return hashlib.sha256(email.encode()).hexdigest()[:32]


@contextmanager
def attempt(email: str, address: str) -> Iterator[None]:
    """Reserve a try for ``email`` from ``address`` around checking its password.

    If the block raises (a wrong password), the try stays counted; if it completes, the
    account's failures from this address are forgotten and the address's try given back.
    """
    if not limiter.enabled:  # RATELIMIT_ENABLED=False turns every limit off
        yield
        return
    account = _account(email)
    _reserve(ACCOUNT_ADDRESS, address, account)
    try:
        _reserve(ADDRESS, address)
    except LoginThrottled:
        _give_back(ACCOUNT_ADDRESS, address, account)
        raise
    yield
    _forget(ACCOUNT_ADDRESS, address, account)
    _give_back(ADDRESS, address)


def reset_local() -> None:
    """Clear this process's own counts (tests)."""
    _local.storage.reset()
