"""Files in the shapes other tools write (issue #14): declared charsets and byte order
marks, biblatex dates, BibTeX macros, concatenation, crossrefs and repeated keys, RIS as
rispy reads it, CSL-JSON names and dates, organisations, types and languages, and records
that cannot be stored skipped with a warning rather than refusing the file."""

from __future__ import annotations

import codecs
import datetime as dt
import json

import pytest
import sqlalchemy as sa

from app.models import Publication
from app.publications import parsers
from tests.core.test_errors import assert_error

URL = "/api/v1/publications/import"


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


def post(caller_, fmt: str, body: bytes, content_type: str = "text/plain", **params):
    return caller_.post(
        URL, query_string={"format": fmt, **params}, data=body, content_type=content_type
    )


def count(db_session) -> int:
    return db_session.scalar(sa.select(sa.func.count(Publication.id)))


def imported(db_session, response) -> list[Publication]:
    assert response.status_code == 201, response.get_json()
    ids = response.get_json()["publication_ids"]
    return [db_session.get(Publication, i) for i in ids]


def names(publication: Publication) -> list[str]:
    return [a.raw_name or a.expert.full_name for a in publication.authorships]


# -- 1. charsets ----------------------------------------------------------------------

# As a Russian reference manager of the 2000s saves it: windows-1251, no BOM.
CP1251_BIBTEX = """@article{kuznetsov2019,
  author  = {Кузнецов, Дмитрий and Ёлкина, Анна},
  title   = {Евразийская интеграция: итоги пятилетки},
  journal = {Вестник МГИМО},
  year    = {2019},
  doi     = {10.5555/cp1251.2019}
}
"""
GBK_CSL = json.dumps(
    [
        {
            "type": "article-journal",
            "title": "中亚区域合作的新阶段",
            "author": [{"family": "王", "given": "小明"}],
            "issued": {"date-parts": [[2020]]},
            "DOI": "10.5555/gbk.2020",
        }
    ],
    ensure_ascii=False,
)


@pytest.mark.parametrize(
    ("fmt", "text", "charset", "how", "title", "first_author"),
    [
        (
            "bibtex",
            CP1251_BIBTEX,
            "windows-1251",
            "header",
            "Евразийская интеграция: итоги пятилетки",
            "Дмитрий Кузнецов",
        ),
        ("csl-json", GBK_CSL, "gbk", "parameter", "中亚区域合作的新阶段", "小明 王"),
        ("csl-json", GBK_CSL, "GB18030", "header", "中亚区域合作的新阶段", "小明 王"),
    ],
)
def test_a_declared_charset_decodes_the_file(
    organiser, db_session, fmt, text, charset, how, title, first_author
):
    body = text.encode(charset)
    if how == "header":
        response = post(organiser, fmt, body, f"text/plain; charset={charset}")
    else:
        response = post(organiser, fmt, body, charset=charset)
    (publication,) = imported(db_session, response)
    assert publication.title == title
    assert names(publication)[0] == first_author
    assert "\ufffd" not in publication.title + "".join(names(publication))


def test_the_charset_parameter_wins_over_the_header(organiser, db_session):
    body = CP1251_BIBTEX.encode("cp1251")
    response = post(organiser, "bibtex", body, "text/plain; charset=utf-8", charset="cp1251")
    (publication,) = imported(db_session, response)
    assert publication.venue == "Вестник МГИМО"


@pytest.mark.parametrize(
    ("bom", "encoding", "declared"),
    [
        (codecs.BOM_UTF8, "utf-8", None),
        (codecs.BOM_UTF16_LE, "utf-16-le", None),
        (codecs.BOM_UTF16_BE, "utf-16-be", None),
        (codecs.BOM_UTF8, "utf-8", "windows-1251"),  # the mark wins over the label
    ],
)
def test_a_byte_order_mark_says_the_encoding(organiser, db_session, bom, encoding, declared):
    body = bom + CP1251_BIBTEX.encode(encoding)
    params = {"charset": declared} if declared else {}
    (publication,) = imported(db_session, post(organiser, "bibtex", body, **params))
    assert publication.title == "Евразийская интеграция: итоги пятилетки"


