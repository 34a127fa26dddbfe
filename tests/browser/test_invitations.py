"""Answering an invitation in a real browser, with the keyboard alone."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.harness import PAGES, PHONE
from tests.browser.programme import SESSIONS

pytestmark = pytest.mark.browser

PLENARY = SESSIONS[0][2]


def test_an_invitation_is_declined_with_the_keyboard_alone(site):
    driver = site.open(PAGES["invitations"], lang="ru", size=PHONE)
    assert site.h1() == "Ваши приглашения"
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(60):  # the header's links, then each invitation's two buttons
        label = driver.switch_to.active_element.get_attribute("aria-label") or ""
        if label == f"Отклонить: {PLENARY}":
            break
        driver.switch_to.active_element.send_keys(Keys.TAB)
    else:
        pytest.fail(f"Tab never reached the plenary's Decline button; last: {site.focused()}")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    site.wait_until(lambda d: "notice=decline" in d.current_url, "the answer did not land")
    status = driver.find_element(By.CSS_SELECTOR, "main [role=status]").text
    assert status.startswith("Вы отклонили приглашение.")
    answered = driver.find_element(By.ID, "answered-heading").find_element(By.XPATH, "..").text
    assert PLENARY in answered and "Приглашение отклонено" in answered
