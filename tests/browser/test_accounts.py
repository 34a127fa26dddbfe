"""Accounts in a real browser, with mail through a real SMTP server (aiosmtpd): register,
the mail arrives, its link verifies, log in; a password reset end to end; "is this you?"
files a claim."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from app.extensions import db
from app.models import ProfileClaim, User
from tests.accounts.test_mail import SUBJECTS, Inbox, free_port, text_of
from tests.browser.conftest import Site
from tests.browser.harness import BROWSER_USER, build_live_app, log_in, serve
from tests.conftest import scratch_database

pytestmark = pytest.mark.browser

PASSWORD = "a-walk-along-the-irtysh"


@pytest.fixture(scope="module")
def mailing(app: Flask, tmp_path_factory) -> Iterator[tuple[Flask, str, Inbox]]:
    """The app served live on its own database, sending its mail to an aiosmtpd server."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    with app.app_context():
        base_url = db.engine.url
    try:
        with scratch_database(base_url, tmp_path_factory.mktemp("mail"), "mail") as url:
            live = build_live_app(url)
            live.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
            with serve(live) as served:
                yield live, served, inbox
    finally:
        controller.stop()


@pytest.fixture
def site(driver, mailing) -> Site:
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get("about:blank")
    return Site(driver, mailing[1])


def fill(driver, **fields: str) -> None:
    for name, value in fields.items():
        element = driver.find_element(By.ID, name)
        if element.tag_name == "select":
            element.find_element(By.CSS_SELECTOR, f"option[value='{value}']").click()
        else:
            element.clear()
            element.send_keys(value)


def submit(driver) -> None:
    """Post the page's form and wait for the answer to replace the page."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    # The old document goes before the new one has loaded: reading in between fails with
    # "Node with given id does not belong to the document", so wait for the load as well.
    wait = WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,))
    wait.until(staleness_of(page))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def mail_to(site: Site, inbox: Inbox, address: str):
    site.wait_until(lambda _d: any(m["To"] == address for m in inbox.messages), "no mail")
    return [m for m in inbox.messages if m["To"] == address][-1]


def local(link: str, site: Site) -> str:
    return site.base_url + re.sub(r"^https?://[^/]+", "", link)


def link_of(message) -> str:
    return re.search(r"https?://\S+", text_of(message)).group(0)


def user_named(live: Flask, email: str) -> User:
    with live.app_context():
        return db.session.scalars(sa.select(User).filter_by(email=email)).one()


def test_register_mail_verify_log_in(site, mailing):
    live, _, inbox = mailing
    driver = site.open("/register", lang="ru")
    fill(
        driver,
        email="browser-new@example.org",
        password=PASSWORD,
        full_name="Айгерим Сапарова",
        country="KZ",
    )
    submit(driver)
    assert site.h1() == "Проверьте почту"
    message = mail_to(site, inbox, "browser-new@example.org")
    # Flask-Mailman folds an encoded subject onto the next line; unfolded, a space leads.
    assert message["Subject"].strip() == SUBJECTS["ru"]

    driver.get(local(link_of(message), site))
    assert site.h1() == "Адрес электронной почты подтверждён"
    assert user_named(live, "browser-new@example.org").email_verified_at is not None
    driver.find_element(By.CSS_SELECTOR, "main a[href^='/login']").click()
    fill(driver, email="browser-new@example.org", password=PASSWORD)
    submit(driver)
    site.wait_until(lambda d: "/login" not in d.current_url)
    driver.get(site.url("/account"))
    assert "browser-new@example.org" in driver.find_element(By.ID, "main").text


def test_password_reset_end_to_end(site, mailing):
    _, _, inbox = mailing
    email = BROWSER_USER[0]
    driver = site.open("/login")
    driver.find_element(By.CSS_SELECTOR, "main a[href='/password-reset']").click()
    fill(driver, email=email)
    submit(driver)
    assert site.h1() == "Check your email"
    link = local(link_of(mail_to(site, inbox, email)), site)

    driver.get(link)
    fill(driver, password="short")
    submit(driver)
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary a")
    assert summary.get_attribute("href").endswith("#password")
    fill(driver, password="a-new-one-for-the-browser")
    submit(driver)
    assert site.h1() == "Your password has been changed"
    driver.get(link)
    assert site.h1() == "This link does not work"
    log_in(driver, site.base_url, (email, "a-new-one-for-the-browser"))
    driver.get(site.url("/account"))
    assert site.h1() == "Your account"
    # Put the password back for the harness's other visits.
    fill(driver, current_password="a-new-one-for-the-browser", new_password=BROWSER_USER[1])
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "form[action='/account/password'] button").click()
    site.wait_until(staleness_of(page))
    site.wait_until(
        lambda d: "Your password has been changed" in d.find_element(By.ID, "main").text
    )


def test_is_this_you_files_a_claim(site, mailing):
    live, _, _ = mailing
    driver = site.open("/register")
    fill(
        driver,
        email="claimant@example.org",
        password=PASSWORD,
        full_name="Марат Шибутов",
        country="KZ",
    )
    submit(driver)
    assert "Is this you?" in driver.find_element(By.ID, "main").text
    choice = driver.find_element(By.CSS_SELECTOR, "input[name=profile]:not([value=new])")
    expert_id = int(choice.get_attribute("value"))
    choice.click()
    fill(driver, password=PASSWORD)
    submit(driver)
    assert site.h1() == "Check your email"
    with live.app_context():
        user = db.session.scalars(sa.select(User).filter_by(email="claimant@example.org")).one()
        claim = db.session.scalars(sa.select(ProfileClaim).filter_by(user_id=user.id)).one()
        assert (claim.expert_id, claim.status, user.expert) == (expert_id, "pending", None)
