"""Reports as CSV and XLSX: the report's table, flattened, with its summary and notes."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.core.csvcells import SafeDictWriter

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The formats that answer a file rather than JSON, and their content types.
FILE_FORMATS = {"csv": "text/csv", "xlsx": XLSX}
GAPS = ("never", "dormant", "isolated")


def table(report: dict[str, Any], header: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The rows a spreadsheet shows: the report's main list, nested fields flattened but
    those the ``header`` names whole (a finding's value, whose keys vary, is one cell)."""
    whole = frozenset(header or ())
    return [_flat(row, whole=whole) for row in _main_list(report)]


def row_count(report: dict[str, Any]) -> int:
    """How many rows :func:`table` has, without flattening them."""
    return sum(1 for _ in _main_list(report))


def _main_list(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "pairs" in report:
        yield from report["pairs"]
    elif "never" in report:
        for gap in GAPS:
            yield from ({"gap": gap, **row} for row in report[gap])
    else:
        yield from report["rows"]


def _flat(
    row: dict[str, Any], prefix: str = "", whole: frozenset[str] = frozenset()
) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in whole:
            flat.update(_flat(value, f"{name}.", whole))
        else:
            flat[name] = _cell(value)
    return flat


def _cell(value: Any) -> Any:
    """A value one spreadsheet cell can hold: a list of plain values joined with "; ",
    a list of records, or a record kept whole, as the JSON the API would take back."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if not isinstance(value, list | tuple):
        return value
    if all(isinstance(item, str | int | float) for item in value):
        return "; ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _columns(rows: list[dict[str, Any]], header: Sequence[str] | None = None) -> list[str]:
    """The ``header``'s columns (:func:`header_of`), then any other its rows name: the
    same columns in the same order whether or not the table has rows."""
    columns: dict[str, None] = dict.fromkeys(header or [])
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


@functools.cache
def header_of(answer: type[ma.Schema]) -> tuple[str, ...]:
    """The columns of the table :func:`table` flattens from a report shaped as ``answer``
    (a schema of ``app.reports.answers``): its main list's fields, nested ones dotted."""
    fields = answer().fields
    if "never" in fields:  # the gaps: three lists in one table, each row saying which
        return ("gap", *_union(_fields_of(fields[name]) for name in GAPS))
    return tuple(_union([_fields_of(fields["pairs" if "pairs" in fields else "rows"])]))


def _fields_of(field: ma.fields.Field, prefix: str = "") -> list[str]:
    """The columns of a field: its own, or a nested record's, dotted. A list is one cell."""
    if isinstance(field, ma.fields.List) and not prefix:  # the table's own list of rows
        field = field.inner
    if not isinstance(field, ma.fields.Nested):
        return [prefix.rstrip(".")]
    columns = []
    for name, inner in field.schema.fields.items():
        columns += _fields_of(inner, f"{prefix}{inner.data_key or name}.")
    return columns


def _union(lists: Iterable[list[str]]) -> list[str]:
    return list(dict.fromkeys(column for columns in lists for column in columns))


def csv_text(report: dict[str, Any], header: Sequence[str] | None = None) -> str:
    rows = table(report, header)
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=_columns(rows, header), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    # A BOM, so spreadsheet programs read Cyrillic as UTF-8.
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(report: dict[str, Any], name: str, header: Sequence[str] | None = None) -> bytes:
    rows = table(report, header)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name[:31])
    columns = _columns(rows, header)
    _append(sheet, columns)
    for row in rows:
        _append(sheet, [row.get(column) for column in columns])
    about = book.create_sheet("summary")
    for section in ("window", "summary"):
        for key, value in _flat(report.get(section) or {}).items():
            _append(about, [section, key, value])
    for number, note in enumerate(report.get("notes", []), 1):
        _append(about, ["notes", number, note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_body(
    report: dict[str, Any], name: str, fmt: str, header: Sequence[str] | None = None
) -> tuple[bytes, str]:
    """The report's table as a file in ``fmt`` (csv or xlsx), and its content type;
    ``header`` names the columns of a table with no row."""
    if fmt == "csv":
        return csv_text(report, header).encode(), FILE_FORMATS[fmt]
    return xlsx_bytes(report, name, header), FILE_FORMATS[fmt]


def _append(sheet: WriteOnlyWorksheet, values: list[Any]) -> None:
    sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in values])


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """Text stays text: a name typed as "=HYPERLINK(…)" is not a formula, and the control
    characters XLSX cannot hold (openpyxl would raise) show as U+FFFD."""
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
    cell.data_type = "s"
    return cell


def respond(
    report: dict[str, Any], name: str, fmt: str, header: Sequence[str] | None = None
) -> dict[str, Any] | Response:
    """The report as JSON, or its table as a file in ``fmt``."""
    if fmt not in FILE_FORMATS:
        return report
    body, content_type = file_body(report, name, fmt, header)
    response = Response(body, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def doc(description: str, answer: type) -> dict[str, Any]:
    """OpenAPI for a report: JSON shaped as ``answer`` (a schema of ``app.reports.answers``),
    or its table as CSV or XLSX."""
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {
                    "application/json": {"schema": answer},
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    }
