"""The archive file: a zip of ``manifest.json`` and one JSON-lines file per table.

Each line is one row, its values in the manifest's column order. Zip's checksums catch a
damaged file; the manifest's row counts catch a cut one.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.backup.errors import CorruptArchive

FORMAT = "expert-bridge-data"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ValueError, KeyError)


def member(table: str) -> str:
    return f"tables/{table}.jsonl"


class Writer:
    """Writes tables one by one, then the manifest."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf

    def table(self, name: str, rows: Iterable[list]) -> int:
        """Write one table's rows; returns how many."""
        count = 0
        with self.zf.open(member(name), "w") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
                fh.write(b"\n")
                count += 1
        return count

    def manifest(self, manifest: dict[str, Any]) -> None:
        self.zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))


@contextmanager
def writing(path: Path) -> Iterator[Writer]:
    """A writer whose file appears at ``path`` only once it is complete."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            yield Writer(zf)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class Reader:
    """Reads an opened archive's manifest and tables, turning any damage into CorruptArchive."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.manifest = self._manifest()

    def _manifest(self) -> dict[str, Any]:
        try:
            manifest = json.loads(self.zf.read(MANIFEST))
        except _READ_ERRORS as exc:
            raise CorruptArchive(f"the archive has no readable manifest ({exc})") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise CorruptArchive("not an Expert Bridge data archive")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise CorruptArchive(
                f"archive format version {manifest.get('format_version')!r}; this version of "
                f"the service reads version {FORMAT_VERSION} only"
            )
        return manifest

    def rows(self, table: str) -> Iterator[list]:
        """One table's rows, as the lists that were written."""
        try:
            with self.zf.open(member(table)) as fh:
                for line in fh:
                    row = json.loads(line)
                    if not isinstance(row, list):
                        raise ValueError(f"a row is not a list: {line[:80]!r}")
                    yield row
        except _READ_ERRORS as exc:
            raise CorruptArchive(f"table {table}: {exc}") from exc


@contextmanager
def reading(path: Path) -> Iterator[Reader]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptArchive(f"{path} is not a readable archive ({exc})") from exc
    with zf:
        yield Reader(zf)
