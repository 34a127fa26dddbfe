"""The public pages: home in three languages, the language switcher, search."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tests.conftest import CSRF

H1 = {
    "en": "An expert network for Russia and Kazakhstan",
    "ru": "Экспертная сеть России и Казахстана",
    "kk": "Ресей мен Қазақстанның сарапшылар желісі",
}


def h1s(html: str) -> list[str]:
    return re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_home_in_each_language(client, lang):
    client.set_cookie("lang", lang)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert html_lang(html) == lang
    assert h1s(html) == [H1[lang]]
    assert 'action="/search"' in html and 'for="q"' in html and 'id="q"' in html
    assert 'id="main"' in html and 'href="#main"' in html


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "en"),
        (None, "ru-RU,ru;q=0.9,en;q=0.5", "ru"),
        (None, "kk", "kk"),
        (None, "kk-KZ, ru;q=0.8", "kk"),
        (None, "de, fr;q=0.5", "en"),
        ("kk", "ru", "kk"),  # the cookie wins over the browser
        ("en", "ru", "en"),
        ("xx", "ru", "ru"),  # an unknown cookie is ignored
    ],
)
def test_language_follows_cookie_then_accept_language(client, cookie, accept, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert html_lang(response.get_data(as_text=True)) == expected
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_the_switcher_sets_the_cookie_and_goes_back(client):
    response = client.post("/language", data={"lang": "kk", "next": "/search?q=Нурша"})
    assert response.status_code == 303
    assert unquote(response.headers["Location"]) == "/search?q=Нурша"
    cookie = client.get_cookie("lang")
    assert cookie.value == "kk" and cookie.http_only
    assert h1s(client.get("/").get_data(as_text=True)) == [H1["kk"]]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "",
    ],
)
def test_the_switcher_refuses_an_off_site_next(client, target):
    response = client.post("/language", data={"lang": "ru", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_switcher_refuses_an_unknown_language(client):
    response = client.post("/language", data={"lang": "de"}, headers={"Accept-Language": "ru"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert client.get_cookie("lang") is None


def test_the_switcher_form_needs_the_csrf_field_in_a_session(caller, make_user):
    user = make_user()
    session = caller(user)
    # The page's form carries the token as a field, not the API's header.
    page = session.client.get("/").get_data(as_text=True)
    assert f'name="csrf_token" value="{CSRF}"' in page
    ok = session.client.post("/language", data={"lang": "ru", "csrf_token": CSRF})
    assert ok.status_code == 303
    refused = session.client.post("/language", data={"lang": "ru", "csrf_token": "wrong"})
    assert refused.status_code == 403
    assert refused.mimetype == "text/html"


def test_anonymous_pages_set_no_session_cookie(client):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("q", ["Шибутов", "shibutov", "ШИБУТОВ", "Shibutov M."])
def test_search_finds_shibutov_in_any_script(client, q):
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    assert "Marat Shibutov" in html
    assert h1s(html) == ["Search the directory"]


@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "Marat Shibutov"), ("ru", "Марат Шибутов"), ("kk", "Марат Шибутов")],
)
def test_search_shows_names_in_the_interface_script(client, lang, name):
    client.set_cookie("lang", lang)
    html = client.get("/search?q=shibutov").get_data(as_text=True)
    assert f">{name}</a>" in html


def test_kazakh_interface_prefers_the_kazakh_spelling(client):
    client.set_cookie("lang", "kk")
    html = client.get("/search?q=nursha").get_data(as_text=True)
    assert ">Асқар Нұрша</a>" in html


def test_search_finds_centres_and_publications(client):
    client.set_cookie("lang", "ru")
    html = client.get("/search?q=ИМЭМО").get_data(as_text=True)
    assert re.search(r'href="/centres/\d+"', html) and "/api/v1/centres/" not in html
    html = client.get("/search?q=дорожная карта").get_data(as_text=True)
    assert re.search(r'href="/publications/\d+"', html) and "/api/v1/publications/" not in html


def test_htmx_gets_a_fragment(client):
    response = client.get("/search?q=Шибутов", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<html" not in html and "<h1" not in html
    assert "Marat Shibutov" in html
    assert "HX-Request" in response.vary


def test_an_htmx_history_restore_gets_the_whole_page(client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get("/search?q=shibutov", headers=headers).get_data(as_text=True)
    assert "<html" in html


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "x" * 201,
        "%",
        "<script>alert(1)</script>",
        "а",
        "'; DROP TABLE experts; --",
        "🙂",
    ],
)
def test_any_query_answers_a_page(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html


def test_a_too_long_query_is_explained_at_the_field(client):
    html = client.get("/search", query_string={"q": "x" * 201}).get_data(as_text=True)
    assert 'aria-invalid="true"' in html and 'id="q-error"' in html


def test_nothing_found_says_so(client):
    client.set_cookie("lang", "ru")
    html = client.get("/search?q=zzzqqqxxx").get_data(as_text=True)
    assert "По запросу «zzzqqqxxx» ничего не найдено." in html


def test_pages_are_not_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert not [path for path in paths if not path.startswith("/api/")]


def test_search_runs_the_same_statements_however_many_match(client, db_session, count_queries):
    """Each kind: its search, one page of rows, and a count only when the page is full;
    nothing per result, and no eager loads of what the page does not show."""
    from tests import factories as f

    for n in range(8):
        f.ExpertFactory(full_name=f"Zhanar Testova {n}", other_names=[])
    db_session.commit()
    counts = {}
    for q in ("Zhanar Testova 3", "Zhanar Testova"):
        with count_queries() as counter:
            assert client.get("/search", query_string={"q": q}).status_code == 200
        counts[q] = counter.count
    # Eight experts fill the page of five, so the second search also counts them.
    assert counts["Zhanar Testova"] == counts["Zhanar Testova 3"] + 1, counts
    assert counts["Zhanar Testova"] <= 9, counts  # 11 when each kind loaded its lists' extras


def test_templates_translate_in_a_forced_locale_and_back(app):
    """Templates keep the request's catalogue (app.core.i18n._catalogue): a
    ``force_locale`` inside the request (mail in the recipient's language) still gets its
    own, and the request's comes back after it."""
    from flask import render_template_string
    from flask_babel import force_locale

    plural = "ngettext('%(num)s joint publication', '%(num)s joint publications', 2)"
    template = "{{ _('Experts') }} {{ " + plural + " }}"
    with app.test_request_context(headers={"Cookie": "lang=ru"}):
        before = render_template_string(template)
        with force_locale("kk"):
            forced = render_template_string(template)
        after = render_template_string(template)
    assert before == after
    assert before.startswith("Эксперты ") and forced.startswith("Сарапшылар ")
    assert "2 " in forced and "joint" not in forced and "joint" not in before


@pytest.mark.parametrize(
    ("lang", "number", "shown"),
    [
        ("en", 7, "7"),
        ("en", 12345, "12,345"),
        ("ru", 999, "999"),
        ("ru", 12345, "12\xa0345"),
        ("kk", 12345, "12\xa0345"),
        ("ru", 2.5, "2,5"),
    ],
)
def test_numberformat_follows_the_locale(app, lang, number, shown):
    """Whole numbers under 1,000 skip Babel (app.core.i18n._number); the rest are Babel's."""
    from flask import render_template_string

    with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
        assert render_template_string("{{ n|numberformat }}", n=number) == shown


def test_search_shows_an_own_acronym_but_not_a_coined_one(client):
    found = client.get("/search", query_string={"q": "IISPS"}).get_data(as_text=True)
    assert "International Institute of Sociology and Political Science" in found
    assert "(IISPS)" not in found  # found by the acronym, shown by its name
    assert "(KazISS)" in client.get("/search", query_string={"q": "KazISS"}).get_data(as_text=True)
