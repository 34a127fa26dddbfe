"""How the reports are delivered: exports, caching, a bounded number of statements,
pictures, and who may see them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from app.models import Centre, Expert
from app.reports import answers, cache, exports
from tests import factories as f
from tests.reports.helpers import (
    PICTURES,
    PNG_SIGNATURE,
    REPORTS,
    SEEDED_PAIR,
    URL,
    centre,
    co_written,
    expert,
    get_report,
    joint_project,
    joint_publication,
    member,
    new_centre,
    pairs,
    region,
    shared_session,
    topic,
)

# -- exports ------------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_coverage_csv_lists_every_pair_flat(organiser, fresh_pair):
    joint_publication(dt.date(2021, 3, 1), fresh_pair["ru"], fresh_pair["kz"])
    response = organiser.get(f"{URL}/coverage", query_string={"format": "csv", "limit": 1})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="coverage.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert {"ru_centre.acronym", "kz_centre.acronym", "publications", "strength"} <= rows[0].keys()
    assert {(r["ru_centre.acronym"], r["kz_centre.acronym"]) for r in rows} == {
        SEEDED_PAIR,
        ("RU-NEW", "KZ-NEW"),
    }
    # JSON honours the limit and says it cut the list short.
    report = get_report(organiser, "coverage", limit=1)
    assert (len(report["pairs"]), report["truncated"]) == (1, True)


def test_coverage_xlsx_has_the_table_and_a_summary(organiser):
    response = organiser.get(f"{URL}/coverage", query_string={"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["coverage", "summary"]
    header, *lines = list(book["coverage"].values)
    assert len(lines) == 1
    line = dict(zip(header, lines[0], strict=True))
    assert (line["ru_centre.acronym"], line["kz_centre.acronym"]) == SEEDED_PAIR
    about = {(section, key): value for section, key, value in book["summary"].values}
    assert about["summary", "pairs_tied"] == 1
    assert about["summary", "pairs_total"] == 14  # 7 Russian organisations × 2 Kazakh


def test_xlsx_keeps_typed_names_as_text(organiser, fresh_pair):
    # A name cannot become a live formula, and control characters XLSX cannot hold were a 500.
    fresh_pair["ru"].name_en = '=HYPERLINK("http://evil.example","open")'
    fresh_pair["kz"].name_ru = "Bell\x07 and tab\t centre"
    joint_publication(dt.date(2021, 3, 1), fresh_pair["ru"], fresh_pair["kz"])
    response = organiser.get(f"{URL}/coverage", query_string={"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["coverage"]
    header = [cell.value for cell in sheet[1]]
    row = next(
        r
        for r in sheet.iter_rows(min_row=2)
        if r[header.index("ru_centre.acronym")].value == "RU-NEW"
    )
    ru, kz = row[header.index("ru_centre.name_en")], row[header.index("kz_centre.name_ru")]
    assert (ru.value, ru.data_type) == ('=HYPERLINK("http://evil.example","open")', "s")
    assert kz.value == "Bell\ufffd and tab\t centre"


def test_gaps_csv_marks_each_line_with_its_gap(organiser):
    rows = read_csv(organiser.get(f"{URL}/gaps", query_string={"format": "csv"}))
    kinds = [r["gap"] for r in rows]
    assert {g: kinds.count(g) for g in set(kinds)} == {"never": 15, "dormant": 1, "isolated": 7}
    (dormant,) = [r for r in rows if r["gap"] == "dormant"]
    assert (dormant["ru_centre.acronym"], dormant["kz_centre.acronym"]) == SEEDED_PAIR


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
@pytest.mark.parametrize("name", REPORTS)
def test_every_report_exports(organiser, name, fmt, mimetype):
    response = organiser.get(f"{URL}/{name}", query_string={"format": fmt})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert f'filename="{name}.{fmt}"' in response.headers["Content-Disposition"]
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(response.data)).sheetnames == [name, "summary"]


# -- caching ------------------------------------------------------------------------------


# The tables the reports read; an answer from the cache reads none of them.
REPORT_TABLES = re.compile(
    r"\b(centre_ties|expert_ties|centres|affiliations|publications|authorships|sessions"
    r"|participations|projects|topics|regions)\b"
)


def cold_and_warm(who, count_queries, name: str, **params):
    """The statements of a report's first request and of the same request again."""
    with count_queries() as cold:
        answer = get_report(who, name, **params)
    with count_queries() as warm:
        assert get_report(who, name, **params) == answer
    return cold.statements, warm.statements


@pytest.mark.parametrize("name", REPORTS)
def test_a_repeated_report_runs_no_report_sql(organiser, count_queries, name):
    with count_queries() as trivial:
        assert organiser.get("/api/v1/auth/me").status_code == 200
    cold, warm = cold_and_warm(organiser, count_queries, name)
    assert [s for s in cold if REPORT_TABLES.search(s)]
    assert [s for s in warm if REPORT_TABLES.search(s)] == []
    assert len(warm) <= trivial.count
    assert len(warm) < len(cold)


