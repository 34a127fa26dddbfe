"""An uploaded file's bytes as text, in the charset it declares or its byte order mark says.

A file is decoded strictly: bytes that are not text in its charset are refused (422) rather
than replaced, since a replacement character stored in a title or a name is data lost.
"""

from __future__ import annotations

import codecs

from app.core.errors import DomainError

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
DEFAULT = "utf-8"


class UndecodableUpload(DomainError):
    """A body that is not text in its charset, or names a charset there is none of."""


def check_charset(name: str) -> None:
    """Refuse a name of no text encoding: an unknown one, or one of Python's codecs that
    turn bytes into bytes ("base64", "zlib")."""
    try:
        # Decoding takes text encodings only (empty bytes would not even look the name up);
        # one byte may be no text in a multi-byte encoding, which is fine here.
        b"a".decode(name)
    except UnicodeDecodeError:
        pass
    except LookupError:
        raise UndecodableUpload(
            f"Unknown charset {name!r}: give one such as utf-8, windows-1251 or gbk.",
            {"charset": [f"Not a charset: {name!r}."]},
        ) from None


def decode(data: bytes, declared: str | None) -> str:
    """``data`` as text: a byte order mark wins (the WHATWG rule), then the declared
    charset, then UTF-8."""
    charset = DEFAULT
    if declared:
        check_charset(declared)
        charset = declared
    for bom, encoding in BOMS:
        if data.startswith(bom):
            data, charset = data[len(bom) :], encoding
            break
    try:
        return data.decode(charset)
    except ValueError as exc:  # UnicodeDecodeError; "idna" and others raise UnicodeError
        start = getattr(exc, "start", None)
        where = (
            f"bytes {data[start : start + 4].hex(' ')} at offset {start}"
            if start is not None
            else exc
        )
        hint = (
            ""
            if declared
            else " Declare the file's charset: Content-Type: text/plain; charset=windows-1251, "
            "say, or ?charset=windows-1251."
        )
        raise UndecodableUpload(
            f"The file is not valid {charset} text: {where}.{hint} Nothing was imported.",
            {"body": [f"Not {charset} text."]},
        ) from None
