"""The breakdown reports: trend, regions, generations, visibility, topics and the centres
that study the neighbour systematically.
"""

from __future__ import annotations

import datetime as dt

import pytest

from seeds.loader import read
from tests.reports.helpers import (
    LATER,
    TODAY,
    get_report,
    joint_publication,
    member,
    new_centre,
    region,
    shared_session,
)

# -- trend --------------------------------------------------------------------------------


def row(year, publications=0, sessions=0, projects=0):
    return {
        "year": year,
        "joint_publications": publications,
        "shared_sessions": sessions,
        "joint_projects": projects,
    }


def quiet_years(first, last=TODAY.year):
    """Years without ties, to the window's end (today's year unless ``until``)."""
    return [row(year) for year in range(first, last + 1)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"since": "2019-01-01"},
            [row(2019, 2, 1), row(2020, 1, 0, 1), row(2021), row(2022, 1, 1), *quiet_years(2023)],
        ),
        (
            {},
            [
                row(2018, 1),
                row(2019, 2, 1),
                row(2020, 1, 0, 1),
                row(2021),
                row(2022, 1, 1),
                *quiet_years(2023),
            ],
        ),
        (
            {"kind": "session"},
            [row(2019, 0, 1), row(2020), row(2021), row(2022, 0, 1), *quiet_years(2023)],
        ),
        ({"kind": "project"}, [row(2020, 0, 0, 1), *quiet_years(2021)]),
        ({"until": "2020-12-31", "since": "2019-06-01"}, [row(2019, 1, 1), row(2020, 1, 0, 1)]),
        ({"since": "2015-01-01", "until": "2017-06-30"}, quiet_years(2015, 2017)),
    ],
    ids=["since-2019", "everything", "sessions", "projects", "mid-2019-to-2020", "no-ties"],
)
def test_trend_covers_every_year_of_the_window_with_zeros(
    organiser, years_of_ties, params, expected
):
    report = get_report(organiser, "trend", **params)
    assert report["rows"] == expected
    for series in ("joint_publications", "shared_sessions", "joint_projects"):
        assert report["summary"][series] == sum(r[series] for r in expected)


@pytest.mark.parametrize(
    ("params", "marked"),
    [
        ({}, ["2020-03-01", "2022-02-24"]),
        ({"since": "2021-01-01"}, ["2022-02-24"]),
        ({"until": "2019-12-31"}, []),
    ],
    ids=["both", "after-the-pandemic", "before-both"],
)
def test_trend_marks_the_pandemic_and_february_2022_in_its_window(
    organiser, years_of_ties, params, marked
):
    report = get_report(organiser, "trend", **params)
    assert [m["date"] for m in report["markers"]] == marked
    years = {r["year"] for r in report["rows"]}
    assert all(m["year"] in years for m in report["markers"])
    for m in report["markers"]:  # each marker is told in the notes too
        assert any(m["date"] in note and m["what"] in note for note in report["notes"])


def test_trend_on_the_seeds_shows_the_years_after_2018_as_zeros(organiser):
    rows = get_report(organiser, "trend")["rows"]
    assert [r["year"] for r in rows] == list(range(2018, TODAY.year + 1))
    assert [r["joint_publications"] for r in rows] == [1] + [0] * (TODAY.year - 2018)


# -- regions ------------------------------------------------------------------------------


def border_codes() -> tuple[list[str], list[str]]:
    border = [r for r in read("regions") if r.get("is_border")]
    ru = [r["code"] for r in border if r["country"] == "RU"]
    kz = [r["code"] for r in border if r["country"] == "KZ"]
    return ru, kz


def test_regions_say_no_centre_sits_on_the_border_instead_of_84_zeros(organiser):
    ru, kz = border_codes()
    assert (len(ru), len(kz)) == (12, 7)
    report = get_report(organiser, "regions")
    assert report["summary"] == {
        "ru_border_regions": 12,
        "kz_border_regions": 7,
        "region_pairs": 84,
        "region_pairs_tied": 0,
        # every seeded centre sits in Moscow, Astana or Almaty
        "ru_centres_in_border_regions": 0,
        "kz_centres_in_border_regions": 0,
    }
    assert report["rows"] == []
    [note] = [n for n in report["notes"] if "border region" in n]
    assert "No Russian or Kazakh centre" in note and "84" in note


def test_regions_with_a_border_centre_on_one_side_only_still_say_so(organiser):
    new_centre("RU", "OMSK", region=region("RU-OMS"))
    report = get_report(organiser, "regions")
    assert report["rows"] == []
    assert report["summary"]["ru_centres_in_border_regions"] == 1
    assert any("No Kazakh centre" in note for note in report["notes"])


def test_regions_are_the_twelve_by_seven_border_cells_once_both_sides_sit_there(organiser):
    new_centre("RU", "OMSK", region=region("RU-OMS"))
    new_centre("KZ", "PAVLODAR", region=region("KZ-PAV"))
    ru, kz = border_codes()
    report = get_report(organiser, "regions")
    cells = [(c["ru_region"]["code"], c["kz_region"]["code"]) for c in report["rows"]]
    assert sorted(cells) == sorted((r, k) for r in ru for k in kz)
    assert not any("left out" in note for note in report["notes"])