@pytest.mark.parametrize(
    ("body", "params", "content_type", "says"),
    [
        # Undeclared windows-1251 is not UTF-8: refused, with how to declare it.
        (CP1251_BIBTEX.encode("cp1251"), {}, "text/plain", "charset=windows-1251"),
        # Declared GBK, but a lead byte with no second one.
        (GBK_CSL.encode("gbk")[:-10] + b"\x81\x20" + b"]", {"charset": "gbk"}, "text/plain", "gbk"),
        (b"x", {}, "text/plain; charset=klingon", "klingon"),
        (b"x", {}, "text/plain; charset=base64", "base64"),
    ],
)
def test_undecodable_input_is_422_and_writes_nothing(
    organiser, db_session, body, params, content_type, says
):
    before = count(db_session)
    fmt = "csl-json" if params else "bibtex"
    error = assert_error(post(organiser, fmt, body, content_type, **params), 422)
    assert says in error["message"]
    assert count(db_session) == before


def test_an_unknown_charset_parameter_is_422(organiser):
    error = assert_error(post(organiser, "bibtex", b"x", charset="klingon"), 422)
    assert "charset" in json.dumps(error["errors"])


# -- 2. biblatex dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "year", "day"),
    [
        ("2004", 2004, None),
        ("2004-10", 2004, None),
        ("2004-10-27", 2004, dt.date(2004, 10, 27)),
        ("1984/1986", 1984, None),  # a range: its start
        ("2004-10-27/2004-10-29", 2004, None),
        ("/1986", 1986, None),  # open at the start
    ],
)
def test_a_biblatex_date_gives_the_year(organiser, db_session, date, year, day):
    # As Better BibTeX and JabRef write biblatex: date, no year; journaltitle, not journal.
    text = (
        "@article{entry,\n  title = {Dated work},\n  author = {Nursha, Askar},\n"
        f"  date = {{{date}}},\n  journaltitle = {{Central Asian Survey}},\n}}\n"
    )
    (publication,) = imported(db_session, post(organiser, "bibtex", text.encode()))
    assert (publication.year, publication.published_on) == (year, day)
    assert publication.venue == "Central Asian Survey"


# -- 3. BibTeX as BibTeX reads it ------------------------------------------------------

# In the shape of BibTeX's xampl.bib and biber's examples.
XAMPL = r"""@preamble{ "\newcommand{\noopsort}[1]{} "
  # "\newcommand{\switchargs}[2]{#2#1}" }
@string{jean = "Jean"}
@string{cesar = "C{\'e}sar"}
@string{steppe = "Steppe"}

@proceedings{conf2004,
  title     = steppe # { Conference on Eurasia},
  editor    = {Doe, Jane and Smith, John},
  year      = 2004,
  month     = oct,
  publisher = {KazISS},
  doi       = {10.5555/conf.2004},
}

@inproceedings{paper,
  author   = jean # " " # cesar,
  title    = {Corridors and ports},
  crossref = {conf2004},
  language = {russian},
}

@book{whole,
  author = {Knuth, Donald},
  title  = {Sorting {\switchargs{2}{1}}},
  year   = "{\noopsort{1973c}}1981",
}

@article{twice, title = {The first of two}, year = 2010}
@article{twice, title = {The second of two}, year = 2011}
@article{plain, title = {Unknown macro}, year = 2012, author = nobody}
"""


def test_bibtex_macros_concatenation_crossrefs_and_repeated_keys(organiser, db_session):
    response = post(organiser, "bibtex", XAMPL.encode())
    by_title = {p.title: p for p in imported(db_session, response)}
    assert sorted(by_title) == [
        "Corridors and ports",
        "Sorting 12",
        "Steppe Conference on Eurasia",
        "The first of two",
        "Unknown macro",
    ]
    paper = by_title["Corridors and ports"]
    assert names(paper) == ["Jean César"]  # not 'jean # " " # cesar'
    assert paper.year == 2004 and paper.venue == "Steppe Conference on Eurasia"
    assert paper.doi is None  # the parent's DOI is the parent's own
    assert paper.language == "ru"
    assert by_title["Sorting 12"].year == 1981  # not 1973, the sort key
    warnings = response.get_json()["warnings"]
    repeated = [w for w in warnings if "twice" in w["message"]]
    assert repeated == [
        {
            "record": None,
            "line": 30,
            "message": "The key 'twice' is used again here: the first entry with it was kept "
            "and this one ignored.",
        }
    ]
    assert any("nobody" in w["message"] and w["record"] == 4 for w in warnings)
    assert response.get_json()["skipped"] == []


