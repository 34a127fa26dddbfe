"""Search as a visitor does it: with the keyboard alone from the home page, and as you type."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser

# The search page's heading, and Marat Shibutov's name, as each language shows them.
SEARCH_H1 = {"en": "Search the directory", "ru": "Поиск по каталогу", "kk": "Каталог бойынша іздеу"}
SHIBUTOV = {"en": "Marat Shibutov", "ru": "Марат Шибутов", "kk": "Марат Шибутов"}
# Tabs from the top of the page to the search box: the skip link, the site's name, six
# navigation links, "Log in" and "Register", three language buttons, then the box (the
# skip link spares a keyboard user all of them). A couple more would still be fine.
MAX_TABS = 16


def expert_names(site) -> list[str]:
    links = site.driver.find_elements(
        "css selector", "#results section[aria-labelledby=results-experts] a"
    )
    return [link.text for link in links]


def tab_to_search_box(site) -> list[str]:
    """Press Tab from the top of the page until the search box has focus; what took focus."""
    path = []
    for _ in range(MAX_TABS):
        ActionChains(site.driver).send_keys(Keys.TAB).perform()
        path.append(site.focused())
        if path[-1].startswith("input#q"):
            return path
    pytest.fail(f"no search box after {MAX_TABS} tabs: {path}")


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("query", ["Шибутов", "shibutov"], ids=["cyrillic", "latin"])
def test_search_from_the_home_page_with_the_keyboard_alone(site, query, lang):
    driver = site.open("/", lang=lang)
    path = tab_to_search_box(site)
    assert path[0].startswith("a.skip-link"), path
    ActionChains(driver).send_keys(query, Keys.ENTER).perform()

    site.wait_until(lambda d: urlsplit(d.current_url).path == "/search", "the form was not sent")
    assert site.h1() == SEARCH_H1[lang]
    assert driver.find_element("id", "q").get_attribute("value") == query
    site.wait_until(lambda d: expert_names(site), "no experts listed")
    assert SHIBUTOV[lang] in expert_names(site)


def test_results_follow_the_typing_without_a_page_load(site):
    driver = site.open("/search")
    start_url = driver.current_url
    assert expert_names(site) == []
    # Gone if the page were loaded again: proof that only the results were replaced.
    driver.execute_script("window.stillTheSamePage = true")

    box = driver.find_element("id", "q")
    box.click()
    ActionChains(driver).send_keys("shibutov").perform()
    site.wait_until(lambda d: "Marat Shibutov" in expert_names(site), "results did not appear")

    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    ActionChains(driver).send_keys("nursha").perform()
    site.wait_until(lambda d: expert_names(site) == ["Askar Nursha"], str(expert_names(site)))

    assert driver.current_url == start_url
    assert driver.execute_script("return window.stillTheSamePage") is True
    assert box == driver.switch_to.active_element, "typing keeps its place in the box"