def test_a_tie_across_the_border_shows_in_its_cell(organiser):
    omsk = [new_centre("RU", f"OMSK-{n}", region=region("RU-OMS")) for n in range(2)]
    pavlodar = new_centre("KZ", "PAVLODAR", region=region("KZ-PAV"))
    joint_publication(dt.date(2021, 3, 1), omsk[0], pavlodar)
    joint_publication(dt.date(2022, 3, 1), omsk[0], pavlodar)
    joint_publication(dt.date(2023, 3, 1), omsk[1], pavlodar)
    report = get_report(organiser, "regions")
    tied = {
        (c["ru_region"]["code"], c["kz_region"]["code"]): (c["ties"], c["centre_pairs"])
        for c in report["rows"]
        if c["ties"]
    }
    assert tied == {("RU-OMS", "KZ-PAV"): (3, 2)}
    assert report["summary"]["region_pairs_tied"] == 1


# -- generations --------------------------------------------------------------------------


def test_generations_hide_groups_under_five(organiser, fresh_pair):
    kz_1980s = [member(fresh_pair["kz"], birth_year=1980 + n) for n in range(5)]
    ru_1970s = [member(fresh_pair["ru"], birth_year=1971 + n) for n in range(4)]
    shared_session(dt.date(2022, 5, 1), *kz_1980s, *ru_1970s)
    shared_session(dt.date(2023, 5, 1), kz_1980s[0], ru_1970s[0])
    shared_session(LATER, *kz_1980s)  # still to come: not a participation yet
    report = get_report(organiser, "generations")
    assert report["rows"] == [
        {
            "country": "KZ",
            "birth_decade": "1980s",
            "experts": 5,
            "participations": 6,
            "suppressed": False,
        },
        {
            "country": "RU",
            "birth_decade": "1970s",
            "experts": None,
            "participations": None,
            "suppressed": True,
        },
    ]
    assert report["summary"] == {"smallest_group_shown": 5, "groups_suppressed": 1}
    # Generations count sessions: that kind keeps them all, another leaves nothing.
    assert get_report(organiser, "generations", kind="session")["rows"] == report["rows"]
    assert get_report(organiser, "generations", kind="publication")["rows"] == []


# -- visibility ---------------------------------------------------------------------------


def test_visibility_shares_add_up_per_country(organiser, fresh_pair):
    ru, kz = fresh_pair["ru"], fresh_pair["kz"]
    for n, kind in enumerate(("closed", "departmental", "departmental")):
        joint_publication(dt.date(2021, 1, 1 + n), ru, kz, visibility=kind)
    report = get_report(organiser, "visibility")
    rows = {(r["country"], r["of"]): r for r in report["rows"]}
    assert rows.keys() == {(c, of) for c in ("RU", "KZ") for of in ("publications", "centres")}
    for r in rows.values():
        assert r["public"] + r["departmental"] + r["closed"] == r["total"]
        shares = r["public_share"] + r["departmental_share"] + r["closed_share"]
        assert shares == pytest.approx(1, abs=1e-3)
    # Seeded: 7 Russian publications (all public) and 2 Kazakh; 6 of 9 Russian centres departmental.
    assert (rows["RU", "publications"]["total"], rows["RU", "publications"]["closed"]) == (10, 1)
    assert rows["KZ", "publications"]["departmental"] == 2
    seeded = [c for c in read("centres") if c["country"] == "RU"]
    departmental = sum(1 for c in seeded if c.get("visibility") == "departmental")
    assert rows["RU", "centres"]["departmental"] == departmental == 6
    assert rows["RU", "centres"]["total"] == len(seeded) + 1


def test_visibility_counts_publications_under_the_kind_filter(organiser, fresh_pair):
    joint_publication(dt.date(2021, 1, 1), fresh_pair["ru"], fresh_pair["kz"], visibility="closed")

    def totals(**params):
        rows = get_report(organiser, "visibility", **params)["rows"]
        return {(r["country"], r["of"]): r["total"] for r in rows}

    everything = totals()
    assert totals(kind="publication") == everything
    projects = totals(kind="project")  # no publication is a project
    assert projects["RU", "publications"] == projects["KZ", "publications"] == 0
    assert projects["RU", "centres"] == everything["RU", "centres"]  # centres are not evidence


# -- topics -------------------------------------------------------------------------------


def test_topics_only_two_topics_have_joint_work(organiser):
    report = get_report(organiser, "topics")
    assert {(r["topic"]["slug"], r["year"], r["publications"]) for r in report["rows"]} == {
        ("media-information", 2018, 1),
        ("eurasian-integration", 2018, 1),
    }
    assert len(report["rows"]) == 2
    topics = read("topics")
    assert report["summary"] == {
        "topics": len(topics),
        "topics_without_joint_work": len(topics) - 2,
    }


# -- systematic ---------------------------------------------------------------------------


def test_systematic_few_centres_study_the_neighbour(organiser):
    flagged = {c["acronym"]: c["country"] for c in read("centres") if c.get("studies_neighbour")}
    assert flagged == {"KISI Kazakhstan Sector": "RU", "KazISS": "KZ", "IISPS": "KZ"}
    report = get_report(organiser, "systematic")
    assert report["summary"] == {
        "RU": {"centres": 9, "studying_the_neighbour": 1},
        "KZ": {"centres": 2, "studying_the_neighbour": 2},
    }
    rows = {r["centre"]["acronym"]: r for r in report["rows"]}
    assert rows.keys() == flagged.keys()
    assert {key: value for key, value in rows["IISPS"].items() if key != "centre"} == {
        "partners": 1,
        "publications": 1,
        "sessions": 0,
        "projects": 0,
        "last": "2018-12-10",
    }
    assert rows["KazISS"]["partners"] == rows["KISI Kazakhstan Sector"]["partners"] == 0
