"""CSV cells a spreadsheet program cannot run: the one writer every CSV export uses.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula, and strip a leading tab or carriage return before deciding, so a
centre named ``=HYPERLINK("http://x")`` would become a live link (or worse) in the
organiser's spreadsheet. As OWASP recommends ("CSV Injection"), such a cell is written
with a leading ``'``, which makes the programs read it as text. The price:
an ordinary value such as "+7 727 …" or "-5" also gains the quote in the file.
"""

from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as text no spreadsheet reads as a formula; non-text values are kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell passes through :func:`neutralise`."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: list[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose every cell passes through :func:`neutralise`."""

    def writerow(self, rowdict: dict[str, Any]) -> Any:
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Any) -> None:
        for row in rowdicts:
            self.writerow(row)