def test_a_crossref_child_inherits_year_booktitle_and_editors():
    parent, child, *_ = parsers.parse_bibtex(XAMPL).records
    assert [e.name for e in child.editors] == ["Jane Doe", "John Smith"]
    assert [e.name for e in parent.editors] == ["Jane Doe", "John Smith"]
    assert (child.year, child.venue, child.csl_type) == (2004, parent.title, "paper-conference")


def test_a_crossref_to_no_entry_is_a_warning():
    (record,) = parsers.parse_bibtex("@inbook{a, title={T}, year=2001, crossref={gone}}").records
    assert record.warnings == ["Crossref to an unknown entry 'gone'."]


# -- 4. RIS as rispy reads it ------------------------------------------------------------

# EndNote numbers its records; Zotero and others wrap long values; many write a BOM.
RIS = (
    "\ufeff1.\r\n"
    "TY  - JOUR\r\n"
    "AU  - Ileuova, Gulmira\r\n"
    "TI  - Border regions of the Eurasian\r\n"
    "      Economic Union\r\n"
    "JF  - Central Asian Survey\r\n"
    "JA  - Cent. Asian Surv.\r\n"
    "N2  - The abstract runs on\r\n"
    "  over two lines.\r\n"
    "PY  - 2021///\r\n"
    "LA  - Russian\r\n"
    "DO  - 10.5555/ris.wrapped\r\n"
    "ER  - \r\n"
    "\r\n"
    "2.\r\n"
    "TY  - RPRT\r\n"
    "AU  - Nursha, Askar\r\n"
    "T1  - Second numbered record\r\n"
    "DA  - 2022///\r\n"
    "Y1  - 2022/03/14/\r\n"
    "ER  - \r\n"
)


def test_ris_with_a_bom_numbers_and_wrapped_lines(organiser, db_session):
    response = post(organiser, "ris", RIS.encode("utf-8"))
    first, second = imported(db_session, response)
    assert first.title == "Border regions of the Eurasian Economic Union"
    assert first.venue == "Central Asian Survey"  # JF, the journal's full name
    assert first.abstract == "The abstract runs on over two lines."  # N2
    assert (first.year, first.language) == (2021, "ru")
    assert (second.title, second.kind.value, second.published_on) == (
        "Second numbered record",
        "report",
        dt.date(2022, 3, 14),
    )
    assert response.get_json()["warnings"] == []


def test_ris_text_between_records_is_skipped_and_a_stray_tag_is_a_warning(organiser, db_session):
    text = "TY  - JOUR\nTI  - One\nPY  - 2020\nER  -\nthis is not RIS\nTI  - Orphan\n"
    response = post(organiser, "ris", text.encode())
    (publication,) = imported(db_session, response)
    assert publication.title == "One"
    assert response.get_json()["warnings"] == [
        {
            "record": None,
            "line": 6,
            "message": "A RIS tag outside a record (no TY before it): ignored.",
        }
    ]


# -- 5. CSL-JSON names and dates ---------------------------------------------------------


