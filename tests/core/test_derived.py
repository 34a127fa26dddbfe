"""Derived data is kept by listeners the factory installs, on every session, and models
opt in one way: by inheriting a mixin of ``app.core.derived``."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from app import create_app
from app.audit.models import AuditEntry
from app.audit.services import _record_flush
from app.core import derived
from app.core.models import Base
from app.models import Centre
from app.reports.models import TieKind
from app.search.models import SearchKey
from app.search.services import key_rows
from config import TestingConfig

MODELS = sorted((m.class_ for m in Base.registry.mappers), key=lambda c: c.__name__)


@pytest.mark.parametrize("model", MODELS, ids=lambda c: c.__name__)
def test_each_model_opts_in_by_mixin_only(model):
    assert hasattr(model, "__audit__") == issubclass(model, derived.Audited)
    assert hasattr(model, "__search_type__") == issubclass(model, derived.Searchable)
    assert hasattr(model, "__ledger__") == issubclass(model, derived.LedgerSource)
    if issubclass(model, derived.Searchable):
        assert all(hasattr(model, name) for name in model.__search_fields__)
    if issubclass(model, derived.LedgerSource):
        kind, attribute = model.__ledger__
        assert TieKind(kind) and hasattr(model, attribute)


def test_importing_the_features_installs_no_listener():
    code = (
        "import app.models, app.audit.services, app.search.services, app.reports.tracking, "
        "app.reports.cache, app.core.cache\n"
        "from sqlalchemy import orm\n"
        "session = orm.Session()\n"
        "print(sum(len(getattr(session.dispatch, n)) for n in "
        "('before_flush', 'after_flush', 'before_commit', 'after_commit', 'after_rollback')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_each_listener_is_installed_once_however_many_apps(app):
    create_app(TestingConfig)
    listeners = list(orm.Session().dispatch.after_flush)
    assert listeners.count(_record_flush) == 1
    assert len(listeners) == len(set(listeners))


def test_a_session_outside_flask_sqlalchemy_keeps_derived_data(db_session):
    with orm.Session(bind=db_session.connection()) as plain:
        centre = Centre(name_en="Plain Session Institute", country_code="KZ", kind="ngo")
        plain.add(centre)
        plain.flush()
        stored = plain.scalars(
            sa.select(SearchKey.key).where(
                SearchKey.entity_type == "centre", SearchKey.entity_id == centre.id
            )
        ).all()
        expected = {row["key"] for row in key_rows("centre", centre.id, centre.search_texts())}
        assert expected and set(stored) == expected
        logged = plain.scalars(
            sa.select(AuditEntry.action).where(
                AuditEntry.entity_type == "centre", AuditEntry.entity_id == centre.id
            )
        ).all()
        assert logged == ["create"]
        plain.rollback()
