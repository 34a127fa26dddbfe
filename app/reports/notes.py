"""What a reader must know about a report's answer, in plain words: its ``notes``.

The reports count what the directory holds. The report they follow says much of the
picture is not there (Russian analysis is mostly departmental and unpublished, the centres
that study the neighbour are few and the directory holds only those it names), so each
answer says what it cannot see, and when its figures rest on too little to mean much.
Plain functions of the report's own figures: no queries here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from app.reports.queries import Window

CATALOGUED = (
    "Counts only the centres, experts and joint work in the directory; "
    "contact that left no record here does not show."
)


def _people(n: int, country: str) -> str:
    return f"{n} {country} expert" + ("" if n == 1 else "s")


def coverage(w: Window, people: dict[str, int], enough: bool, weighted: float | None) -> list[str]:
    notes = [CATALOGUED]
    if not enough and weighted is not None:
        notes.append(
            "The weighted coverage ratio is withheld: on "
            f"{w.end.isoformat()} only {_people(people['RU'], 'Russian')} and "
            f"{_people(people['KZ'], 'Kazakh')} are affiliated with a centre in the directory, "
            "too few for a share of expert weight to mean anything "
            f"(it would read {weighted})."
        )
    elif not enough:
        notes.append(
            "The weighted coverage ratio is withheld: no expert is affiliated with a centre "
            "on one side."
        )
    return notes


def gaps(
    cutoff: dt.date, dormant: int, eras: list[str], labels: Sequence[tuple[str, str]]
) -> list[str]:
    notes = [
        CATALOGUED,
        f"Dormant: tied before {cutoff.isoformat()} and never since. "
        "Each dormant pair's era says when its ties stopped, against the pandemic "
        "(March 2020) and February 2022.",
    ]
    if eras:
        parts = "; ".join(f"{eras.count(key)} {text}" for key, text in labels if key in eras)
        notes.append(f"Of the dormant pairs listed ({len(eras)} of {dormant}): {parts}.")
    return notes


def topics(active: int) -> list[str]:
    notes = [CATALOGUED]
    if active == 0:
        notes.append("No joint work on any topic in the window.")
    return notes


def regions(ru_border_centres: int, kz_border_centres: int, cells: int) -> list[str]:
    if ru_border_centres and kz_border_centres:
        return [
            CATALOGUED,
            "Ties are placed in the regions where the two centres sit, not where the work "
            "was done.",
        ]
    missing = " or ".join(
        side for side, n in (("Russian", ru_border_centres), ("Kazakh", kz_border_centres)) if not n
    )
    return [
        CATALOGUED,
        f"No {missing} centre in the directory sits in a border region, so no tie can "
        f"be placed on the border: the {cells} border-region pairs are left out rather "
        "than shown as zeros, which would say nothing about cross-border work.",
    ]


def trend(rows: list[dict[str, Any]], markers: list[dict[str, Any]]) -> list[str]:
    notes = [CATALOGUED, "Every year of the window is listed; a year without ties shows zeros."]
    if not any(any(v for k, v in row.items() if k != "year") for row in rows):
        notes.append("No ties in the window.")
    notes += [f"Marked {m['date']}: {m['what']}." for m in markers]
    return notes


def visibility(rows: list[dict[str, Any]]) -> list[str]:
    by = {(r["country"], r["of"]): r for r in rows}
    departmental = by["RU", "centres"]["departmental"]
    return [
        "Counts catalogued output only: publications in the directory with an author "
        "writing for a Russian or Kazakh centre, whatever their authors' other work.",
        "The report says Russian analysis is mostly departmental and not published, so "
        "it is not catalogued: the shares of publications describe what is in the "
        f"directory, not what the centres produce ({departmental} of "
        f"{by['RU', 'centres']['total']} Russian centres here are departmental).",
    ]


def generations(rows: list[dict[str, Any]], smallest: int) -> list[str]:
    notes = [
        f"Groups of fewer than {smallest} experts are suppressed, so no one can be singled "
        "out; experts without a known birth year are counted as unknown."
    ]
    if not rows:
        notes.append("No accepted participation in a published session in the window.")
    return notes


def systematic(summary: dict[str, dict[str, int]]) -> list[str]:
    counts = "; ".join(
        f"{side['studying_the_neighbour']} of {side['centres']} {country}"
        for country, side in (("Russian", summary["RU"]), ("Kazakh", summary["KZ"]))
    )
    return [
        f"Counts catalogued centres only ({counts}). The directory holds the centres the "
        "report names, so these are not shares of all centres: the report says those "
        "studying the neighbour systematically can be counted on the fingers of one hand.",
    ]


def recommendations(forum: int | None, without_centre: Iterable[str]) -> list[str]:
    notes = [
        "Proposals pair experts at the two centres of a gap who share a topic and have never "
        "written or sat in a session together. Experts without a current centre, whom no "
        "centre gap reaches, are matched with a colleague across the border who shares a "
        "topic and has not worked with them since the dormant cutoff (a cut contact is worth "
        "renewing); people both have worked with count in their favour.",
        "Shared topics come from the experts' profiles.",
    ]
    if forum is None:
        notes.append("No forum given: set forum_id on a session before applying it.")
    if names := sorted(without_centre):
        notes.append(f"Proposed without a current centre: {', '.join(names)}.")
    return notes
