"""``make screenshots``: a PNG of each page in each language at desktop and phone width.

    python -m tests.browser.screenshots [FOLDER]     # default: screenshots/ (git-ignored)

The app is served as in the browser tests, on a SQLite file of its own seeded with the
report; each picture is the whole page, named ``<page>-<lang>-<width>.png``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from app.core.i18n import LANGUAGES
from tests.browser.harness import (
    DESKTOP,
    LOGGED_IN,
    PAGES,
    PHONE,
    BrowserMissing,
    build_live_app,
    chromium,
    log_in,
    resize,
    serve,
)

# Taller pages are cut here: nothing we have comes close.
MAX_HEIGHT = 6000


def shoot(driver, base_url: str, folder: Path) -> list[Path]:
    written = []
    for page, path in PAGES.items():
        for lang in LANGUAGES:
            for width, height in (DESKTOP, PHONE):
                resize(driver, (width, height))
                if path in LOGGED_IN:
                    log_in(driver, base_url)
                driver.execute_cdp_cmd(
                    "Network.setCookie", {"name": "lang", "value": lang, "url": base_url}
                )
                driver.get(base_url + path)
                full = driver.execute_script("return document.documentElement.scrollHeight")
                resize(driver, (width, min(max(full, height), MAX_HEIGHT)))
                target = folder / f"{page}-{lang}-{width}.png"
                target.write_bytes(driver.get_screenshot_as_png())
                written.append(target)
    return written


def main(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        app = build_live_app(f"sqlite:///{scratch}/screenshots.sqlite")
        try:
            with serve(app) as base_url, chromium() as driver:
                written = shoot(driver, base_url, folder)
        except BrowserMissing as missing:
            print(f"error: {missing}", file=sys.stderr)
            return 1
    print(f"{len(written)} screenshots in {folder}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
