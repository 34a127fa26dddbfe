"""What the browser tests and ``make screenshots`` share: the app served on a loopback port
with a database of its own, and headless Chromium driven through Debian's chromedriver.

Selenium is told where both programs are, so Selenium Manager never tries to download a
browser or a driver (this machine reaches no such host).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
from flask import Flask
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from app import create_app
from app.accounts.models import TokenScope
from app.accounts.services import create_token, create_user
from app.extensions import db
from config import TestingConfig
from seeds.loader import load_report
from tests.browser import programme

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "install Debian's chromium and chromium-driver (`make browser-deps` does, as root)"

DESKTOP = (1280, 900)
PHONE = (360, 800)

# Each page the browser tests and the screenshots visit, by name.
PAGES = {
    "home": "/",
    "search": "/search?q=shibutov",
    "forums": "/forums",
    "programme": programme.PATH,
    "not-found": "/no-such-page",
    "register": "/register",
    "login": "/login",
    "password-reset": "/password-reset",
    "account": "/account",
    "invitations": "/account/invitations",
    "profile-edit": "/account/profile",  # the browser user's own, by redirect
    "experts": "/experts",
    "centres": "/centres?country=KZ",
    "publications": "/publications",
    # The seeds load in file order into an empty database, so these ids are stable;
    # tests/directory/test_detail_pages.py checks that they still show these records.
    "expert": "/experts/1",  # Marat Shibutov
    "centre": "/centres/11",  # IISPS
    "publication": "/publications/4",  # the 2018 joint report, three authors
}
# Pages seen logged in, as BROWSER_USER (build_live_app makes the account).
LOGGED_IN = {"/account", "/account/invitations", "/account/profile"}
BROWSER_USER = ("browser-user@example.org", "steppe-caravan-2030")

# Without the networking flags Chromium calls Google's hosts at start-up (refused here).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # we run as root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",  # a phone has no scroll bar eating into its 360 px
)


class BrowserMissing(RuntimeError):
    """Chromium or chromedriver is not where Debian installs them."""


def missing_browser() -> str | None:
    """What to install, when Chromium or chromedriver is not where Debian puts them."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    return f"{' and '.join(missing)} not found: {INSTALL_HINT}." if missing else None


@contextmanager
def chromium(size: tuple[int, int] = DESKTOP) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile; quit, and its profile removed, on exit."""
    if problem := missing_browser():
        raise BrowserMissing(problem)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console, CSP reports
    for flag in (
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--window-size={},{}".format(*size),
    ):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def resize(driver: webdriver.Chrome, size: tuple[int, int]) -> None:
    """Make the page's viewport exactly ``size`` CSS pixels.

    The window would include the browser's own frame. Desktop-mode emulation (not
    ``mobile``) also keeps Chromium from zooming a too-wide page out to fit, which would
    hide the very overflow the phone tests look for.
    """
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert tuple(inner) == size, f"asked for a {size} viewport, got {inner}"


def build_live_app(database_url: str) -> Flask:
    """The app (testing settings) on ``database_url``: migrated and seeded with the report."""

    class LiveConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        # Every visit to a logged-in page logs in first (log_in), many a minute.
        RATE_LIMIT_LOGIN_ADDRESS = "1000 per minute"

    app = create_app(LiveConfig)
    with app.app_context():
        flask_migrate.upgrade()
        load_report()
        programme.seed_programme()
        browser_user = create_user(*BROWSER_USER)
        programme.give_invitations(browser_user)  # a profile, and invitations to answer
        # A token, so the account page shows its tokens' table to the checks and screenshots.
        create_token(browser_user, "Calendar on my phone", [TokenScope.CALENDAR], 90)
        db.session.commit()
        db.session.remove()
    return app


def log_in(driver: webdriver.Chrome, base_url: str, user: tuple[str, str] = BROWSER_USER) -> None:
    """Log in through the login form, as a person would."""
    driver.get(f"{base_url}/login")
    driver.find_element(By.ID, "email").send_keys(user[0])
    driver.find_element(By.ID, "password").send_keys(user[1])
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/login" not in d.current_url)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` from a thread on a free loopback port; yields its base URL."""
    # A line per request on stderr would bury a failing test's own output.
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        werkzeug_log.setLevel(level)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
