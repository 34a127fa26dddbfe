"""The report's findings as data: every claim quoted verbatim, listed by the endpoint beside
what the records show, with measures that move when the records do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Finding, Forum, ForumSeries, Region
from app.reports.findings import MEASURES
from seeds.loader import read
from tests import factories as f
from tests.reports.helpers import URL, get_report, joint_publication, new_centre

REPORT = Path(__file__).resolve().parents[2] / "seeds" / "report"
REPORT_TEXT = (REPORT / "russia-kazakhstan-roadmap-2030.it.txt").read_text(encoding="utf-8")
# The claims issue 13 names, by key: each must be in the table.
REQUIRED = {
    "fingers-of-one-hand": "sulle dita di una mano",
    "output-not-public": "non pubblica o dipartimentale",
    "covid-break": "pandemia di covida",
    "break-after-2022": "crisi ucraina",
    "elite-renewal": "quasi l’80%",
    "deputy-prime-ministers-age": "43 anni",
    "senior-politicians-age": "circa 50 anni",
    "border-regions": "12 sono confinanti con 7 regioni",
}


def rows_by_key(who, **params) -> dict[str, dict]:
    return {row["key"]: row for row in get_report(who, "findings", **params)["rows"]}


@pytest.mark.parametrize("record", read("findings"), ids=lambda r: r["key"])
def test_every_quote_occurs_verbatim_in_the_report(record):
    assert record["quote_it"] in REPORT_TEXT
    assert f"\n{record['section']}\n" in REPORT_TEXT  # a real section heading


def test_every_seeded_measure_is_one_the_report_knows():
    named = {r["measure"].partition(":")[0] for r in read("findings") if r.get("measure")}
    assert named <= set(MEASURES)


def test_the_claims_the_issue_names_are_there_with_their_words():
    seeded = {r["key"]: r["quote_it"] for r in read("findings")}
    assert {key: words in seeded.get(key, "") for key, words in REQUIRED.items()} == dict.fromkeys(
        REQUIRED, True
    )


def test_the_endpoint_lists_every_claim_in_order_with_its_quote(organiser):
    answer = get_report(organiser, "findings")
    seeded = read("findings")
    assert [r["key"] for r in answer["rows"]] == [r["key"] for r in seeded]
    assert [r["quote_it"] for r in answer["rows"]] == [r["quote_it"] for r in seeded]
    assert all(r["quote_it"] in REPORT_TEXT for r in answer["rows"])
    summary = answer["summary"]
    assert summary["findings"] == len(seeded)
    assert summary["measurable"] == sum(1 for r in seeded if r.get("measure"))


def test_claims_without_a_measure_say_so(organiser):
    rows = rows_by_key(organiser)
    assert rows["elite-renewal"]["measurable"] is False
    assert rows["elite-renewal"]["data_show"] == "not measurable from the records"
    assert rows["elite-renewal"]["value"] is None and rows["elite-renewal"]["window"] is None
    measured = rows["fingers-of-one-hand"]
    assert measured["measurable"] is True and measured["window"]["until"] == str(dt.date.today())


def test_border_regions_are_counted_from_the_regions(organiser, db_session):
    before = rows_by_key(organiser)["border-regions"]["value"]
    assert before == {
        code: db_session.scalar(
            sa.select(sa.func.count()).where(
                Region.is_border.is_(True), Region.country_code == code
            )
        )
        for code in ("RU", "KZ")
    }
    db_session.add(
        Region(country_code="KZ", name_en="Test Border Region", name_ru="Тест", is_border=True)
    )
    db_session.flush()
    after = rows_by_key(organiser)["border-regions"]["value"]
    assert after == before | {"KZ": before["KZ"] + 1}


def test_ties_by_era_move_with_a_joint_publication(organiser, db_session):
    def era(name):
        return rows_by_key(organiser)["break-after-2022"]["value"][name]["ties"]

    before = {name: era(name) for name in ("before_pandemic", "pandemic", "after_february_2022")}
    ru, kz = new_centre("RU", "RU-ERA"), new_centre("KZ", "KZ-ERA")
    joint_publication(dt.date(2021, 5, 1), ru, kz)
    joint_publication(dt.date(2023, 5, 1), ru, kz)
    joint_publication(dt.date(2023, 6, 1), ru, kz)
    db_session.flush()
    after = {name: era(name) for name in before}
    assert after == {
        "before_pandemic": before["before_pandemic"],
        "pandemic": before["pandemic"] + 1,
        "after_february_2022": before["after_february_2022"] + 2,
    }


def test_ties_by_era_are_taken_as_of_until(organiser, db_session):
    ru, kz = new_centre("RU", "RU-UNTIL"), new_centre("KZ", "KZ-UNTIL")
    joint_publication(dt.date(2023, 5, 1), ru, kz)
    db_session.flush()
    now = rows_by_key(organiser)["covid-break"]
    then = rows_by_key(organiser, until="2022-12-31")["covid-break"]
    assert then["window"]["until"] == "2022-12-31"
    later = now["value"]["after_february_2022"]["ties"]
    assert then["value"]["after_february_2022"]["ties"] == later - 1


def test_eras_end_with_the_window(organiser):
    """An era is measured only as far as the window reaches, and one that begins after
    its end is left out (a yearly rate over days outside the window would mislead)."""
    value = rows_by_key(organiser, until="2021-06-30")["covid-break"]["value"]
    assert "after_february_2022" not in value
    assert value["pandemic"]["from"] == "2020-03-01" and value["pandemic"]["to"] == "2021-06-30"


def test_centres_studying_the_neighbour_count_a_new_flagged_centre(organiser, db_session):
    before = rows_by_key(organiser)["fingers-of-one-hand"]["value"]
    new_centre("RU", "RU-STUDIES", studies_neighbour=True)
    db_session.flush()
    after = rows_by_key(organiser)["fingers-of-one-hand"]["value"]
    assert after["RU"]["studying_the_neighbour"] == before["RU"]["studying_the_neighbour"] + 1
    assert after["total_studying"] == before["total_studying"] + 1


def test_a_unit_counts_with_its_parent(organiser, db_session):
    before = rows_by_key(organiser)["fingers-of-one-hand"]["value"]["RU"]
    parent = new_centre("RU", "RU-PARENT")
    new_centre("RU", "RU-UNIT", parent=parent, studies_neighbour=True)
    new_centre("RU", "RU-UNIT-2", parent=parent, studies_neighbour=True)
    db_session.flush()
    after = rows_by_key(organiser)["fingers-of-one-hand"]["value"]["RU"]
    assert after == {
        "centres": before["centres"] + 1,
        "studying_the_neighbour": before["studying_the_neighbour"] + 1,
    }


def test_average_age_reads_the_birth_years_known(organiser, db_session):
    before = rows_by_key(organiser)["senior-politicians-age"]["value"]["KZ"]
    year = dt.date.today().year
    f.ExpertFactory(country_code="KZ", birth_year=year - 40)
    f.ExpertFactory(country_code="KZ", birth_year=year - 50)
    f.ExpertFactory(country_code="KZ")
    db_session.flush()
    after = rows_by_key(organiser)["senior-politicians-age"]["value"]["KZ"]
    assert after["experts"] == before["experts"] + 3
    assert after["with_birth_year"] == before["with_birth_year"] + 2
    if before["with_birth_year"] == 0:
        assert after["average_age"] == 45.0


def test_output_visibility_moves_with_a_departmental_publication(organiser, db_session):
    def ru_publications():
        return rows_by_key(organiser)["output-not-public"]["value"]["RU"]["publications"]

    before = ru_publications()
    ru, kz = new_centre("RU", "RU-DEPT"), new_centre("KZ", "KZ-DEPT")
    joint_publication(dt.date(2023, 1, 10), ru, kz, visibility="departmental")
    db_session.flush()
    after = ru_publications()
    assert after["total"] == before["total"] + 1
    assert after["departmental"] == before["departmental"] + 1


def test_forum_editions_show_the_postponed_2020_edition(organiser, db_session):
    value = rows_by_key(organiser)["interregional-forum"]["value"]
    assert 2020 in value["postponed"] and 2020 not in value["held"]
    series = db_session.scalars(
        sa.select(ForumSeries).where(ForumSeries.slug == "interregional-cooperation-forum")
    ).one()
    db_session.add(
        Forum(
            series=series,
            title="XX",
            edition=20,
            year=2024,
            host_country="RU",
            city="Omsk",
            start_date=dt.date(2024, 11, 5),
            end_date=dt.date(2024, 11, 6),
            timezone="Asia/Omsk",
        )
    )
    db_session.flush()
    assert rows_by_key(organiser)["interregional-forum"]["value"]["held"] == value["held"] + [2024]


def test_a_finding_with_an_unknown_measure_is_not_measurable(organiser, db_session):
    db.session.add(
        Finding(
            key="test-unknown",
            position=999,
            kind="assessment",
            section="x",
            quote_it="x",
            text_en="x",
            measure="no_such_measure",
        )
    )
    db_session.flush()
    row = rows_by_key(organiser)["test-unknown"]
    assert row["measurable"] is False and row["data_show"] == "not measurable from the records"


def test_findings_take_the_provenance_filter_on_the_measures_built_on_ties(organiser, db_session):
    # Note 3's centre tie rests on editorial centres: under report the pair is gone, while
    # its experts' tie (report) keeps the 2018 source among the ties by era.
    everything = get_report(organiser, "findings")
    reported = get_report(organiser, "findings", provenance="report")
    assert (everything["provenance"]["filter"], reported["provenance"]["filter"]) == (
        "all",
        "report",
    )
    assert reported["window"]["provenance"] == "report"
    by_key = {r["key"]: r for r in everything["rows"]}
    by_key_report = {r["key"]: r for r in reported["rows"]}
    assert by_key["joint-work-between-centres"]["value"]["pairs_tied"] == 1
    assert by_key_report["joint-work-between-centres"]["value"]["pairs_tied"] == 0
    assert by_key_report["covid-break"]["value"] == by_key["covid-break"]["value"]
    # A tie entered by a user counts under all, not under report.
    joint_publication(dt.date(2023, 5, 1), new_centre("RU", "RU-PROV"), new_centre("KZ", "KZ-PROV"))
    db_session.flush()

    def after_2022(**params):
        return rows_by_key(organiser, **params)["covid-break"]["value"]["after_february_2022"]

    assert after_2022()["ties"] == after_2022(provenance="report")["ties"] + 1


def test_experts_with_a_centre_are_those_the_reports_place_on_the_day(organiser, db_session):
    # The seeded affiliations are undated and not assumed: nobody is at a centre on a day.
    value = rows_by_key(organiser)["few-experts"]["value"]
    assert all(v["with_a_centre"] == 0 for v in value.values())
    person = f.ExpertFactory(country_code="KZ")
    centre = new_centre("KZ", "KZ-ASSUMED")
    f.AffiliationFactory(expert=person, centre=centre, start_date=None, assumed=False)
    db_session.flush()
    assert rows_by_key(organiser)["few-experts"]["value"]["KZ"]["with_a_centre"] == 0
    person.affiliations[0].assumed = True
    db_session.flush()
    assert rows_by_key(organiser)["few-experts"]["value"]["KZ"]["with_a_centre"] == 1


def test_only_organisers_and_admins_read_the_findings(caller, make_user):
    assert caller(make_user("expert")).get(f"{URL}/findings").status_code == 403
