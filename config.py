"""Configuration classes, chosen by ``FLASK_CONFIG`` and filled from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _sqlite_default() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'expert_bridge.sqlite'}"


def _flag(name: str, default: bool) -> bool:
    """An on/off setting from the environment: 1, true, yes or on (any case) is on."""
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def _normalise_db_url(url: str) -> str:
    """Let ``postgres://`` and ``postgresql://`` URLs reach psycopg 3, not psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


POOLERS = ("", "pgbouncer")


def engine_options(url: str, pooler: str = "") -> dict:
    """SQLAlchemy's engine options for ``url`` behind ``pooler`` (``DATABASE_POOLER``).

    PgBouncer in transaction mode hands each transaction another server connection, where
    a statement psycopg prepared on the last one does not exist: ``pgbouncer`` turns
    psycopg's prepared statements off (``prepare_threshold=None``) for PostgreSQL URLs.
    """
    if pooler not in POOLERS:
        raise RuntimeError(f"Unknown DATABASE_POOLER {pooler!r}; use one of {POOLERS[1:]} or none")
    options: dict = {"pool_pre_ping": True}
    if pooler == "pgbouncer" and url.startswith("postgresql+psycopg"):
        options["connect_args"] = {"prepare_threshold": None}
    return options


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(os.environ.get("DATABASE_URL", _sqlite_default()))
    # "pgbouncer" when the database URL names a PgBouncer in transaction mode.
    DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
    SQLALCHEMY_ENGINE_OPTIONS = engine_options(SQLALCHEMY_DATABASE_URI, DATABASE_POOLER)
    SQLALCHEMY_RECORD_QUERIES = False
    REDIS_URL = os.environ.get("REDIS_URL")

    # Bodies larger than this are refused with 413 before they are parsed.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024)))
    JSON_SORT_KEYS = False
    # Bibliographic imports may be larger than other bodies, up to so many records (checked
    # before parsing; bench/README.md has the time and memory an import at the limit takes).
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
    IMPORT_MAX_RECORDS = int(os.environ.get("IMPORT_MAX_RECORDS", "2000"))

    API_TITLE = "Expert Bridge"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
    API_SPEC_OPTIONS = {
        "info": {
            "description": (
                "Directory, forum scheduling and collaboration-gap reports for "
                "Russian and Kazakh think tanks."
            )
        }
    }

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))

    # A cookie session ends after this long without a request, or this long after login.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    REMEMBER_COOKIE_REFRESH_EACH_REQUEST = False

    # Every Redis client gives up after this many seconds (connecting, and each command);
    # see app.core.redis_client. A Redis that does not answer never hangs a request.
    REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
    # After a Redis error a process reads its caches uncached for this long; each process
    # checks every CACHE_PROBE_SECONDS that Redis still takes writes (app.core.cache).
    CACHE_SUSPECT_SECONDS = float(os.environ.get("CACHE_SUSPECT_SECONDS", "5"))
    CACHE_PROBE_SECONDS = float(os.environ.get("CACHE_PROBE_SECONDS", "1"))

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # (The factory gives the limiter's Redis client REDIS_TIMEOUT too.)
    # With Redis unreachable, limits are counted in each process (Flask-Limiter logs
    # "falling back to in-memory storage") and checked against Redis again later.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # The public list cache: shared in Redis when there is one; in-process (right for a
    # single process, such as `flask run`) otherwise. "off" turns it off.
    RESPONSE_CACHE = os.environ.get(
        "RESPONSE_CACHE", "redis" if os.environ.get("REDIS_URL") else "memory"
    )
    # Report results: in Redis when there is one, else in the process.
    REPORT_CACHE = os.environ.get(
        "REPORT_CACHE", "redis" if os.environ.get("REDIS_URL") else "memory"
    )
    # The coverage report withholds its weighted ratio (and says why in its notes) when fewer
    # experts than this are affiliated with a centre on either side: a share of three people
    # reads as a finding and is not one.
    REPORTS_MIN_AFFILIATED = int(os.environ.get("REPORTS_MIN_AFFILIATED", "10"))
    # No X-RateLimit-* or Retry-After on answers that were not refused: a Retry-After on a
    # 200 or a 503 misleads. Refusals carry their own (app.core.ratelimits).
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"
    # Logins: every attempt per address; failed ones per address and per account and
    # address, never per account alone (that would let anyone lock its owner out).
    RATE_LIMIT_LOGIN_ADDRESS = os.environ.get("RATE_LIMIT_LOGIN_ADDRESS", "20 per minute")
    RATE_LIMIT_LOGIN_FAILURES_ADDRESS = os.environ.get(
        "RATE_LIMIT_LOGIN_FAILURES_ADDRESS", "20 per 15 minutes"
    )
    RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS = os.environ.get(
        "RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS", "5 per 15 minutes"
    )
    RATE_LIMIT_REGISTER = "10 per hour"
    RATE_LIMIT_TOKENS = "20 per hour"
    # Anonymous exports (?format=csv, bibtex, csl-json) per address; logged-in users are exempt.
    RATE_LIMIT_EXPORTS = os.environ.get("RATE_LIMIT_EXPORTS", "10 per minute")
    # Anonymous exports streaming at once, across every worker and host (app.core.export_slots),
    # so a handful of addresses cannot hold every worker; a slot held by a killed worker lapses.
    EXPORTS_IN_FLIGHT = int(os.environ.get("EXPORTS_IN_FLIGHT", "2"))
    EXPORT_SLOT_SECONDS = float(os.environ.get("EXPORT_SLOT_SECONDS", "180"))
    EXPORT_BUSY_RETRY_SECONDS = 30

    # Background jobs (app.jobs): "rq" hands them to `flask jobs worker` through Redis;
    # "thread" runs them in a thread of the app's process (no Redis needed); "eager" runs
    # them in the request that starts them (the tests).
    JOBS_MODE = os.environ.get("JOBS_MODE") or ("rq" if os.environ.get("REDIS_URL") else "thread")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "expert-bridge-jobs")
    # The longest `Prefer: wait=N` honoured, in seconds.
    JOBS_MAX_WAIT_SECONDS = int(os.environ.get("JOBS_MAX_WAIT_SECONDS", "60"))
    # A running job's worker writes its heartbeat this often; a job whose heartbeat is older
    # than the lapse is taken for dead (retried once, else failed). Workers sweep this often.
    JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "5"))
    JOBS_HEARTBEAT_LAPSE_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_LAPSE_SECONDS", "30"))
    JOBS_SWEEP_SECONDS = float(os.environ.get("JOBS_SWEEP_SECONDS", "10"))
    # `flask jobs worker` adds this to its niceness (0-19; 19 is the lowest priority), so
    # that on a host that also serves requests a minute-long solve or import takes the CPU
    # that requests leave (bench/README.md, "Mixed load": the load's p99 with and without).
    JOBS_WORKER_NICE = int(os.environ.get("JOBS_WORKER_NICE", "19"))
    # A worker's solve runs CP-SAT, which keeps every core busy, under Linux's SCHED_IDLE
    # policy (app.core.priority): at nice 19 it still moved the load's p99 by half. Not in
    # "thread" mode, where an idle thread holding the GIL would hold up the app's requests.
    JOBS_SOLVER_IDLE = _flag("JOBS_SOLVER_IDLE", True)
    # A logged-in user's export (CSV, XLSX, CSL-JSON, BibTeX) of more rows than this runs
    # as a job (202); smaller ones, and every anonymous one, stream in the request.
    JOBS_EXPORT_INLINE_ROWS = int(os.environ.get("JOBS_EXPORT_INLINE_ROWS", "5000"))
    # A publication import of a larger body runs as a job (202).
    JOBS_IMPORT_INLINE_BYTES = int(os.environ.get("JOBS_IMPORT_INLINE_BYTES", "65536"))
    # The coverage heatmap drawing more centres a side than this is drawn by a job (202).
    JOBS_CHART_INLINE_CENTRES = int(os.environ.get("JOBS_CHART_INLINE_CENTRES", "80"))
    # A job's file (an export) is kept in the database this long, then swept.
    JOBS_RESULT_HOURS = float(os.environ.get("JOBS_RESULT_HOURS", "24"))

    # Mail (app.core.mail): SMTP when MAIL_SERVER is set; without it each message goes to
    # the log and to the outbox table that `flask mail outbox` lists.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Expert Bridge <noreply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # Links in mail start with APP_URL (e.g. https://expertbridge.example); without it,
    # SERVER_NAME and PREFERRED_URL_SCHEME, else the host the request came to.
    APP_URL = os.environ.get("APP_URL") or None
    # How long a mailed link works: email verification, password reset.
    VERIFY_LINK_MAX_AGE = timedelta(hours=int(os.environ.get("VERIFY_LINK_HOURS", "48")))
    RESET_LINK_MAX_AGE = timedelta(hours=int(os.environ.get("RESET_LINK_HOURS", "2")))
    # A link confirming a new address, mailed to it from /account.
    EMAIL_CHANGE_LINK_MAX_AGE = timedelta(
        hours=int(os.environ.get("EMAIL_CHANGE_LINK_HOURS", "48"))
    )
    # Asking for a link by mail (a new verification link, a password reset), per address.
    RATE_LIMIT_MAIL_LINKS = os.environ.get("RATE_LIMIT_MAIL_LINKS", "5 per hour")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    # Tests see the database directly; the cache has tests of its own.
    RESPONSE_CACHE = "off"
    # The test client closes a streamed answer (freeing its export slot) only when asked;
    # the slot tests set their own limit.
    EXPORTS_IN_FLIGHT = 1_000
    # Jobs run in the request that starts them; the worker tests start real workers.
    JOBS_MODE = os.environ.get("JOBS_MODE", "eager")
    # Imports stay in the request, as the import tests expect; tests/jobs lower it.
    JOBS_IMPORT_INLINE_BYTES = Config.IMPORT_MAX_BYTES
    # Tests that solve expect a plan of the search's quality, which the idle priority
    # cannot promise on a machine busy with the rest of the suite.
    JOBS_SOLVER_IDLE = False
    # Reports are cached in tests too (in the process, or in Redis when the run sets
    # REDIS_URL): each test starts a new generation, and the tests check invalidation.
    # Cheap hashes keep the suite fast; production uses RFC 9106's parameters.
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'test.sqlite'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = engine_options(SQLALCHEMY_DATABASE_URI, Config.DATABASE_POOLER)


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    # Several workers share nothing in memory: cache only with Redis.
    RESPONSE_CACHE = os.environ.get(
        "RESPONSE_CACHE", "redis" if os.environ.get("REDIS_URL") else "off"
    )
    REMEMBER_COOKIE_SECURE = True
    REPORT_CACHE = os.environ.get("REPORT_CACHE", "redis" if os.environ.get("REDIS_URL") else "off")

    @classmethod
    def check(cls) -> None:
        """Refuse to run in production without a real secret key."""
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (FLASK_CONFIG=production).")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by ``FLASK_CONFIG`` (default: development)."""
    name = os.environ.get("FLASK_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown FLASK_CONFIG {name!r}; use one of {sorted(CONFIGS)}") from None
