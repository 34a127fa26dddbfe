"""The directory's fixed vocabularies (kinds, visibility, roles, statuses) as the pages
show them, in the interface language; the API sends the values themselves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "centre_kind": {
        "state": _l("State institute"),
        "academic": _l("Academy of sciences institute"),
        "university": _l("University centre"),
        "sectoral": _l("Sectoral institute"),
        "independent": _l("Independent think tank"),
        "international": _l("International organisation"),
        "media": _l("Media analytics"),
        "ngo": _l("Non-governmental organisation"),
    },
    "publication_kind": {
        "report": _l("Report"),
        "article": _l("Article"),
        "analysis": _l("Analysis"),
        "interview": _l("Interview"),
        "monograph": _l("Monograph"),
        "news": _l("News"),
    },
    "visibility": {
        "public": _l("Public"),
        "departmental": _l("Departmental"),
        "closed": _l("Closed"),
    },
    "language": {
        "ru": _l("Russian"),
        "kk": _l("Kazakh"),
        "en": _l("English"),
    },
    "role": {
        "speaker": _l("Speaker"),
        "moderator": _l("Moderator"),
        "discussant": _l("Discussant"),
    },
    "status": {
        "invited": _l("Invited"),
        "accepted": _l("Accepted"),
        "declined": _l("Declined"),
    },
}


def label(vocabulary: str, value: object) -> str:
    """``value`` of ``vocabulary`` in the interface language (the value itself if unknown)."""
    text = LABELS[vocabulary].get(str(value))
    return str(text) if text is not None else str(value)


def options(vocabulary: str) -> list[tuple[str, str]]:
    """(value, label) for every value: a select's options."""
    return [(value, str(text)) for value, text in LABELS[vocabulary].items()]
