"""BibTeX values as BibTeX and biber read them, before their LaTeX is decoded.

bibtexparser splits a file into entries and leaves values as written: ``"jean" # " " #
name`` concatenates quoted text with ``@string`` macros (the month names are predefined),
``crossref`` names a parent whose fields the child inherits, and ``@preamble`` may define
macros such as ``\\newcommand{\\noopsort}[1]{}``, whose argument only orders entries and
prints nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bibtexparser.library import Library
from bibtexparser.model import Entry

# BibTeX's standard styles predefine the months; a file's @string may redefine them.
MONTHS = {
    **{"jan": "January", "feb": "February", "mar": "March", "apr": "April"},
    **{"may": "May", "jun": "June", "jul": "July", "aug": "August"},
    **{"sep": "September", "oct": "October", "nov": "November", "dec": "December"},
}

# What a child takes from its crossref parent when it lacks it: the fields we read, less
# those that identify the parent itself (title, DOI, URL, abstract).
INHERITED = (
    *("author", "editor", "year", "date", "month", "booktitle", "journal", "journaltitle"),
    *("publisher", "institution", "organization", "address", "location", "series"),
    *("language", "langid"),
)

# The usual sort-only macro (BibTeX's own documentation defines it in @preamble); a
# file's preamble may define it otherwise.
DEFAULT_MACROS = {"noopsort": (1, "")}
_DEFINITION = re.compile(
    r"\\(?:(?:re|provide)?newcommand\*?\s*\{?\s*\\([A-Za-z]+)\s*\}?\s*(?:\[(\d)\])?"
    r"|def\s*\\([A-Za-z]+)((?:#\d)*))\s*(?=\{)"
)
MAX_MACRO_PASSES = 4


@dataclass
class Values:
    """Each entry's fields (lower-case names, plain strings) and what was noticed on the way."""

    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)


def braced_end(text: str, start: int) -> int:
    """The index just past the group that opens at ``text[start] == "{"``, or -1."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def split_concatenation(value: str) -> list[str]:
    """The parts of ``a # "b" # {c}``: a "#" counts only outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p.strip() for p in parts]


def expand(value: str, macros: dict[str, str], unknown: list[str]) -> str:
    """A raw value as its text: parts unquoted, macros replaced, all joined.

    An undefined macro stays as its name (BibTeX would print nothing and warn); its name
    goes to ``unknown`` so that the import report can say so.
    """
    text = []
    for part in split_concatenation(value):
        if len(part) >= 2 and (part[0], part[-1]) in {("{", "}"), ('"', '"')}:
            text.append(part[1:-1])
        elif part.isdigit() or not part:
            text.append(part)
        elif part.lower() in macros:
            text.append(macros[part.lower()])
        else:
            unknown.append(part)
            text.append(part)
    return "".join(text)


def _string_macros(library: Library) -> dict[str, str]:
    macros = dict(MONTHS)
    for string in library.strings:  # in order: a macro may use those defined before it
        macros[string.key.lower()] = expand(string.value, macros, [])
    return macros


def preamble_macros(library: Library, macros: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Macros that @preamble defines (``\\newcommand``, ``\\providecommand``, ``\\def``):
    each name with its number of arguments and its body."""
    found = dict(DEFAULT_MACROS)
    for preamble in library.preambles:
        text = expand(preamble.value, macros, [])
        for match in _DEFINITION.finditer(text):
            end = braced_end(text, match.end())
            if end < 0:
                continue
            name = match[1] or match[3]
            count = int(match[2] or 0) if match[1] else len(match[4] or "") // 2
            found[name] = (count, text[match.end() + 1 : end - 1])
    return found


class Commands:
    """The LaTeX macros a file defines, applied to its values before they are decoded."""

    def __init__(self, macros: dict[str, tuple[int, str]]) -> None:
        self.macros = macros
        names = "|".join(map(re.escape, sorted(macros, key=len, reverse=True)))
        self.pattern = re.compile(r"\\(" + names + r")(?![A-Za-z])") if macros else None

    def apply(self, value: str) -> str:
        """``\\name{a}{b}`` replaced by the macro's body with ``#1``, ``#2`` filled in."""
        if self.pattern is None or "\\" not in value:
            return value
        for _ in range(MAX_MACRO_PASSES):  # a body may use another macro; none may loop forever
            out, pos = [], 0
            for match in self.pattern.finditer(value):
                if match.start() < pos:
                    continue
                count, body = self.macros[match[1]]
                args, end = _arguments(value, match.end(), count)
                if args is None:
                    continue
                for n, arg in enumerate(args, start=1):
                    body = body.replace(f"#{n}", arg)
                out += [value[pos : match.start()], body]
                pos = end
            if not out:
                break
            value = "".join(out) + value[pos:]
        return value


def _arguments(text: str, pos: int, count: int) -> tuple[list[str] | None, int]:
    args = []
    for _ in range(count):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return None, pos
        if text[pos] != "{":  # a single token is an argument too
            args.append(text[pos])
            pos += 1
            continue
        end = braced_end(text, pos)
        if end < 0:
            return None, pos
        args.append(text[pos + 1 : end - 1])
        pos = end
    return args, pos


def read_values(library: Library) -> Values:
    """Every entry's fields expanded, macros applied and crossrefs resolved."""
    macros = _string_macros(library)
    commands = Commands(preamble_macros(library, macros))
    values = Values()
    for entry in library.entries:
        unknown: list[str] = []
        values.fields[entry.key] = {
            f.key.lower(): commands.apply(expand(str(f.value), macros, unknown))
            for f in entry.fields
        }
        values.warnings[entry.key] = [
            f"Undefined @string macro {name!r}, kept as text." for name in dict.fromkeys(unknown)
        ]
    _resolve_crossrefs(library.entries, values)
    return values


def _resolve_crossrefs(entries: Iterable[Entry], values: Values) -> None:
    """A child inherits what it lacks from its parent (which inherits from its own)."""
    by_key = {entry.key.lower(): entry.key for entry in entries}
    for key in values.fields:
        seen, child = {key.lower()}, values.fields[key]
        parent_ref = child.get("crossref", "")
        while parent_ref:
            parent_key = by_key.get(parent_ref.strip().lower())
            if parent_key is None or parent_key.lower() in seen:
                if parent_key is None:
                    values.warnings[key].append(f"Crossref to an unknown entry {parent_ref!r}.")
                break
            seen.add(parent_key.lower())
            parent = values.fields[parent_key]
            for name in INHERITED:
                if name in parent and name not in child:
                    child[name] = parent[name]
            if "booktitle" not in child and "title" in parent:
                child["booktitle"] = parent["title"]
            parent_ref = parent.get("crossref", "")
