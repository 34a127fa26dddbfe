"""The directory's lists as a visitor uses them: search as you type in either script, and the
keyboard alone from the search box to a profile."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

pytestmark = pytest.mark.browser

SHIBUTOV = {"en": "Marat Shibutov", "ru": "Марат Шибутов", "kk": "Марат Шибутов"}
MAX_TABS = 40


def listed(site) -> list[str]:
    """The names the results list, read in one go (htmx may swap them at any moment)."""
    return site.driver.execute_script(
        "return [...document.querySelectorAll('#results .directory-list a')]"
        ".map(a => a.innerText.trim())"
    )


def press_tab_until(site, wanted: str) -> list[str]:
    """Tab until the focused element's description starts with ``wanted``; what took focus."""
    path = []
    for _ in range(MAX_TABS):
        ActionChains(site.driver).send_keys(Keys.TAB).perform()
        path.append(site.focused())
        if path[-1].startswith(wanted):
            return path
    pytest.fail(f"no {wanted} after {MAX_TABS} tabs: {path}")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_experts_follow_the_typing_in_either_script(site, lang):
    driver = site.open("/experts", lang=lang)
    everyone = listed(site)
    assert SHIBUTOV[lang] in everyone and len(everyone) > 1
    driver.execute_script("window.stillTheSamePage = true")  # gone if the page reloads

    box = driver.find_element("id", "q")
    box.click()
    ActionChains(driver).send_keys("Шибутов").perform()
    site.wait_until(lambda d: listed(site) == [SHIBUTOV[lang]], f"Cyrillic: {listed(site)}")
    site.wait_until(
        lambda d: parse_qs(urlsplit(d.current_url).query).get("q") == ["Шибутов"],
        "the address did not follow the search",
    )

    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    ActionChains(driver).send_keys("nursha").perform()
    site.wait_until(lambda d: len(listed(site)) == 1 and SHIBUTOV[lang] not in listed(site))
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    ActionChains(driver).send_keys("shibutov").perform()
    site.wait_until(lambda d: listed(site) == [SHIBUTOV[lang]], f"Latin: {listed(site)}")

    assert driver.execute_script("return window.stillTheSamePage") is True
    assert box == driver.switch_to.active_element, "typing keeps its place in the box"
    region = driver.find_element("id", "results")
    assert region.get_attribute("aria-live") == "polite"


def test_a_filter_narrows_the_list_without_a_reload(site):
    driver = site.open("/experts")
    before = listed(site)
    driver.execute_script("window.stillTheSamePage = true")
    driver.find_element("css selector", "details summary").click()
    Select(driver.find_element("id", "country")).select_by_value("RU")
    site.wait_until(lambda d: listed(site) and len(listed(site)) < len(before), str(listed(site)))
    assert "Marat Shibutov" not in listed(site)
    assert parse_qs(urlsplit(driver.current_url).query).get("country") == ["RU"]
    assert driver.execute_script("return window.stillTheSamePage") is True


def test_keyboard_alone_from_the_search_box_to_a_profile(site):
    driver = site.open("/experts")
    path = press_tab_until(site, "input#q")
    assert path[0].startswith("a.skip-link"), path
    ActionChains(driver).send_keys("Шибутов").perform()
    site.wait_until(lambda d: listed(site) == ["Marat Shibutov"], str(listed(site)))

    press_tab_until(site, 'a "Marat Shibutov"')
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    site.wait_until(lambda d: urlsplit(d.current_url).path.startswith("/experts/"), "not opened")
    assert site.h1() == "Marat Shibutov"


def test_enter_sends_the_whole_form(site):
    """Enter in the box sends the plain GET form (what works without JavaScript)."""
    driver = site.open("/centres")
    driver.find_element("id", "q").send_keys("ИМЭМО", Keys.ENTER)
    site.wait_until(lambda d: "q=" in d.current_url, "the form was not sent")
    site.wait_until(lambda d: len(listed(site)) == 1, str(listed(site)))
    assert driver.find_element("id", "q").get_attribute("value") == "ИМЭМО"
