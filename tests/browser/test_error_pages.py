"""Error pages as a visitor meets them: a mistyped address (404) and a form whose session
has gone (403), each a page of the site in the visitor's language."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.browser

NOT_FOUND = {"en": "Page not found", "ru": "Страница не найдена", "kk": "Бет табылмады"}
DENIED = {"en": "Access denied", "ru": "Доступ запрещён", "kk": "Кіруге рұқсат жоқ"}
EXPIRED = {
    "en": "This form has expired",
    "ru": "Срок действия формы истёк",
    "kk": "Форманың мерзімі өтіп кеткен",
}


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_missing_record_is_a_404_page_with_a_way_home(site, lang):
    driver = site.open("/experts/999999", lang=lang)
    assert (site.html_lang(), site.h1()) == (lang, NOT_FOUND[lang])
    driver.find_element(By.CSS_SELECTOR, "main a[href='/']").click()
    site.wait_until(lambda d: d.current_url == site.url("/"), "the link did not lead home")


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_form_sent_after_its_session_ended_is_a_403_page_saying_what_to_do(site, lang):
    driver = site.open("/login", lang=lang)
    driver.delete_cookie("session")  # as when the browser was closed, or the session expired
    driver.find_element(By.ID, "email").send_keys("someone@example.org")
    driver.find_element(By.ID, "password").send_keys("any password at all")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    site.wait_until(lambda d: DENIED[lang] in d.title, "no 403 page")
    assert site.h1() == DENIED[lang]
    assert site.html_lang() == lang
    assert EXPIRED[lang] in driver.find_element(By.TAG_NAME, "main").text
