"""Name keys that match across Cyrillic (Russian and Kazakh) and Latin spellings.

``name_key("Шибутов") == name_key("Shibutov") == name_key("Şibutov") == "shibutov"``.
Text is transliterated with anyascii, then spelling variants are folded: ь/ъ vanish,
й/y/i and х/kh/h and ж/zh/j and ш/sh/ş meet, doubled letters collapse, and the
Kazakh letters ә ғ қ ң ө ұ ү һ і fall onto their Latin neighbours.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# Latin letters with a meaning anyascii would drop (ş is "sh", not "s").
_LATIN = str.maketrans(
    {
        "ş": "sh",
        "ș": "sh",
        "š": "sh",
        "ç": "ch",
        "č": "ch",
        "ž": "zh",
        "ğ": "g",
        "ı": "i",
        "ñ": "n",
        "ä": "a",
        "ö": "o",
        "ü": "u",
        "ū": "u",
    }
)

# Applied in order to the transliterated, lower-cased text.
# Semivowels are settled in two steps: y becomes i, doubled letters collapse, and then
# i before a or u disappears (ya/ia/iya, yu/iu all meet).
_FOLDS = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ts", "c"),
    ("tz", "c"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),
    ("ph", "f"),
    ("yo", "e"),
    ("ye", "e"),
    ("y", "i"),
)
_SEMIVOWELS = (("ia", "a"), ("iu", "u"))
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLES = re.compile(r"([a-z])\1+")


def _transliterate(text: str) -> str:
    text = text.lower().translate(_LATIN)
    text = anyascii(text).lower()
    return unicodedata.normalize("NFKD", text)


def _fold(word: str) -> str:
    for old, new in _FOLDS:
        word = word.replace(old, new)
    word = _DOUBLES.sub(r"\1", word)
    for old, new in _SEMIVOWELS:
        word = word.replace(old, new)
    return word


def name_words(text: str) -> list[str]:
    """The folded words of ``text``, in order (hyphens and punctuation split words)."""
    words = _NOT_WORD.split(_transliterate(text))
    return [folded for w in words if w and (folded := _fold(w))]


def name_key(text: str) -> str:
    """One key for the whole of ``text``: its folded words, joined."""
    return "".join(name_words(text))


def prefix_upper_bound(prefix: str) -> str:
    """The smallest key greater than every key starting with ``prefix`` (keys are [a-z0-9])."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\x7f"
