"""Errors outside /api/ are pages in the visitor's language; under /api/ they stay JSON."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint

from app import create_app
from app.core.errors import Forbidden
from app.core.ratelimits import TooMany
from config import TestingConfig
from tests.core.test_errors import assert_error


def h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


@pytest.fixture(scope="module")
def failing_app():
    """An app with pages that fail in each way a page can."""
    app = create_app(TestingConfig)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    pages = Blueprint("failing", __name__, url_prefix="/failing")

    @pages.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @pages.get("/forbidden")
    def forbidden():
        raise Forbidden("Not yours.")

    @pages.get("/busy")
    def busy():
        raise TooMany("Too many searches", 21)

    @pages.get("/locked")
    def locked():
        raise TooMany("Too many failed logins", 896)

    app.register_blueprint(pages)
    return app


@pytest.fixture
def failing(failing_app, db_session):
    return failing_app.test_client()


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Page not found"), ("ru", "Страница не найдена"), ("kk", "Бет табылмады")],
)
def test_a_missing_page_is_a_page_in_the_visitors_language(client, lang, title):
    response = client.get("/nope", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert h1(html) == title


def test_the_api_keeps_its_json_404(client):
    response = client.get("/api/v1/nope", headers={"Accept-Language": "ru"})
    body = assert_error(response, 404)
    assert body["status"] == "Not Found"
    assert "Vary" not in response.headers or "Accept-Language" not in response.vary


def test_the_api_keeps_its_json_405(client):
    assert_error(client.post("/api/v1/health", headers={"Accept-Language": "ru"}), 405)


def test_a_wrong_method_on_a_page_is_a_405_page(client):
    response = client.delete("/", headers={"Accept-Language": "ru"})
    assert response.status_code == 405
    assert h1(response.get_data(as_text=True)) == "Действие недоступно"
    assert "GET" in response.headers["Allow"]


def test_a_500_page_shows_no_trace(failing):
    response = failing.get("/failing/boom", headers={"Accept-Language": "kk"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert h1(html) == "Қате орын алды"
    assert "secret internals" not in html and "Traceback" not in html


def test_a_403_page(failing):
    response = failing.get("/failing/forbidden", headers={"Accept-Language": "ru"})
    assert response.status_code == 403
    assert h1(response.get_data(as_text=True)) == "Доступ запрещён"


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "Try again in 21 seconds."),
        ("ru", "Повторите попытку через 21 секунду."),
        ("kk", "21 секундтан соң қайталап көріңіз."),
    ],
)
def test_a_429_page_says_when_to_retry(failing, lang, sentence):
    response = failing.get("/failing/busy", headers={"Accept-Language": lang})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "21"
    assert sentence in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "Try again in 15 minutes."),
        ("ru", "Повторите попытку через 15 минут."),
        ("kk", "15 минуттан соң қайталап көріңіз."),
    ],
)
def test_a_long_wait_is_said_in_minutes_rounded_up(failing, lang, sentence):
    response = failing.get("/failing/locked", headers={"Accept-Language": lang})
    assert response.status_code == 429 and sentence in response.get_data(as_text=True)


def test_a_nul_in_a_page_url_is_refused_with_a_page(client):
    response = client.get("/search?q=%00")
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_pages_keep_the_strict_content_security_policy(client):
    for path in ("/", "/search?q=x", "/nope"):
        csp = client.get(path).headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
