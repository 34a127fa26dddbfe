"""Every page in every language passes axe, fits a phone and a desktop, and loads without a
console error (a CSP refusal or a missing file); the skip link works."""

from __future__ import annotations

import time

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


# Elements wider than the viewport, outermost first: what makes a page scroll sideways.
TOO_WIDE = """
    return [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
             + [...el.classList].map(c => "." + c).join(""));
"""
# Elements that stick out of their container's content box into the page's margin. (Pico
# pulls a nav's lists into the margin by its links' padding, so the text lines up: not those.)
IN_THE_MARGIN = """
    const out = [];
    for (const container of document.querySelectorAll(".container")) {
        const box = container.getBoundingClientRect();
        const style = getComputedStyle(container);
        const left = box.left + parseFloat(style.paddingLeft);
        const right = box.right - parseFloat(style.paddingRight);
        for (const el of container.querySelectorAll(":not(nav, nav *)")) {
            const rect = el.getBoundingClientRect();
            if (rect.width && (rect.left < left - 0.5 || rect.right > right + 0.5)) {
                out.push(el.tagName.toLowerCase() + [...el.classList].map(c => "." + c).join("")
                         + " " + Math.round(rect.left) + "–" + Math.round(rect.right));
            }
        }
    }
    return out;
"""
# Words in headings that a line break cuts in two (a break after a hyphen, or after the en
# dash of "Russia–Kazakhstan", is fine): a long Kazakh word in a narrow card does that
# without a hyphen.
SPLIT_WORDS = """
    const split = [];
    for (const heading of document.querySelectorAll("h1, h2, h3")) {
        const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/[^\\s\\-‐–]+/gu)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) split.push(match[0]);
            }
        }
    }
    return split;
"""


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_its_width(site, page, lang, size):
    driver = site.open(PAGES[page], lang=lang, size=SIZES[size])
    width, viewport = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    where = f"{page} ({lang}, {size})"
    assert width <= viewport, f"{where} is {width} px wide: {driver.execute_script(TOO_WIDE)}"
    assert driver.execute_script(IN_THE_MARGIN) == [], f"{where}: these reach into the margin"
    assert driver.execute_script(SPLIT_WORDS) == [], f"{where}: headings split these words"


@pytest.mark.parametrize("page", PAGES)
def test_page_logs_no_errors(site, page):
    """Nothing the page loads is refused: a CSP violation or a missing file shows here."""
    # What earlier pages logged can still arrive after this page starts: only what was
    # logged from now on counts.
    site.driver.get_log("browser")
    since = time.time() * 1000
    driver = site.open(PAGES[page])
    errors = [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and entry["timestamp"] >= since
    ]
    if page == "not-found":  # the page's own 404 is logged as a failed load
        errors = [message for message in errors if not message.startswith(site.url(PAGES[page]))]
    assert errors == [], "\n".join(errors)


def test_skip_link_comes_first_and_moves_focus_to_main(site):
    driver = site.open("/")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert site.focused().startswith("a.skip-link"), site.focused()
    skip = driver.switch_to.active_element
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", skip)
    assert 0 <= top < 100, "the focused skip link is on screen"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    site.wait_until(lambda d: site.focused().startswith("main#main"), site.focused())
