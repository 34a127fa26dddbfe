"""Production serving: gunicorn's settings, and an access log without tokens."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

from app.core.access_log import RedactingLogger

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class FakeResponse:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "text/calendar"), ("Set-Cookie", "session=abc")]


class FakeRequest:
    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers


def access_line(uri: str, fmt: str | None = None, headers=(), referer: str = "-") -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    if fmt:
        cfg.set("access_log_format", fmt)
    logger = RedactingLogger(cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.access_log.handlers = [handler]
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Calendar/1.0",
    }
    req = FakeRequest(list(headers))
    logger.access(FakeResponse(), req, environ, dt.timedelta(milliseconds=12))
    return stream.getvalue()


@pytest.mark.parametrize(
    "uri",
    [
        "/api/v1/me/schedule.ics?token=eb_secret123",
        "/api/v1/me/schedule.ics?lang=ru&token=eb_secret123",
        "/api/v1/me/schedule.ics?token=eb_secret123&lang=ru",
        "/api/v1/me/schedule.ics?TOKEN=eb_secret123",
        "/api/v1/me/schedule.ics?access_token=eb_secret123",
        # The app decodes parameter names: this one reaches it as "token".
        "/api/v1/me/schedule.ics?tok%65n=eb_secret123",
        "/api/v1/me/schedule.ics?to%6Ben=eb_secret123&lang=ru",
    ],
)
def test_token_values_are_redacted_from_the_request_line(uri):
    line = access_line(uri)
    assert "eb_secret123" not in line
    assert "=[redacted]" in line.lower()
    assert "/api/v1/me/schedule.ics" in line and " 200 " in line


def test_other_query_values_are_kept():
    line = access_line("/api/v1/experts?q=Шибутов&page=2&mytokens=3")
    assert "q=Шибутов&page=2&mytokens=3" in line


def test_every_atom_is_redacted_headers_included():
    fmt = '"%(r)s" %(U)s %(q)s "%(f)s" "%({authorization}i)s" "%({cookie}i)s" "%({set-cookie}o)s"'
    line = access_line(
        "/api/v1/me/schedule.ics?token=eb_secret123",
        fmt=fmt,
        headers=[("Authorization", "Bearer eb_secret456"), ("Cookie", "session=xyz")],
        referer="https://cal.example/?token=eb_secret789",
    )
    for secret in ("eb_secret123", "eb_secret456", "eb_secret789", "session=xyz", "abc"):
        assert secret not in line
    assert line.count("[redacted]") == 6


@pytest.fixture(autouse=True)
def _own_environment(monkeypatch):
    """gunicorn.conf.py sets variables for the app it loads: here, in a copy."""
    monkeypatch.setattr(os, "environ", dict(os.environ))


@pytest.mark.parametrize(
    ("given", "caches"),
    [
        ({}, ("off", "off")),
        ({"RESPONSE_CACHE": "memory"}, ("memory", "off")),  # said explicitly: kept
        ({"REDIS_URL": "redis://r:6379/0"}, (None, None)),  # config.py picks redis
    ],
)
def test_under_gunicorn_the_caches_are_shared_or_off(monkeypatch, given, caches):
    """Development's in-process caches would go stale across workers and hosts."""
    for name in ("REDIS_URL", "RESPONSE_CACHE", "REPORT_CACHE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    runpy.run_path(str(CONF))
    assert (os.environ.get("RESPONSE_CACHE"), os.environ.get("REPORT_CACHE")) == caches


def test_the_configured_format_and_logger(monkeypatch):
    for name in ("HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(CONF))
    assert conf["bind"] == "127.0.0.1:8000"
    assert 3 <= conf["workers"] <= 8
    assert conf["logger_class"] == "app.core.access_log.RedactingLogger"
    assert conf["accesslog"] == "-"
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["timeout"] > conf["graceful_timeout"] > 0


def test_the_environment_sets_bind_and_workers(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf = runpy.run_path(str(CONF))
    assert (conf["bind"], conf["workers"]) == ("0.0.0.0:9001", 3)
