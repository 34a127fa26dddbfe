"""Every page in every language passes axe, fits a phone, and breaks no rule of the CSP."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app.core.i18n import LANGUAGES
from tests.browser import axe
from tests.browser.harness import DESKTOP, PAGES, PHONE

pytestmark = pytest.mark.browser

SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_nothing_serious(site, page, lang, size):
    site.open(PAGES[page], lang=lang, size=SIZES[size])
    assert site.html_lang() == lang
    found = axe.blocking(axe.violations(site.driver))
    assert not found, f"axe on {page} ({lang}, {size}):\n{axe.describe(found)}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_a_phone_without_scrolling_sideways(site, page, lang):
    driver = site.open(PAGES[page], lang=lang, size=PHONE)
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    wider = driver.execute_script(
        """
        return [...document.querySelectorAll("body *")]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                 + [...el.classList].map(c => "." + c).join(""));
        """
    )
    assert widths[0] <= widths[1], f"{page} ({lang}) is {widths[0]} px wide; wider: {wider}"


@pytest.mark.parametrize("page", PAGES)
def test_page_logs_no_errors(site, page):
    """Nothing the page loads is refused: a CSP violation or a missing file shows here."""
    site.driver.get_log("browser")  # drop what earlier pages logged
    driver = site.open(PAGES[page])
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    if page == "not-found":  # the page's own 404 is logged as a failed load
        errors = [message for message in errors if not message.startswith(site.url(PAGES[page]))]
    assert errors == []


def test_skip_link_comes_first_and_moves_focus_to_main(site):
    driver = site.open("/")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert site.focused().startswith("a.skip-link"), site.focused()
    skip = driver.switch_to.active_element
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", skip)
    assert 0 <= top < 100, "the focused skip link is on screen"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    site.wait_until(lambda d: site.focused().startswith("main#main"), site.focused())
