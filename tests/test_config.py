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
