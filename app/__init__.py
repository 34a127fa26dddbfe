"""Expert Bridge: the application factory."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.core.fields import IdConverter
from app.core.jsonresponse import OrjsonProvider
from app.core.transaction import TransactionalFlask
from config import Config, ProductionConfig, config_from_env


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application with ``config_class`` (default: from ``FLASK_CONFIG``)."""
    config_class = config_class or config_from_env()
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    # /static/ serves the pages' files (app/static); Swagger UI's come from its package.
    app = TransactionalFlask(__name__, instance_relative_config=True, static_folder="static")
    app.config.from_object(config_class)
    app.url_map.converters["int"] = IdConverter
    app.json = OrjsonProvider(app)
    app.json.ensure_ascii = False  # names in Cyrillic and Kazakh stay readable
    _ensure_instance_dir(app)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    from app.core import cache
    from app.core.requests import PercentEncodeQuery

    cache.register(app)  # the response cache wraps the app, inside the wrappers below
    app.wsgi_app = PercentEncodeQuery(app.wsgi_app)  # type: ignore[method-assign]
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _ensure_instance_dir(app: Flask) -> None:
    from pathlib import Path

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (registers every table on the metadata)
    from app.accounts.auth import register_auth
    from app.core import export_slots, i18n, mail, pages
    from app.core.db import register_engine_events
    from app.core.errors import (
        register_error_handlers,
        register_integrity_handler,
        register_stale_handler,
    )
    from app.core.fields import id_converter_schema
    from app.core.ratelimits import register_rate_limit_handler
    from app.core.redis_client import client_options
    from app.core.requests import register_request_checks
    from app.core.security import register_security_headers
    from app.core.versioning import register_versioning
    from app.extensions import api, db, limiter, migrate

    db.init_app(app)
    register_engine_events(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    api.init_app(app)
    api.register_converter(IdConverter, id_converter_schema)
    i18n.register(app)
    pages.register(app)
    mail.register(app)
    register_error_handlers(app)
    register_integrity_handler(app)
    register_stale_handler(app)
    register_rate_limit_handler(app)
    register_versioning()
    register_request_checks(app)
    register_auth(app)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", client_options(app.config["REDIS_TIMEOUT"]))
    limiter.init_app(app)
    _hear_fault_logs(app)
    register_security_headers(app)
    _register_derived_data(app)
    export_slots.install(app)
    _register_job_kinds(app)


def _hear_fault_logs(app: Flask) -> None:
    """Redis faults are logged as warnings, by the caches (``app.*`` loggers) and by
    Flask-Limiter when it counts in memory instead. Where no logging is configured
    (gunicorn configures only its own) they go where Flask's own log goes: the app's
    logger gets Flask's handler, and Flask-Limiter's NullHandler would swallow them."""
    import logging

    from flask.logging import default_handler

    _ = app.logger  # Flask adds its handler to the "app" logger when first asked for it
    if not logging.getLogger().handlers:
        logging.getLogger("flask-limiter").addHandler(default_handler)


def _register_derived_data(app: Flask) -> None:
    """The session listeners that keep derived data (``app.core.derived`` says how)."""
    from app.audit import services as audit
    from app.reports import cache as report_cache
    from app.reports import tracking as ledger
    from app.search import services as search

    for feature in (search, audit, ledger, report_cache):
        feature.register(app)


def _register_job_kinds(app: Flask) -> None:
    """The background jobs each feature runs (``app.jobs.registry``)."""
    from app.centres.routes import EXPORT as centres
    from app.experts.routes import EXPORT as experts
    from app.forums import solve_job
    from app.jobs import exports, queue
    from app.projects.routes import EXPORT as projects
    from app.publications import import_job
    from app.publications.routes import EXPORT as publications
    from app.reports import export_job

    queue.sweep_in_threads(app)
    solve_job.register(app)
    exports.register(app, experts, centres, projects, publications)
    export_job.register(app)
    import_job.register(app)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _register_blueprints(app: Flask) -> None:
    from app.accounts.account_pages import bp as account_pages
    from app.accounts.pages import bp as accounts_pages
    from app.accounts.routes import auth, users
    from app.audit.routes import blp as audit
    from app.centres.pages import bp as centre_pages
    from app.centres.routes import blp as centres
    from app.claims.routes import blp as claims
    from app.core.docs import blp as docs
    from app.experts.pages import bp as expert_pages
    from app.experts.routes import blp as experts
    from app.extensions import api
    from app.forums.pages import bp as forum_pages
    from app.forums.routes import blp as forums
    from app.forums.schedule_routes import blp as schedule
    from app.health.routes import blp as health
    from app.jobs.routes import blp as jobs
    from app.projects.routes import blp as projects
    from app.publications.pages import bp as publication_pages
    from app.publications.routes import blp as publications
    from app.reference.routes import blp as reference
    from app.reports.routes import blp as reports
    from app.site.pages import bp as site

    app.register_blueprint(docs)
    # pages: plain Flask, so they stay out of the OpenAPI document
    for pages in (
        site,
        expert_pages,
        centre_pages,
        publication_pages,
        forum_pages,
        accounts_pages,
        account_pages,
    ):
        app.register_blueprint(pages)
    for blueprint in (
        health,
        auth,
        users,
        reference,
        centres,
        experts,
        publications,
        projects,
        forums,
        schedule,
        claims,
        audit,
        reports,
        jobs,
    ):
        api.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app.accounts.cli import users_cli
    from app.backup.cli import data_cli
    from app.jobs.cli import jobs_cli
    from app.reports.cli import reports_cli
    from app.search.cli import search_cli
    from seeds.cli import seed_cli

    for group in (users_cli, search_cli, seed_cli, reports_cli, data_cli, jobs_cli):
        app.cli.add_command(group)
