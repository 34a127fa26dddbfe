"""Plain text to and from BibTeX values, so that an export imports back as it was.

Text fields are LaTeX: what LaTeX or bibtexparser would read as markup is escaped on the
way out and decoded on the way in. ``url`` and ``doi`` are verbatim, as BibLaTeX reads
them: a "%" in a percent-encoded URL is no comment there.
"""

from __future__ import annotations

import re
from typing import Any

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

# bibtexparser's own decoder (its LatexDecodingMiddleware), which we apply field by field.
_CONTEXT = get_default_latex_context_db()
_CONTEXT.add_context_category(
    "bibtex-urls", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")]
)
_DECODER = LatexNodes2Text(latex_context=_CONTEXT, math_mode="verbatim")
# "-{}-" keeps "--" from becoming a dash, "`{}`" a quote and "?{}`" an inverted question mark.
_SPECIALS = re.compile(r"[\\{}%&$~]|(-(?=-)|`(?=`)|'(?=')|[?!](?=`))")
_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}"}
_ESCAPED_IN_VERBATIM = re.compile(r"\\([_%&#$~])")  # "10.1000/a\_b", as older tools write


class BadLatex(Exception):
    """A value pylatexenc cannot read."""


def decode(value: Any) -> Any:
    """A LaTeX value as plain text (anything but a string is returned as it is)."""
    if not isinstance(value, str):
        return value
    try:
        return _DECODER.latex_to_text(value)
    except Exception as exc:  # pylatexenc raises plain IndexErrors and the like
        raise BadLatex(str(exc)) from exc


def encode(text: str | None) -> str | None:
    """Plain text as a LaTeX value; newlines become spaces, as BibTeX reads them."""
    if not text:
        return text
    return _SPECIALS.sub(_escape, " ".join(text.split()))


def _escape(match: re.Match) -> str:
    if match[1]:
        return match[1] + "{}"
    return _ESCAPES.get(match[0], "\\" + match[0])


def read_verbatim(value: Any) -> Any:
    return _ESCAPED_IN_VERBATIM.sub(r"\1", value) if isinstance(value, str) else value


def write_verbatim(text: str | None) -> str | None:
    """A URL or DOI with only what would end the value (braces, backslash) percent-encoded."""
    if not text:
        return text
    return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