def post_publication(who, *authors: tuple[Expert, Centre]) -> None:
    body = {
        "title": "Россия и Казахстан: общие задачи",
        "kind": "article",
        "year": 2024,
        "published_on": "2024-05-14",
        "authors": [{"expert_id": e.id, "centre_id": c.id} for e, c in authors],
    }
    response = who.post("/api/v1/publications", json=body)
    assert response.status_code == 201, response.get_json()


def write_through_the_api(who):
    post_publication(
        who,
        (expert("Yuri Solozobov"), centre("IMEMO")),
        (expert("Askar Nursha"), centre("KazISS")),
    )
    return ("IMEMO", "KazISS")


def affiliate_malyarchuk(_who):
    # Malyarchuk wrote the 2018 series without a centre; an affiliation gives it one.
    f.AffiliationFactory(expert=expert("N. Malyarchuk"), centre=centre("RISI"), start_date=None)
    return ("RISI", "IISPS")


def hold_a_session(_who):
    # New members, dated in post: the seeded experts' affiliations are undated, unassumed.
    shared_session(dt.date(2023, 11, 9), member(centre("KISI DIP")), member(centre("KazISS")))
    return ("KISI DIP", "KazISS")


@pytest.mark.parametrize("write", [write_through_the_api, affiliate_malyarchuk, hold_a_session])
def test_a_write_retires_the_cached_report(organiser, write):
    before = get_report(organiser, "coverage")
    assert get_report(organiser, "coverage") == before  # now cached
    new_pair = write(organiser)
    after = get_report(organiser, "coverage")
    assert pairs(after["pairs"]) == {SEEDED_PAIR, new_pair}
    assert after["summary"]["pairs_tied"] == 2


# -- a bounded number of statements -------------------------------------------------------

# The statements each report runs besides authentication: a constant, whatever the data;
# each counts one for its provenance counts (``services.with_provenance``).
MOST_STATEMENTS = {
    # three, the experts affiliated a side, the tied pairs counted by organisation (find),
    # and the provenance counts (prov)
    "coverage": 6,
    "gaps": 7,  # five, one to fill a short list of never-tied pairs (as here), provenance
    "topics": 3,
    "regions": 4,  # two, the centres sitting in border regions, and the provenance counts
    "trend": 2,
    "visibility": 3,
    "generations": 2,
    "systematic": 4,
}


def grow_the_network() -> None:
    """20 more centres, 40 experts, 60 joint publications, 10 sessions and 10 projects."""
    ru = [new_centre("RU", f"GROW-RU-{n}", region=region("RU-ORE")) for n in range(10)]
    kz = [new_centre("KZ", f"GROW-KZ-{n}", region=region("KZ-AKT")) for n in range(10)]
    ru_people = [member(ru[n % 10], birth_year=1960 + n) for n in range(20)]
    kz_people = [member(kz[n % 10], birth_year=1960 + n) for n in range(20)]
    gas = topic("energy-gas")
    for n in range(60):
        day = dt.date(2015 + n % 10, 1 + n % 12, 1)
        co_written(day, ru_people[n % 20], kz_people[n * 7 % 20], topics=[gas])
    for n in range(10):
        shared_session(dt.date(2016 + n, 6, 1), ru_people[n], kz_people[n], kz_people[n + 10])
        joint_project(dt.date(2016 + n, 1, 1), None, ru[n], kz[9 - n])


def report_statements(who, count_queries, name: str) -> int:
    """What one report costs in SQL with a cold cache: what a cached answer does not run."""
    cache.invalidate()
    cold, warm = cold_and_warm(who, count_queries, name)
    return len(cold) - len(warm)


def test_reports_run_the_same_few_statements_however_large_the_network(
    organiser, count_queries, db_session
):
    seeded = {name: report_statements(organiser, count_queries, name) for name in REPORTS}
    assert {name: n for name, n in seeded.items() if n > MOST_STATEMENTS[name]} == {}
    grow_the_network()
    db_session.commit()
    grown = {name: report_statements(organiser, count_queries, name) for name in REPORTS}
    assert grown == seeded
    assert get_report(organiser, "coverage")["summary"]["pairs_tied"] > 10  # the growth counted


def test_recommendations_run_the_same_statements_with_more_experts_without_a_centre(
    organiser, count_queries, db_session
):
    seeded = report_statements(organiser, count_queries, "recommendations")
    grow_the_network()
    gas = topic("energy-gas")
    for n in range(30):  # without a centre, on the growth's topic, some of them co-authors
        person = f.ExpertFactory(country_code=("RU", "KZ")[n % 2], topics=[gas])
        if n % 3 == 0:
            co_written(dt.date(2019, 1 + n % 12, 1), person, expert("Marat Shibutov"))
    db_session.commit()
    assert report_statements(organiser, count_queries, "recommendations") == seeded
    rows = get_report(organiser, "recommendations", gaps=200)["rows"]
    assert sum(r["gap"] == "without_centre" for r in rows) >= 30