def test_csl_json_bom_particles_and_dates(organiser, db_session):
    items = [
        {
            "type": "article-journal",
            "title": "Particles kept",
            "author": [
                {"family": "Santos", "given": "Maria", "non-dropping-particle": "dos"},
                {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
                {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            ],
            "issued": {"date-parts": [["2004", "10", "27"]]},
        },
        {"type": "book", "title": "Raw date", "issued": {"raw": "2005-03-01"}},
        {"type": "webpage", "title": "Literal date", "issued": {"literal": "Spring 2006"}},
        {
            "type": "interview",
            "title": "Organisation author",
            "author": [{"literal": "Africa News"}],
            "issued": {"date-parts": [[2007]]},
        },
    ]
    body = codecs.BOM_UTF8 + json.dumps(items, ensure_ascii=False).encode()
    works = imported(db_session, post(organiser, "csl-json", body, "application/json"))
    assert names(works[0]) == ["Maria dos Santos", "Ludwig van Beethoven", "Martin Luther King Jr."]
    assert works[0].published_on == dt.date(2004, 10, 27)
    assert (works[1].year, works[1].published_on) == (2005, dt.date(2005, 3, 1))
    assert (works[2].year, works[2].published_on) == (2006, None)
    assert names(works[3]) == ["Africa News"]
    kinds = [w.kind.value for w in works]
    assert kinds == ["article", "monograph", "analysis", "interview"]


# -- 6. organisations, types, languages -----------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        (
            "bibtex",
            r"@misc{a, title={T}, year=2020, author={{Africa News} and dos Santos, Maria"
            r" and {\"U}nal, Ali and {Smith and Sons}}}",
            [
                ("Africa News", True),
                ("Maria dos Santos", False),
                ("Ali Ünal", False),  # braced at the start only: a person
                ("Smith and Sons", True),
            ],
        ),
        (
            "csl-json",
            json.dumps(
                [
                    {
                        "title": "T",
                        "issued": {"date-parts": [[2020]]},
                        "author": [{"literal": "Africa News"}, {"family": "Doe", "given": "J."}],
                    }
                ]
            ),
            [("Africa News", True), ("J. Doe", False)],
        ),
    ],
)
def test_organisations_are_told_from_people(fmt, text, expected):
    (record,) = parsers.PARSERS[fmt](text).records
    assert [(a.name, a.organisation) for a in record.authors] == expected


TYPES = [
    # format, the source's type, its CSL type, our kind
    ("bibtex", "article", "article-journal", "article"),
    ("bibtex", "book", "book", "monograph"),
    ("bibtex", "incollection", "chapter", "article"),
    ("bibtex", "inproceedings", "paper-conference", "article"),
    ("bibtex", "techreport", "report", "report"),
    ("bibtex", "phdthesis", "thesis", "monograph"),
    ("bibtex", "online", "webpage", "analysis"),
    ("bibtex", "misc", "document", "analysis"),
    # biblatex's entrysubtype refines the type (as pandoc reads it, and as we export it).
    ("bibtex", "article/magazine", "article-magazine", "article"),
    ("bibtex", "article/newspaper", "article-newspaper", "news"),
    ("bibtex", "misc/interview", "interview", "interview"),
    ("bibtex", "misc/whatever", "document", "analysis"),
    ("ris", "JOUR", "article-journal", "article"),
    ("ris", "CHAP", "chapter", "article"),
    ("ris", "THES", "thesis", "monograph"),
    ("ris", "NEWS", "article-newspaper", "news"),
    ("ris", "ELEC", "webpage", "analysis"),
    ("csl-json", "article-journal", "article-journal", "article"),
    ("csl-json", "chapter", "chapter", "article"),
    ("csl-json", "report", "report", "report"),
    ("csl-json", "thesis", "thesis", "monograph"),
    ("csl-json", "interview", "interview", "interview"),
    ("csl-json", "article-newspaper", "article-newspaper", "news"),
    ("csl-json", "no-such-type", "document", "analysis"),
    ("csl-json", "", "article", "article"),  # no type: an article, as before
    ("openalex", "article", "article-journal", "article"),
    ("openalex", "book-chapter", "chapter", "article"),
    ("openalex", "dissertation", "thesis", "monograph"),
    ("openalex", "report", "report", "report"),
]


def _one_record_of_type(fmt: str, source_type: str) -> str:
    if fmt == "bibtex":
        entry_type, _, subtype = source_type.partition("/")
        return f"@{entry_type}{{k, title={{T}}, year=2020, entrysubtype={{{subtype}}}}}"
    if fmt == "ris":
        return f"TY  - {source_type}\nTI  - T\nPY  - 2020\nER  - \n"
    if fmt == "csl-json":
        return json.dumps([{"type": source_type, "title": "T", "issued": {"date-parts": [[2020]]}}])
    return json.dumps({"type": source_type, "title": "T", "publication_year": 2020})


