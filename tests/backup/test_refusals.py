"""``flask data import`` refuses what it cannot load whole, and then has written nothing."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.backup import services
from app.backup.tables import Derived
from app.extensions import db
from tests.backup.conftest import contents, flask, migrated, uncached_app
from tests.conftest import scratch_database

REFUSED = "import refused, nothing written"


def rewrite(
    source: Path,
    target: Path,
    manifest: Callable[[dict], None] = lambda m: None,
    members: Callable[[dict[str, bytes]], None] = lambda m: None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A copy of an archive with its manifest and members changed in place."""
    with zipfile.ZipFile(source) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    data = json.loads(files.pop("manifest.json"))
    manifest(data)
    members(files)
    with zipfile.ZipFile(target, "w", compression=compression) as zf:
        for name, body in files.items():
            zf.writestr(name, body)
        zf.writestr("manifest.json", json.dumps(data))
    return target


def _edit_rows(table: str, edit: Callable[[list[list]], None]) -> Callable[[dict], None]:
    def apply(files: dict[str, bytes]) -> None:
        member = f"tables/{table}.jsonl"
        rows = [json.loads(line) for line in files[member].splitlines()]
        edit(rows)
        files[member] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)

    return apply


def _drop_table(name: str) -> tuple[Callable, Callable]:
    return (lambda m: m["tables"].pop(name), lambda f: f.pop(f"tables/{name}.jsonl"))


def _set(key: str, value) -> Callable[[dict], None]:
    return lambda m: m.__setitem__(key, value)


def _bad_date(rows: list[list]) -> None:
    rows[-1][7] = "the ninth of never"  # sessions.starts_at


def _unknown_format(rows: list[list]) -> None:
    rows[0][3] = "karaoke"  # sessions.format


def _orphan_centre(rows: list[list]) -> None:
    rows[0][14] = 999_999  # centres.parent_id, filled in after every insert


def _dangling(rows: list[list]) -> None:
    rows.append([999_999, rows[0][1]])  # session_topics: a session that does not exist


def _extra_table(files: dict[str, bytes]) -> None:
    files["tables/mystery.jsonl"] = b"[1]\n"


CASES = {
    "newer format": (_set("format_version", 2), None, "format version 2"),
    "not our format": (_set("format", "other-app"), None, "not an Expert Bridge data archive"),
    "other schema revision": (_set("schema_revision", "0000"), None, "schema revision 0000"),
    "unknown table": (
        lambda m: m["tables"].update(mystery={"columns": ["id"], "rows": 1}),
        _extra_table,
        "tables this version does not know: ['mystery']",
    ),
    "missing table": (*_drop_table("session_topics"), "lacks tables: ['session_topics']"),
    "other columns": (
        lambda m: m["tables"]["outbox"]["columns"].reverse(),
        None,
        "outbox: its columns differ",
    ),
    "a row missing": (None, _edit_rows("authorships", list.pop), "authorships: 10 rows"),
    "a value that is no date": (None, _edit_rows("sessions", _bad_date), "sessions, row 1"),
    "an unknown enum value": (
        None,
        _edit_rows("sessions", _unknown_format),
        "sessions: rows break",
    ),
    "a parent that is not there": (
        None,
        _edit_rows("centres", _orphan_centre),
        "centres: rows break",
    ),
    # the last table: every other table is written before the fault
    "a key to nothing": (None, _edit_rows("session_topics", _dangling), "break the schema"),
}


@pytest.fixture(scope="module")
def empty(app: Flask, tmp_path_factory) -> Iterator[Flask]:
    """A migrated, empty database of the test database's kind."""
    with app.app_context():
        base = db.engine.url
    with (
        scratch_database(base, tmp_path_factory.mktemp("empty"), "empty") as url,
        uncached_app(url) as target,
    ):
        yield migrated(target)


def _is_empty(app: Flask) -> bool:
    return not any(contents(app).values())


@pytest.mark.parametrize(("manifest", "members", "message"), list(CASES.values()), ids=list(CASES))
def test_a_bad_archive_is_refused(trip, empty, tmp_path, manifest, members, message):
    archive = rewrite(
        trip.archives[0],
        tmp_path / "bad.zip",
        manifest or (lambda m: None),
        members or (lambda f: None),
    )
    result = flask(empty, "data", "import", str(archive), ok=False)
    assert REFUSED in result.output and message in result.output
    assert _is_empty(empty)


@pytest.mark.parametrize("cut", [0, 100, 0.5, -1])
def test_a_cut_or_foreign_file_is_refused(trip, empty, tmp_path, cut):
    whole = trip.archives[0].read_bytes()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(whole[: int(len(whole) * cut) if isinstance(cut, float) else cut] or b"x")
    result = flask(empty, "data", "import", str(bad), ok=False)
    assert REFUSED in result.output and "not a readable archive" in result.output
    assert _is_empty(empty)


def test_a_damaged_member_is_refused(trip, empty, tmp_path):
    stored = rewrite(trip.archives[0], tmp_path / "stored.zip", compression=zipfile.ZIP_STORED)
    body = stored.read_bytes()
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(body.replace("Перенесено".encode(), "Перенесёно".encode()[:20]))
    result = flask(empty, "data", "import", str(damaged), ok=False)
    assert REFUSED in result.output and "programme_changes" in result.output
    assert _is_empty(empty)


def test_a_database_without_the_schema_is_refused(trip, app, tmp_path):
    with app.app_context():
        base = db.engine.url
    with scratch_database(base, tmp_path, "bare") as url, uncached_app(url) as bare:
        result = flask(bare, "data", "import", str(trip.archives[0]), ok=False)
        assert "run `flask db upgrade` first" in result.output
        result = flask(bare, "data", "export", str(tmp_path / "x.zip"), ok=False)
        assert "run `flask db upgrade` first" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_a_database_that_holds_data_is_refused(trip):
    before = contents(trip.apps[1])
    result = flask(trip.apps[1], "data", "import", str(trip.archives[0]), ok=False)
    assert REFUSED in result.output and "--replace" in result.output
    assert contents(trip.apps[1]) == before


def _failing_rebuild(monkeypatch) -> None:
    def boom(_session):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(services, "DERIVED", (*services.DERIVED, Derived((), boom)))


def test_a_fault_after_every_insert_writes_nothing(trip, empty, monkeypatch):
    _failing_rebuild(monkeypatch)
    result = flask(empty, "data", "import", str(trip.archives[0]), ok=False)
    assert isinstance(result.exception, RuntimeError)
    assert _is_empty(empty)


def test_a_failed_replace_keeps_what_was_there(trip, monkeypatch):
    before = contents(trip.apps[2])
    _failing_rebuild(monkeypatch)
    flask(trip.apps[2], "data", "import", "--replace", str(trip.archives[0]), ok=False)
    assert contents(trip.apps[2]) == before


def test_replace_empties_first_then_loads(trip):
    result = flask(trip.apps[2], "data", "import", "--replace", str(trip.archives[0]))
    assert "Imported" in result.output
    assert contents(trip.apps[2]) == trip.contents[0]
