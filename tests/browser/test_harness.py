"""Without Chromium or chromedriver the browser tests fail saying what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import harness


@pytest.mark.parametrize("program", ["CHROMIUM", "CHROMEDRIVER"])
def test_a_missing_program_is_an_error_naming_what_to_install(monkeypatch, program):
    monkeypatch.setattr(harness, program, Path("/nonexistent") / program.lower())
    expected = f"/nonexistent/{program.lower()} not found: install Debian's chromium and"
    assert harness.missing_browser().startswith(expected)
    with pytest.raises(harness.BrowserMissing, match="chromium-driver"), harness.chromium():
        pytest.fail("no browser should start")


def test_both_programs_are_here():
    """Where this fails, `make browser-deps` installs them (as root) or says what to."""
    assert harness.missing_browser() is None
