"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from app.core.errors import DomainError

# RFC 9106's second recommended option (argon2-cffi's defaults): argon2id, t=3,
# m=64 MiB, p=4. Changing ARGON2_* makes old hashes rehash at their next login.
DEFAULT_PARAMS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


@cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """The hasher configured by ``ARGON2_PARAMS`` (the tests use cheap ones)."""
    params = DEFAULT_PARAMS
    if has_app_context():
        params = current_app.config.get("ARGON2_PARAMS", DEFAULT_PARAMS)
    return _hasher_for(**params)


MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt"
# Digits and symbols people append to a common word to pass a length rule.
_DECORATION = re.compile(r"[\d\W_]+$")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so both cost the same."""
    return _dummy_hash_for(hasher())


@cache
def _dummy_hash_for(h: PasswordHasher) -> str:
    return h.hash("no such account: the timing must match a real one")


@cache
def _common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS.open(encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """On the shipped list, as it is or with digits and symbols appended."""
    lowered = password.lower()
    common = _common_passwords()
    base = _DECORATION.sub("", lowered)
    return lowered in common or (len(base) >= 4 and base in common)


def _is_repetition(password: str) -> bool:
    """Whether the password is one shorter string repeated ("abcabcabcabc")."""
    return (password + password).find(password, 1) < len(password)


def check_password_policy(password: str) -> None:
    """Length and a common-password list; no rules about which characters to use
    (NIST SP 800-63B)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    elif len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    elif is_common(password):
        problems.append("This password is too common; choose another.")
    elif len(set(password)) < 4 or _is_repetition(password):
        problems.append("This password repeats a short pattern; choose another.")
    if problems:
        raise DomainError("The password does not meet the policy.", {"password": problems})
