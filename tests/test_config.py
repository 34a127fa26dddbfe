import pytest

import config
from app import create_app


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config.ProductionConfig)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_urls_reach_psycopg3(given, expected):
    assert config._normalise_db_url(given) == expected


def test_unknown_config_name_is_refused(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "staging")
    with pytest.raises(RuntimeError, match="FLASK_CONFIG"):
        config.config_from_env()


def test_a_feature_module_imported_first_leaves_the_app_working(tmp_path):
    """A script that imports a feature's services before the app (as bench.pages_throughput
    does), in a new interpreter: no module may configure the mappers while it is imported,
    before every model is (the test run imports in another order and would not see)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}"}
    env.pop("FLASK_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", "import app.accounts.services, wsgi"],
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize(
    ("url", "pooler", "connect_args"),
    [
        ("postgresql+psycopg://u@h/db", "", None),
        ("postgresql+psycopg://u@h/db", "pgbouncer", {"prepare_threshold": None}),
        ("sqlite:////tmp/x.sqlite", "pgbouncer", None),  # nothing to turn off
    ],
)
def test_a_pgbouncer_turns_prepared_statements_off(url, pooler, connect_args):
    options = config.engine_options(url, pooler)
    assert options["pool_pre_ping"] is True
    assert options.get("connect_args") == connect_args


def test_an_unknown_pooler_is_refused():
    with pytest.raises(RuntimeError, match="DATABASE_POOLER"):
        config.engine_options("postgresql+psycopg://u@h/db", "pgbouncr")


def test_behind_pgbouncer_psycopg_prepares_nothing(app):
    """psycopg prepares a statement run 5 times (its default threshold) on the server,
    where a PgBouncer in transaction mode would lose it; with the option it never does."""
    import sqlalchemy as sa

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (run with TEST_DATABASE_URL)")
    for pooler, prepared in (("", 1), ("pgbouncer", 0)):
        engine = sa.create_engine(url, **config.engine_options(url, pooler))
        with engine.connect() as conn:
            for _ in range(6):
                conn.execute(sa.text("SELECT 1 + 1"))
            count = conn.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        engine.dispose()
        assert count == prepared, pooler


def test_the_readme_lists_every_setting():
    """Deploying's tables name every variable config.py and gunicorn.conf.py read."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    read = {
        name
        for source in ("config.py", "gunicorn.conf.py")
        for name in re.findall(
            r"environ(?:\.get)?[\[(]\s*['\"]([A-Z_]+)['\"]", (root / source).read_text()
        )
    }
    readme = (root / "README.md").read_text()
    settings = readme[readme.index("### Settings") :]
    assert len(read) > 30
    assert sorted(name for name in read if f"`{name}`" not in settings) == []