# -- pictures and who may see the reports -------------------------------------------------


def test_coverage_heatmap_as_png_and_svg(organiser):
    png = organiser.get(f"{URL}/coverage.png", query_string={"limit": 20})
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(PNG_SIGNATURE)
    svg = organiser.get(f"{URL}/coverage.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    texts = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"KazISS", "RISI"} <= texts
    assert not {"KISI DIP", "IISPS"} & texts  # coined acronyms: the names instead
    assert any(t.startswith("Международный институт") for t in texts)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_the_heatmap_draws_whatever_names_people_type(organiser, fresh_pair, fmt):
    # Each was a 500 once: mathtext, a glyph DejaVu Sans lacks, a control character.
    fresh_pair["ru"].acronym = "$x^$ 😀\x1b"
    fresh_pair["kz"].acronym = "漢字\tKZ"
    joint_publication(dt.date(2021, 3, 1), fresh_pair["ru"], fresh_pair["kz"])
    response = organiser.get(f"{URL}/coverage.{fmt}")
    assert response.status_code == 200
    if fmt == "svg":
        root = ET.fromstring(response.data)
        texts = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
        assert {"$x^$ 😀", "漢字 KZ"} <= texts


def test_the_pictures_document_the_types_they_return(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    coverage = paths["/api/v1/reports/coverage.{fmt}"]["get"]["responses"]["200"]["content"]
    trend = paths["/api/v1/reports/trend.png"]["get"]["responses"]["200"]["content"]
    assert set(coverage) == {"image/png", "image/svg+xml"}
    assert set(trend) == {"image/png"}


def test_trend_picture_is_a_png(organiser, years_of_ties):
    response = organiser.get(f"{URL}/trend.png", query_string={"since": "2019-01-01"})
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("role", "status"), [(None, 401), ("expert", 403), ("organiser", 200), ("admin", 200)]
)
@pytest.mark.parametrize("path", REPORTS + PICTURES)
def test_only_organisers_and_admins_see_reports(caller, make_user, role, status, path):
    who = caller(make_user(role)) if role else caller()
    response = who.get(f"{URL}/{path}")
    assert response.status_code == status
    if status != 200:
        assert response.get_json()["code"] == status


def test_the_heatmap_reads_the_full_export_s_cached_report(organiser, count_queries):
    """Both draw every pair of the same coverage report: computed once for the two."""
    assert organiser.get("/api/v1/reports/coverage?format=csv").status_code == 200
    with count_queries() as heatmap:
        assert organiser.get("/api/v1/reports/coverage.svg").status_code == 200
    assert not [s for s in heatmap.statements if re.search(r"\bcentre_ties\b", s)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_findings_export_like_every_report(organiser, fmt):
    # format=csv once answered the JSON, unasked: the findings took no format at all.
    answer = organiser.get(f"{URL}/findings").get_json()
    response = organiser.get(f"{URL}/findings", query_string={"format": fmt})
    assert response.status_code == 200
    assert 'filename="findings.' in response.headers["Content-Disposition"]
    if fmt == "csv":
        rows = read_csv(response)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data))["findings"]
        header, *lines = ([c.value for c in r] for r in sheet.iter_rows())
        rows = [dict(zip(header, line, strict=True)) for line in lines]
    assert [r["key"] for r in rows] == [r["key"] for r in answer["rows"]]
    assert rows[0]["quote_it"] == answer["rows"][0]["quote_it"]
    assert organiser.get(f"{URL}/findings", query_string={"format": "pdf"}).status_code == 422


@pytest.mark.parametrize("name", [*REPORTS, "findings"])
def test_a_file_names_the_same_columns_with_rows_or_without(organiser, name):
    # An empty table was a file of a byte-order mark and a line break; its columns now
    # come from the report's shape, the same, in the same order, as a full file's.
    def header(**params) -> str:
        response = organiser.get(f"{URL}/{name}", query_string={"format": "csv", **params})
        return response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]

    empty_window = {"since": "1991-01-01", "until": "1991-12-31"}
    if name == "findings":
        empty_window = {"until": "1991-12-31"}
    assert header() == header(**empty_window) != ""


def test_a_report_with_no_rows_still_names_its_columns(organiser):
    window = {"since": "1991-01-01", "until": "1991-12-31"}
    csv_file = organiser.get(f"{URL}/regions", query_string={"format": "csv", **window})
    assert csv_file.get_data(as_text=True).startswith("\ufeffru_region.id,ru_region.code,")
    book = organiser.get(f"{URL}/regions", query_string={"format": "xlsx", **window})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(book.data))["regions"].iter_rows(values_only=True)
    )
    assert rows == [tuple(exports.header_of(answers.RegionsAnswer))]


def test_a_findings_value_is_one_cell(organiser):
    rows = read_csv(organiser.get(f"{URL}/findings", query_string={"format": "csv"}))
    assert not [column for column in rows[0] if column.startswith("value.")]
    assert any(row["value"].startswith("{") for row in rows)  # a record, as JSON
