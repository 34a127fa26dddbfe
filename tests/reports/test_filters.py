"""Report filters: windows, kind and topic, dormant pairs, ranking, planned against held
sessions, and the 422s for bad filters.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from tests.reports.helpers import (
    EARLIER,
    LATER,
    REPORTS,
    SEEDED_PAIR,
    TODAY,
    URL,
    get_report,
    joint_project,
    joint_publication,
    names,
    pair,
    pairs,
    shared_session,
    topic,
)

# -- windows, kind and topic --------------------------------------------------------------

FILTERS = [
    ({}, {SEEDED_PAIR}),
    ({"since": "2018-12-10"}, {SEEDED_PAIR}),
    ({"since": "2018-12-11"}, set()),
    ({"until": "2018-12-10"}, {SEEDED_PAIR}),
    ({"until": "2018-12-09"}, set()),
    ({"since": "2018-01-01", "until": "2018-12-31"}, {SEEDED_PAIR}),
    ({"kind": "publication"}, {SEEDED_PAIR}),
    ({"kind": "session"}, set()),
    ({"kind": "project"}, set()),
    ({"topic": "eurasian-integration"}, {SEEDED_PAIR}),
    ({"topic": "security-defence"}, {SEEDED_PAIR}),  # note 3's part 7, military relations
    ({"topic": "agriculture"}, set()),
]


@pytest.mark.parametrize(
    ("params", "expected"), FILTERS, ids=[urlencode(p) or "no-filter" for p, _ in FILTERS]
)
def test_coverage_filters(organiser, params, expected):
    if "topic" in params:
        params = params | {"topic": topic(params["topic"]).id}
    report = get_report(organiser, "coverage", **params)
    assert pairs(report["pairs"]) == expected
    assert report["summary"]["pairs_tied"] == len(expected)


@pytest.mark.parametrize(
    ("params", "isolated_ru", "isolated_kz", "never", "listed"),
    [
        # Organisations, as coverage counts them: 7 Russian (the Caspian Institute's two
        # units with it) and 2 Kazakh. The list names centres: 9 Russian, 2 Kazakh.
        # The tied pair takes the Caspian Institute, units and all, off the isolated.
        ({}, 6, 1, 13, 7),
        ({"since": "2019-01-01"}, 7, 2, 13, 11),  # a tie before the window: the pair goes quiet
        ({"until": "2018-12-09"}, 7, 2, 14, 11),  # a window that ends before it: never tied
        ({"kind": "session"}, 7, 2, 14, 11),
    ],
)
def test_gaps_follow_the_window(organiser, params, isolated_ru, isolated_kz, never, listed):
    report = get_report(organiser, "gaps", **params)
    summary = report["summary"]
    assert (summary["isolated_ru"], summary["isolated_kz"], summary["never"]) == (
        isolated_ru,
        isolated_kz,
        never,
    )
    assert len(report["isolated"]) == listed
    coverage = get_report(organiser, "coverage", **params)["summary"]
    assert isolated_ru <= coverage["ru_centres"] and isolated_kz <= coverage["kz_centres"]


def test_a_tie_outside_the_window_leaves_its_centres_isolated(organiser):
    report = get_report(organiser, "gaps", since="2019-01-01")
    assert set(SEEDED_PAIR) <= names(report["isolated"])
    assert get_report(organiser, "coverage", since="2019-01-01")["pairs"] == []


PUB_2019 = ("publication", dt.date(2019, 5, 1), None)


def tie_them(fresh_pair, evidence: list[tuple]) -> None:
    """Tie the fresh pair by each (kind, start, end) of ``evidence``."""
    ru, kz = fresh_pair["ru"], fresh_pair["kz"]
    for kind, start, end in evidence:
        if kind == "publication":
            joint_publication(start, ru, kz)
        elif kind == "session":
            shared_session(start, fresh_pair["ru_expert"], fresh_pair["kz_expert"])
        else:
            joint_project(start, end, ru, kz)


PANDEMIC = "2020-03-01"


@pytest.mark.parametrize(
    ("evidence", "cutoff", "dormant"),
    [
        pytest.param([PUB_2019], PANDEMIC, True, id="publication-2019"),
        pytest.param([PUB_2019], "2019-01-01", False, id="publication-2019-earlier-cutoff"),
        pytest.param([("session", dt.date(2020, 2, 29), None)], PANDEMIC, True, id="session-eve"),
        pytest.param(
            [("session", dt.date(2020, 3, 1), None)], PANDEMIC, False, id="session-on-cutoff"
        ),
        pytest.param(
            [PUB_2019, ("publication", dt.date(2021, 5, 1), None)], PANDEMIC, False, id="met-again"
        ),
        pytest.param(
            [("project", dt.date(2018, 1, 1), dt.date(2019, 12, 31))],
            PANDEMIC,
            True,
            id="project-ended",
        ),
        pytest.param(
            [("project", dt.date(2018, 1, 1), dt.date(2021, 12, 31))],
            PANDEMIC,
            False,
            id="project-ran-past",
        ),
        pytest.param([("project", dt.date(2018, 1, 1), None)], None, False, id="project-running"),
        pytest.param(
            [PUB_2019, ("publication", dt.date(2021, 5, 1), None)],
            None,
            True,
            id="default-cutoff-two-years-back",
        ),
        pytest.param(
            [("publication", TODAY - dt.timedelta(days=365), None)],
            None,
            False,
            id="default-cutoff-a-year-ago",
        ),
    ],
)
def test_dormant_means_tied_before_the_cutoff_and_never_since(
    organiser, fresh_pair, evidence, cutoff, dormant
):
    tie_them(fresh_pair, evidence)
    report = get_report(organiser, "gaps", **({"cutoff": cutoff} if cutoff else {}))
    quiet = pairs(report["dormant"])
    assert (("RU-NEW", "KZ-NEW") in quiet) is dormant
    assert report["summary"]["dormant"] == len(quiet)
    # Two tied pairs among 8 × 3 organisations (the seeds' 7 × 2 and the new pair's two).
    assert report["summary"]["never"] == 8 * 3 - 2


@pytest.mark.parametrize(
    ("evidence", "era", "active_until"),
    [
        pytest.param([PUB_2019], "before_pandemic", "2019-05-01", id="2019"),
        pytest.param(
            [("session", dt.date(2020, 2, 29), None)], "before_pandemic", "2020-02-29", id="eve"
        ),
        pytest.param(
            [("session", dt.date(2020, 3, 1), None)], "pandemic", "2020-03-01", id="first-day"
        ),
        pytest.param(
            [("project", dt.date(2018, 1, 1), dt.date(2021, 6, 30))],
            "pandemic",
            "2021-06-30",
            id="project-ended-in-2021",
        ),
        pytest.param(
            [("publication", dt.date(2022, 2, 23), None)], "pandemic", "2022-02-23", id="feb-23"
        ),
        pytest.param(
            [("publication", dt.date(2022, 2, 24), None)],
            "after_february_2022",
            "2022-02-24",
            id="feb-24",
        ),
    ],
)
def test_dormant_pairs_carry_the_era_their_ties_stopped_in(
    organiser, fresh_pair, evidence, era, active_until
):
    tie_them(fresh_pair, evidence)
    report = get_report(organiser, "gaps", cutoff=(TODAY - dt.timedelta(days=365)).isoformat())
    [quiet] = [p for p in report["dormant"] if pairs([p]) == {("RU-NEW", "KZ-NEW")}]
    assert (quiet["era"], quiet["active_until"]) == (era, active_until)
    eras = [p["era"] for p in report["dormant"]]
    [told] = [n for n in report["notes"] if n.startswith("Of the dormant pairs listed")]
    assert f"{eras.count(era)} " in told


def test_pairs_are_ranked_by_strength(organiser, fresh_pair):
    """A project weighs 2, a publication 1, a shared session 0.5."""
    tie_them(
        fresh_pair,
        [
            ("project", dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
            ("publication", dt.date(2021, 1, 1), None),
            ("session", dt.date(2022, 1, 1), None),
        ],
    )
    report = get_report(organiser, "coverage")
    assert [(p["ru_centre"]["acronym"], p["strength"]) for p in report["pairs"]] == [
        ("RU-NEW", 3.5),
        ("KISI DIP", 1.0),
    ]
    strongest = report["pairs"][0]
    assert (strongest["publications"], strongest["sessions"], strongest["projects"]) == (1, 1, 1)
    assert (strongest["first"], strongest["last"]) == ("2019-01-01", "2022-01-01")


@pytest.mark.parametrize(
    ("asked", "found"),
    [
        ("energy", True),
        ("energy-gas", True),
        ("energy-nuclear", False),
        ("eurasian-integration", False),
    ],
)
def test_a_topic_takes_in_its_subtopics(organiser, fresh_pair, asked, found):
    joint_publication(
        dt.date(2021, 5, 4), fresh_pair["ru"], fresh_pair["kz"], topics=[topic("energy-gas")]
    )
    report = get_report(organiser, "coverage", topic=topic(asked).id)
    assert (("RU-NEW", "KZ-NEW") in pairs(report["pairs"])) is found


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2021-01-01", "until": "2020-12-31"}, "until"),
        ({"kind": "conference"}, "kind"),
        ({"since": "not-a-date"}, "since"),
        ({"since": "1980-01-01"}, "since"),
        ({"format": "pdf"}, "format"),
    ],
)
@pytest.mark.parametrize("name", REPORTS)
def test_bad_filters_are_422_in_the_one_error_shape(organiser, name, params, field):
    response = organiser.get(f"{URL}/{name}", query_string=params)
    assert response.status_code == 422
    body = response.get_json()
    assert body.keys() == {"code", "status", "message", "errors"}
    assert body["code"] == 422
    assert field in body["errors"]["query"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("coverage", {"limit": 0}, "limit"),
        ("coverage", {"limit": 10_001}, "limit"),
        ("gaps", {"limit": 0}, "limit"),
        ("gaps", {"cutoff": "soon"}, "cutoff"),
        ("coverage.png", {"limit": 1}, "limit"),
        ("coverage.svg", {"since": "2021-01-01", "until": "2020-01-01"}, "until"),
        ("trend.png", {"kind": "forum"}, "kind"),
    ],
)
def test_bad_limits_and_picture_filters_are_422(organiser, path, params, field):
    response = organiser.get(f"{URL}/{path}", query_string=params)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["query"]) == [field]


# -- planned and held ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "status", "answer", "tied", "planned"),
    [
        pytest.param(EARLIER, "published", "accepted", True, 0, id="held"),
        pytest.param(LATER, "published", "accepted", False, 1, id="to-come"),
        pytest.param(EARLIER, "draft", "accepted", False, 0, id="held-draft"),
        pytest.param(EARLIER, "published", "invited", False, 0, id="held-unanswered"),
        pytest.param(LATER, "draft", "accepted", False, 0, id="to-come-draft"),
    ],
)
def test_sessions_to_come_are_planned_not_tied(
    organiser, fresh_pair, day, status, answer, tied, planned
):
    shared_session(
        day, fresh_pair["ru_expert"], fresh_pair["kz_expert"], status=status, answer=answer
    )
    report = get_report(organiser, "coverage")
    assert (("RU-NEW", "KZ-NEW") in pairs(report["pairs"])) is tied
    assert report["summary"]["pairs_with_planned_ties"] == planned
    assert report["summary"]["pairs_tied"] == 1 + tied
    if tied:
        held = pair(report, "RU-NEW", "KZ-NEW")
        assert (held["publications"], held["sessions"], held["projects"]) == (0, 1, 0)
        assert held["strength"] == 0.5


@pytest.mark.parametrize(
    "params", [{"kind": "publication"}, {"topic": "security-defence"}], ids=["kind", "topic"]
)
def test_planned_ties_follow_the_kind_and_topic_filters(organiser, fresh_pair, params):
    shared_session(LATER, fresh_pair["ru_expert"], fresh_pair["kz_expert"])
    if "topic" in params:
        params = {"topic": topic(params["topic"]).id}
    assert get_report(organiser, "coverage")["summary"]["pairs_with_planned_ties"] == 1
    # A publication-only (or security-only) report has no planned session to announce.
    summary = get_report(organiser, "coverage", **params)["summary"]
    assert summary["pairs_with_planned_ties"] == 0


@pytest.mark.parametrize("path", [*REPORTS, "trend.png", "coverage.svg", "recommendations"])
def test_an_unknown_topic_is_422_not_an_empty_report(organiser, path):
    response = organiser.get(f"{URL}/{path}", query_string={"topic": 999_999})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"query": {"topic": ["No topic 999999."]}}
