"""Types and languages as bibliographic formats write them, read into ours.

A source's type is first put in CSL's words (the vocabulary reference managers share, and
finer than our kinds: "chapter", "thesis", "paper-conference"), then onto our kind.
Languages are stored as ISO 639 codes.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from babel import Locale

from app.publications import models

# Each format's types onto CSL's (one vocabulary, the one reference managers share), then
# CSL's onto our kinds. An unknown type is a CSL "document" (BibTeX's misc).
BIBTEX_TYPES = {
    "article": "article-journal",
    **dict.fromkeys(("book", "mvbook", "proceedings", "mvproceedings", "collection"), "book"),
    **dict.fromkeys(("inbook", "incollection", "bookinbook", "suppbook"), "chapter"),
    **dict.fromkeys(("inproceedings", "conference"), "paper-conference"),
    **dict.fromkeys(("techreport", "report", "manual"), "report"),
    **dict.fromkeys(("phdthesis", "mastersthesis", "thesis"), "thesis"),
    **dict.fromkeys(("online", "www", "electronic", "webpage"), "webpage"),
    "unpublished": "manuscript",
    "booklet": "pamphlet",
    "periodical": "periodical",
    "patent": "patent",
    "dataset": "dataset",
    "software": "software",
    "interview": "interview",
    "misc": "document",
}
RIS_TYPES = {
    **dict.fromkeys(("jour", "ejour", "abst", "inpr"), "article-journal"),
    "mgzn": "article-magazine",
    "news": "article-newspaper",
    **dict.fromkeys(("book", "ebook", "edbook", "ser"), "book"),
    **dict.fromkeys(("chap", "echap"), "chapter"),
    **dict.fromkeys(("conf", "cpaper"), "paper-conference"),
    **dict.fromkeys(("rprt", "govdoc"), "report"),
    "thes": "thesis",
    **dict.fromkeys(("elec", "web"), "webpage"),
    "blog": "post-weblog",
    "pcomm": "personal_communication",
    **dict.fromkeys(("unpb", "manscpt"), "manuscript"),
    "data": "dataset",
    "pat": "patent",
    "stand": "standard",
    "gen": "document",
}
OPENALEX_TYPES = {
    **dict.fromkeys(("article", "letter", "erratum"), "article-journal"),
    "book": "book",
    "book-chapter": "chapter",
    "dissertation": "thesis",
    "report": "report",
    "preprint": "article",
    **dict.fromkeys(("review", "peer-review"), "review"),
    "editorial": "article-journal",
    "reference-entry": "entry-encyclopedia",
    "dataset": "dataset",
    "standard": "standard",
    "libguides": "webpage",
}
# CSL's own types (CSL 1.0.2), as themselves.
CSL_TYPES = {t: t for t in models.CSL_TYPES}
KINDS = {
    "report": "report",
    **dict.fromkeys(("book", "thesis"), "monograph"),
    "interview": "interview",
    "article-newspaper": "news",
    **dict.fromkeys(("webpage", "post-weblog", "post", "document"), "analysis"),
}


def kind(csl_type: str) -> str:
    return KINDS.get(csl_type, "article")


def csl_type(types: dict[str, str], raw: Any) -> str:
    """A source type in CSL's words: a type we do not know is a "document" (BibTeX reads an
    unknown type as misc); none at all is CSL's generic "article", as it was before types
    were mapped."""
    text = raw.strip().lower() if isinstance(raw, str) else ""
    return types.get(text, "document") if text else "article"


# biblatex's entrysubtype refines an entry type: @article with "magazine" or "newspaper" is
# CSL's article-magazine or article-newspaper, as pandoc reads them; a subtype that is a
# CSL type ("interview" on a @misc) is that type.
ENTRY_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}


def bibtex_type(entry_type: str, subtype: Any) -> str:
    """A BibTeX entry's type in CSL's words, refined by its ``entrysubtype``."""
    sub = subtype.strip().lower() if isinstance(subtype, str) else ""
    return ENTRY_SUBTYPES.get(sub) or CSL_TYPES.get(sub) or csl_type(BIBTEX_TYPES, entry_type)


# BibTeX (babel, polyglossia) language names that are no language's English name.
_LANGUAGE_ALIASES = {
    **dict.fromkeys(("american", "british", "usenglish", "ukenglish", "canadian"), "en"),
    **dict.fromkeys(("australian", "newzealand"), "en"),
    **dict.fromkeys(("ngerman", "austrian", "naustrian", "swissgerman", "nswissgerman"), "de"),
    **dict.fromkeys(("francais", "acadian", "canadien"), "fr"),
    **dict.fromkeys(("brazil", "brazilian", "portuges"), "pt"),
    **dict.fromkeys(("bahasa", "bahasai"), "id"),
    "magyar": "hu",
    "farsi": "fa",
    "norsk": "nb",
}
_LANGUAGE_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$")


@functools.cache
def _language_names() -> dict[str, str]:
    """Language names in English and Russian ("Russian", "русский") onto ISO 639 codes."""
    names = {}
    for locale in ("ru", "en"):  # English last: it wins where the two disagree
        for code, name in Locale(locale).languages.items():
            names[name.lower()] = code.partition("_")[0]
    return {**names, **_LANGUAGE_ALIASES}


def language(value: Any) -> str | None:
    """A language as its ISO 639 code: "ru", "ru-RU", "Russian" and "russian" are "ru"."""
    text = " ".join(value.split()).lower() if isinstance(value, str) else ""
    match = _LANGUAGE_CODE.match(text)
    return match[1] if match else _language_names().get(text)