@pytest.mark.parametrize(("fmt", "source_type", "csl_type", "kind"), TYPES)
def test_types_map_faithfully(fmt, source_type, csl_type, kind):
    (record,) = parsers.PARSERS[fmt](_one_record_of_type(fmt, source_type)).records
    assert (record.csl_type, record.kind) == (csl_type, kind)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("russian", "ru"),
        ("Russian", "ru"),
        ("ru-RU", "ru"),
        ("en_US", "en"),
        ("ngerman", "de"),
        ("american", "en"),
        ("Kazakh", "kk"),
        ("русский", "ru"),
        ("kaz", "kaz"),
        ("Klingonish", None),
    ],
)
def test_languages_are_read_as_iso_codes(written, code):
    text = f"@article{{k, title={{T}}, year=2020, language={{{written}}}}}"
    (record,) = parsers.parse_bibtex(text).records
    assert record.language == code


# -- 7. records that cannot be stored ---------------------------------------------------------

MIXED = """@article{good, title = {A good record}, year = {2020}}
@article{untitled, year = {2020}}
@article{ancient, title = {Too old}, year = {1850}}
@article{also_good, title = {Another good record}, date = {2021-02-03}}
"""


def test_a_record_that_cannot_be_stored_is_skipped_with_a_warning(organiser, db_session):
    response = post(organiser, "bibtex", MIXED.encode())
    assert [p.title for p in imported(db_session, response)] == [
        "A good record",
        "Another good record",
    ]
    report = response.get_json()
    assert [(s["record"], s["line"], s["reason"], s["problems"]) for s in report["skipped"]] == [
        (1, 2, "cannot be imported", ["No title."]),
        (2, 3, "cannot be imported", ["No plausible year (1900-2100)."]),
    ]
    assert [(w["record"], w["line"], w["message"]) for w in report["warnings"]] == [
        (1, 2, "Not imported: No title."),
        (2, 3, "Not imported: No plausible year (1900-2100)."),
    ]


def test_a_record_the_reader_cannot_make_out_is_skipped_too(organiser, db_session):
    text = MIXED + "@article{commas, title = {T}, year = 2020, author = {Doe, J, Jr, more}}\n"
    response = post(organiser, "bibtex", text.encode())
    assert len(imported(db_session, response)) == 2
    (last,) = [s for s in response.get_json()["skipped"] if s["record"] == 4]
    assert last["line"] == 5
    assert last["problems"][0].startswith("Unreadable name: ")


def test_strict_mode_refuses_the_file(organiser, db_session):
    before = count(db_session)
    error = assert_error(post(organiser, "bibtex", MIXED.encode(), strict="true"), 422)
    assert error["message"] == "Some records cannot be imported; nothing was."
    assert error["errors"]["records"] == {
        "1": {"line": 2, "message": "No title."},
        "2": {"line": 3, "message": "No plausible year (1900-2100)."},
    }
    assert count(db_session) == before


def test_a_file_of_no_record_is_422(organiser):
    error = assert_error(post(organiser, "ris", b"1.\nnothing here\n"), 422)
    assert error["message"] == "The file holds no ris record; nothing was imported."


def test_the_openapi_document_describes_charset_strict_and_the_bounds(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/publications/import"]["post"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert "windows-1251" in parameters["charset"]["description"]
    assert "422" in parameters["strict"]["description"]
    assert "1900" in operation["description"] and "2100" in operation["description"]
    assert "422" in operation["responses"]


def test_a_macro_that_calls_itself_is_expanded_a_bounded_number_of_times():
    text = r"""@preamble{"\newcommand{\twice}{\twice\twice}"}
@article{a, title = {A \twice{} b}, year = 2020}"""
    (record,) = parsers.parse_bibtex(text).records
    assert record.title == "A b"  # what is left over is no macro LaTeX knows: dropped
