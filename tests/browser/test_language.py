"""The language switcher, clicked as a visitor clicks it, and remembered from page to page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

HOME_H1 = {
    "en": "An expert network for Russia and Kazakhstan",
    "ru": "Экспертная сеть России и Казахстана",
    "kk": "Ресей мен Қазақстанның сарапшылар желісі",
}
SEARCH_H1 = {"en": "Search the directory", "ru": "Поиск по каталогу", "kk": "Каталог бойынша іздеу"}
SEARCH_LINK = {"en": "Search", "ru": "Поиск", "kk": "Іздеу"}


def switch_to(site, endonym: str, lang: str) -> None:
    old = site.driver.find_element("css selector", "html")
    site.driver.find_element(
        "xpath", f"//form[@class='language-switcher']//button[.='{endonym}']"
    ).click()
    site.wait_until(lambda d: old != d.find_element("css selector", "html"), "no new page")
    site.wait_until(lambda d: site.html_lang() == lang, f"<html lang> is {site.html_lang()}")


def test_switching_language_translates_the_page_and_is_remembered(site):
    driver = site.open("/")
    assert (site.html_lang(), site.h1()) == ("en", HOME_H1["en"])

    switch_to(site, "Русский", "ru")
    assert site.h1() == HOME_H1["ru"]
    assert urlsplit(driver.current_url).path == "/"

    switch_to(site, "Қазақша", "kk")
    assert site.h1() == HOME_H1["kk"]
    assert driver.get_cookie("lang")["value"] == "kk"
    current = driver.find_element("css selector", ".language-switcher [aria-current=true]")
    assert current.text == "Қазақша"

    driver.find_element("link text", SEARCH_LINK["kk"]).click()
    site.wait_until(lambda d: urlsplit(d.current_url).path == "/search", "no search page")
    assert (site.html_lang(), site.h1()) == ("kk", SEARCH_H1["kk"])


@pytest.mark.parametrize(
    ("endonym", "lang", "nursha"),
    [("Русский", "ru", "Аскар Нурша"), ("Қазақша", "kk", "Асқар Нұрша")],
    ids=["ru", "kk"],
)
def test_switching_keeps_the_page_and_shows_names_in_its_script(site, endonym, lang, nursha):
    driver = site.open("/search?q=nursha")
    switch_to(site, endonym, lang)
    assert urlsplit(driver.current_url)[2:4] == ("/search", "q=nursha")
    assert site.h1() == SEARCH_H1[lang]
    names = [
        link.text for link in driver.find_elements("css selector", "#results-experts + p + ul a")
    ]
    assert names == [nursha]
