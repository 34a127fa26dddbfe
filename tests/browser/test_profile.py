"""Editing one's profile in a real browser, with the keyboard alone, at a phone's width."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.harness import PAGES, PHONE

pytestmark = pytest.mark.browser


def test_the_biography_is_edited_and_saved_with_the_keyboard_alone(site):
    driver = site.open(PAGES["profile-edit"], lang="kk", size=PHONE)
    assert site.h1().startswith("Профильді өңдеу")
    biography = driver.find_element(By.ID, "biography")
    biography.clear()
    biography.send_keys("Су дипломатиясын зерттейді.")
    for _ in range(200):  # from the biography on, through the form to its button
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if driver.switch_to.active_element.text == "Профильді сақтау":
            break
    else:
        pytest.fail(f"Tab never reached the Save button; last: {site.focused()}")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    site.wait_until(lambda d: "saved=1" in d.current_url, "the profile was not saved")
    assert "Профильдегі өзгерістер сақталды." in driver.find_element(By.TAG_NAME, "main").text
    assert "Су дипломатиясын зерттейді." in driver.find_element(By.TAG_NAME, "main").text
