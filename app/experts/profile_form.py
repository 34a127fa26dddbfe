"""The profile form of the pages: what it posts read into what ``ExpertWriteSchema`` (the
API's) loads, and what is wrong with each field in the visitor's language.

Affiliations come as rows ``aff-<n>-<field>`` for those the profile has (``aff-<n>-remove``
to drop one) and ``aff-new-<field>`` for one to add: a page without script adds one at a
time, as GOV.UK's "add another" pattern does.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.experts.schemas import MAX_AFFILIATIONS

# In the form's order: the error summary lists them so.
FIELDS = (
    "full_name",
    "other_names",
    "country",
    "biography",
    "birth_year",
    "orcid",
    "languages",
    "topic_ids",
    "affiliations",
)
AFFILIATION_FIELDS = ("centre_id", "position", "start_date", "end_date")
MESSAGES = {
    "full_name": _l("Enter your full name, up to 300 characters"),
    "other_names": _l("Enter each other spelling of the name on its own line, up to 20"),
    "country": _l("Choose the country"),
    "biography": _l("Enter a biography of at most 10,000 characters"),
    "birth_year": _l("Enter a year of birth from 1900 to 2015, or leave it empty"),
    "orcid": _l("Enter an ORCID iD like 0000-0002-1825-0097, or leave it empty"),
    "languages": _l("Enter language codes such as ru, kk, en, separated by commas"),
    "topic_ids": _l("Choose at most 30 topics"),
    "affiliations": _l(
        "Check the affiliations: each needs a centre, and ends no earlier than it starts"
    ),
}
# What is wrong with the affiliations, by the field of a row the schema refused.
AFFILIATION_MESSAGES = {
    "centre_id": _l("Choose a centre for each affiliation"),
    "position": _l("Enter a position of at most 200 characters"),
    "start_date": _l("Enter each date as a day, month and year"),
    "end_date": _l("Enter each date as a day, month and year, the end no earlier than the start"),
}
TOO_MANY_AFFILIATIONS = _l(
    "A profile lists at most %(max)d affiliations: remove one to add another",
    max=MAX_AFFILIATIONS,
)
# What the services refuse, by field.
REFUSALS = {
    "orcid": _l("This ORCID iD belongs to another profile"),
    "affiliations": _l("Choose a centre from the list"),
    "topic_ids": _l("Choose topics from the list"),
}
STALE = _l(
    "Someone saved this profile while you were editing it. The form now shows it as saved; "
    "under each field that differs is what you typed. Change what you want, then save."
)
# Beside each field where what was typed differs from the profile another saved meanwhile.
DIFFERS = _l("%(field)s: saved otherwise meanwhile; what you typed is under it")
LABELS = {
    "full_name": _l("Full name"),
    "other_names": _l("Other spellings of the name"),
    "country": _l("Country"),
    "biography": _l("Biography"),
    "birth_year": _l("Year of birth"),
    "orcid": _l("ORCID iD"),
    "languages": _l("Languages"),
    "topic_ids": _l("Topics"),
    "affiliations": _l("Affiliations"),
}
# The fields whose typed text an overtaken save shows under them.
TEXT_FIELDS = ("full_name", "other_names", "biography", "birth_year", "orcid", "languages")
_SPLIT = re.compile(r"[\s,;]+")


def held_rows(form: MultiDict) -> int | None:
    """How many affiliation rows the page showed (its ``held`` field); None if it says
    nothing sensible (a form not from the page)."""
    text = form.get("held", "")
    if not text.isdecimal() or int(text) > MAX_AFFILIATIONS:
        return None
    return int(text)


def read(form: MultiDict, held: int) -> dict[str, Any]:
    """What the API would be sent for ``form``, with the ``held`` affiliations the page
    showed as rows ``0 … held-1``."""
    return {
        "full_name": form.get("full_name", ""),
        "other_names": [n.strip() for n in form.get("other_names", "").splitlines() if n.strip()],
        "country": form.get("country", ""),
        "biography": form.get("biography", "").strip() or None,
        "birth_year": form.get("birth_year", "").strip() or None,
        "orcid": form.get("orcid", "").strip() or None,
        "languages": [c.lower() for c in _SPLIT.split(form.get("languages", "")) if c],
        "topic_ids": form.getlist("topic_ids"),
        "affiliations": _affiliations(form, held),
    }


def _affiliations(form: MultiDict, held: int) -> list[dict[str, Any]]:
    rows = [_row(form, str(n)) for n in range(held) if not form.get(f"aff-{n}-remove")]
    new = _row(form, "new")
    if any(new.values()):  # the empty row to add one is left empty when none is added
        rows.append(new)
    return [{name: value.strip() or None for name, value in row.items()} for row in rows]


def _row(form: MultiDict, key: str) -> dict[str, str]:
    """A row of the form as posted, each field as text."""
    return {name: form.get(f"aff-{key}-{name}", "") for name in AFFILIATION_FIELDS}


def messages(errors: dict[str, Any]) -> dict[str, str]:
    """One translated message for each field refused, in the form's order; for the
    affiliations, what is wrong with them (:func:`_affiliation_message`)."""
    found = {name: str(MESSAGES[name]) for name in FIELDS if name in errors}
    if "affiliations" in errors:
        found["affiliations"] = _affiliation_message(errors["affiliations"])
    return found


def _affiliation_message(refused: Any) -> str:
    """A list's own refusal is its length; a row's names the field refused."""
    if not isinstance(refused, dict):
        return str(TOO_MANY_AFFILIATIONS)
    fields = {name for row in refused.values() if isinstance(row, dict) for name in row}
    for name in AFFILIATION_FIELDS:  # the first, in the row's order
        if name in fields:
            return str(AFFILIATION_MESSAGES[name])
    return str(MESSAGES["affiliations"])


def messages_for(changed: list[str]) -> dict[str, str]:
    """:data:`DIFFERS`, naming the field, beside each field of ``changed``."""
    return {name: str(DIFFERS % {"field": LABELS[name]}) for name in changed}


def refusals(errors: dict[str, Any]) -> dict[str, str]:
    """Translated messages for a service's refusal (a DomainError's ``errors``)."""
    return {name: str(REFUSALS.get(name) or MESSAGES[name]) for name in FIELDS if name in errors}


def values_of(expert: Any) -> dict[str, Any]:
    """The form filled from the profile as stored."""
    return {
        "full_name": expert.full_name,
        "other_names": "\n".join(expert.other_names or []),
        "country": expert.country_code,
        "biography": expert.biography or "",
        "birth_year": expert.birth_year or "",
        "orcid": expert.orcid or "",
        "languages": ", ".join(expert.languages or []),
        "topic_ids": {str(t.id) for t in expert.topics},
        "affiliations": [
            {
                "centre_id": str(a.centre_id),
                "position": a.position or "",
                "start_date": a.start_date.isoformat() if a.start_date else "",
                "end_date": a.end_date.isoformat() if a.end_date else "",
            }
            for a in expert.affiliations
        ],
    }


def values_posted(form: MultiDict, held: int) -> dict[str, Any]:
    """The form as it was posted, to show again with its errors."""
    rows = [_row(form, str(n)) | {"remove": bool(form.get(f"aff-{n}-remove"))} for n in range(held)]
    return {
        **{
            name: form.get(name, "") for name in FIELDS if name not in {"topic_ids", "affiliations"}
        },
        "topic_ids": set(form.getlist("topic_ids")),
        "affiliations": rows,
        "new": _row(form, "new"),
    }


def differing(posted: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """The fields where what was posted differs from the profile as stored: what to check
    when another save came first."""
    plain = [
        name
        for name in FIELDS
        if name not in {"affiliations", "topic_ids"}
        and str(posted.get(name, "")).strip() != str(stored.get(name, "")).strip()
    ]
    topics = ["topic_ids"] if set(posted["topic_ids"]) != set(stored["topic_ids"]) else []
    kept = [
        {k: v for k, v in row.items() if k != "remove"}
        for row in posted["affiliations"]
        if not row.get("remove")
    ]
    added = [posted["new"]] if any(posted["new"].values()) else []
    rows = ["affiliations"] if kept + added != stored["affiliations"] else []
    return plain + topics + rows
