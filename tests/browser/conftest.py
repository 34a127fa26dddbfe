"""Fixtures for the browser tests: the app served live on a scratch database of its own
(migrated and seeded with the report, like ``tests/concurrency``), and headless Chromium.

A missing Chromium or chromedriver fails these tests with what to install; it never skips
them (``make test`` installs both first: see ``browser-deps`` in the Makefile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from app.extensions import db
from tests.browser.harness import (
    DESKTOP,
    LOGGED_IN,
    build_live_app,
    chromium,
    log_in,
    missing_browser,
    resize,
    serve,
)
from tests.conftest import scratch_database

WAIT_SECONDS = 10


@dataclass
class Site:
    """The live site as one browser sees it."""

    driver: WebDriver
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def open(self, path: str, *, lang: str | None = None, size=DESKTOP) -> WebDriver:
        """Load ``path`` at viewport ``size``, in ``lang`` (the switcher's cookie) if given."""
        resize(self.driver, size)
        if path in LOGGED_IN:
            log_in(self.driver, self.base_url)
        if lang:
            self.driver.execute_cdp_cmd(
                "Network.setCookie", {"name": "lang", "value": lang, "url": self.base_url}
            )
        self.driver.get(self.url(path))
        return self.driver

    def wait_until(self, condition: Callable[[WebDriver], object], message: str = ""):
        return WebDriverWait(self.driver, WAIT_SECONDS).until(condition, message)

    def html_lang(self) -> str:
        return self.driver.find_element("css selector", "html").get_attribute("lang")

    def h1(self) -> str:
        (heading,) = self.driver.find_elements("css selector", "h1")
        return heading.text

    def focused(self) -> str:
        """The focused element, as ``tag#id.class`` and its text: what a failure should show."""
        return self.driver.execute_script(
            """
            const el = document.activeElement;
            const classes = [...el.classList].map(c => "." + c).join("");
            const text = (el.innerText || el.value || "").trim().slice(0, 40);
            return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes
                + (text ? " " + JSON.stringify(text) : "");
            """
        )


@pytest.fixture(scope="session")
def live_url(app: Flask, tmp_path_factory) -> Iterator[str]:
    """The base URL of the app served on a loopback port, on its own seeded database."""
    with app.app_context():
        base_url = db.engine.url
    with (
        scratch_database(base_url, tmp_path_factory.mktemp("browser"), "browser") as url,
        serve(build_live_app(url)) as served,
    ):
        yield served


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    """One headless Chromium per test module, quit at the module's end whatever happens."""
    if problem := missing_browser():
        pytest.fail(problem, pytrace=False)
    with chromium() as browser:
        yield browser


@pytest.fixture
def site(driver: WebDriver, live_url: str) -> Site:
    """The live site in a browser with no cookies, at desktop size."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get("about:blank")
    resize(driver, DESKTOP)
    return Site(driver, live_url)
