"""Schemathesis fuzzes every operation in the OpenAPI document with its default checks,
once as an anonymous caller and once as an admin with a read-write token."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.accounts.services import create_token
from app.extensions import limiter
from app.models import TokenScope

CONFIG = Path(__file__).resolve().parent.parent / "schemathesis.toml"
# The suite draws the same examples on every run, so CI's verdict on a commit is
# reproducible; `make fuzz` (FUZZ_EXAMPLES=N) explores fresh random ones, more of them.
EXPLORE = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXPLORE or 30,
    derandomize=not EXPLORE,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_schema(app, db_session, monkeypatch):
    # Rate limits would turn most generated requests into 429s and hide the rest.
    monkeypatch.setattr(limiter, "enabled", False)
    config = SchemathesisConfig.from_path(CONFIG)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


@pytest.fixture
def admin_token(make_user, db_session) -> str:
    _, secret = create_token(make_user("admin"), "fuzz", [TokenScope.READ, TokenScope.WRITE], 1)
    # Committed to the test's savepoint, so a request that rolls back keeps the token.
    db_session.commit()
    return secret


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@FUZZ
def test_anonymous(case):
    case.call_and_validate()


@schema.parametrize()
@FUZZ
def test_as_admin(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"})
