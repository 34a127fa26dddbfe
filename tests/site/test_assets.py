"""Vendored front-end files match their recorded SHA-384; the catalogues are compiled.

Two folders hold vendored files, each with a ``manifest.json``: ``app/static/vendor`` (served
to visitors) and ``tests/browser/vendor`` (axe-core, injected only by the browser tests).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.core.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
VENDORS = [APP / "static" / "vendor", ROOT / "tests" / "browser" / "vendor"]
MANIFESTS = {vendor: json.loads((vendor / "manifest.json").read_text()) for vendor in VENDORS}
TRANSLATIONS = APP / "translations"


def sha384(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


@pytest.mark.parametrize(
    ("vendor", "folder", "name"),
    [
        pytest.param(vendor, folder, name, id=f"{folder}/{name}")
        for vendor, manifest in MANIFESTS.items()
        for folder, entry in manifest.items()
        for name in entry["files"]
    ],
)
def test_vendored_file_matches_its_recorded_hash(vendor, folder, name):
    recorded = MANIFESTS[vendor][folder]["files"][name]["sha384"]
    assert sha384(vendor / folder / name) == recorded


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: str(vendor.relative_to(ROOT)))
def test_every_vendored_file_is_recorded_with_its_licence(vendor):
    manifest = MANIFESTS[vendor]
    on_disk = {str(path.relative_to(vendor)) for path in vendor.rglob("*") if path.is_file()} - {
        "manifest.json"
    }
    recorded = {f"{folder}/{name}" for folder, entry in manifest.items() for name in entry["files"]}
    assert on_disk == recorded
    for folder, entry in manifest.items():
        assert folder.endswith(entry["version"])
        assert any(name.upper().startswith("LICENSE") for name in entry["files"]), folder


def test_pages_load_only_recorded_files_from_this_origin(client):
    html = client.get("/").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert sources
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200, source
        response.close()
    assert "://" not in " ".join(re.findall(r'(?:src)="([^"]+)"', html))
    # Pico comes in through site.css's @import (see there why).
    response = client.get("/static/site.css")
    sheet = response.get_data(as_text=True)
    response.close()
    (imported,) = re.findall(r'@import url\("([^"]+)"\)', sheet)
    response = client.get(f"/static/{imported}")
    assert response.status_code == 200 and b"Pico CSS" in response.data
    response.close()
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline scripts


def test_the_api_docs_assets_still_come_from_swagger_ui(client):
    response = client.get("/api/v1/docs/assets/swagger-ui.css")
    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_catalogue_is_complete_and_compiled(lang):
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po:
        source = read_po(po, locale=lang)
    mo_path = folder / "messages.mo"
    assert mo_path.exists(), "run `make translations` (pybabel compile -d app/translations)"
    with mo_path.open("rb") as mo:
        compiled = read_mo(mo)
    untranslated = [m.id for m in source if m.id and not all(_strings(m))]
    assert untranslated == []
    assert not [m.id for m in source if m.id and m.fuzzy]
    assert [problem for problem in source.check()] == []
    expected = {_key(m): _strings(m) for m in source if m.id}
    actual = {_key(m): _strings(m) for m in compiled if m.id}
    assert actual == expected, "stale .mo: run `make translations`"


def _key(message) -> tuple:
    ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
    return (message.context, *ids)


def _strings(message) -> tuple[str, ...]:
    strings = message.string
    return tuple(strings) if isinstance(strings, list | tuple) else (strings,)
