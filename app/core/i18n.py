"""Interface languages: which one a request gets, and names in its script.

The language comes from the ``lang`` cookie (set by the switcher), else the browser's
``Accept-Language``, else English. Only pages are translated; the JSON API's messages stay
English.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from babel import Locale
from flask import Flask, Response, request
from flask.globals import _cv_app
from flask_babel import format_number, get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

LANGUAGES = ("en", "ru", "kk")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Each language's own name, shown as is in every interface language.
ENDONYMS = {"en": "English", "ru": "Русский", "kk": "Қазақша"}

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def select_locale() -> str:
    """The cookie's language, else the best of ``Accept-Language``, else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    # By quality, each tag by its primary subtag: "kk-KZ, ru;q=0.8" is Kazakh. (Werkzeug's
    # best_match would take the exact "ru" over "kk-KZ" whatever their qualities.)
    for tag, quality in request.accept_languages:
        primary = tag.split("-")[0].split("_")[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def language() -> str:
    """The current request's interface language (``en``, ``ru`` or ``kk``)."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return str(get_locale() or DEFAULT_LANGUAGE)
    return _kept(state, locale)[1]


def name_in(lang: str, *, en: str, ru: str | None = None, kk: str | None = None) -> str:
    """A record's name in ``lang`` where it has one, else the Latin (English) one; in
    Kazakh, a record without a Kazakh name goes by its Russian one first, which a reader
    in Kazakhstan reads (as :func:`person_name` does for people)."""
    if lang == "kk":
        return kk or ru or en
    return (ru if lang == "ru" else None) or en


def record_name(lang: str, record: object) -> str:
    """:func:`name_in` for a record with ``name_en`` and, where it has them, ``name_ru``
    and ``name_kk`` (a centre, a country, a region, a topic; or a row of them as a dict)."""

    def get(key: str) -> str | None:
        return record.get(key) if isinstance(record, dict) else getattr(record, key, None)

    return name_in(lang, en=get("name_en") or "", ru=get("name_ru"), kk=get("name_kk"))


def named_options(records: Iterable[object], lang: str, key: str = "id") -> list[tuple]:
    """(``key``, name in ``lang``) for each record: the options of a select."""
    return [(getattr(record, key), record_name(lang, record)) for record in records]


def person_name(lang: str, full_name: str, other_names: Iterable[str] = ()) -> str:
    """A person's name in the script of ``lang``: for Russian the first full Cyrillic
    spelling (``full_name`` first, then ``other_names``) without Kazakh letters if there is
    one; for Kazakh one with Kazakh letters if there is one, else the Russian; else
    ``full_name``. Initials ("Шибутов М.") serve only where no
    full Cyrillic spelling is known ("Н. Малярчук" rather than "N. Malyarchuk")."""
    if lang not in {"ru", "kk"}:
        return full_name
    # The name as written first: a Kazakh expert's own "Айгерім Төлеубекқызы" must not
    # give way, in Kazakh, to a Russian respelling listed among the others.
    spelled = [name for name in [full_name, *(other_names or ())] if _CYRILLIC.search(name)]
    cyrillic = [name for name in spelled if " " in name.strip() and "." not in name]
    kazakh = [name for name in cyrillic if _KAZAKH_LETTERS.search(name)]
    if lang == "kk":
        cyrillic = kazakh + cyrillic
    elif kazakh != cyrillic:  # in Russian, a spelling without Kazakh letters if there is one
        cyrillic = [name for name in cyrillic if name not in kazakh] + kazakh
    return (cyrillic or spelled or [full_name])[0]


def remember_language(response: Response, lang: str) -> Response:
    """Set the cookie that picks the interface language (the switcher's, and the
    account's choice)."""
    from flask import current_app

    response.set_cookie(
        COOKIE,
        lang,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def _catalogue():
    """The current locale's translations, for templates. flask_babel finds them anew on
    every call (context, domain, locale, then its cache: a page makes dozens of calls, ~0.3
    ms in all); here they are kept on the request's babel state beside the locale they are
    for, so a ``force_locale`` (which puts another locale object there) gets its own."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()
    return _kept(state, locale)[2]


def _babel_state() -> Any:
    """flask_babel's state of this context (where it keeps the locale), or None. Read
    without the ``g`` proxy: templates ask for the language and the catalogue some 40
    times a page, and the proxy's lookups were a third of what each call cost."""
    context = _cv_app.get(None)
    return None if context is None else getattr(context.g, "_flask_babel", None)


def _kept(state: Any, locale: Locale) -> tuple[Locale, str, Any]:
    """The locale, its code and its catalogue, kept on the babel ``state`` for ``locale``."""
    kept = getattr(state, "eb_kept", None)
    if kept is None or kept[0] is not locale:
        kept = state.eb_kept = (locale, str(locale), get_translations())
    return kept


def _number(value: Any) -> str:
    """The ``numberformat`` filter: Babel's, but a whole number under 1,000 is its digits
    in all three languages, and Babel took ~50 µs to say so ("Page 1 of 3")."""
    if type(value) is int and 0 <= value < 1000:
        return str(value)
    return format_number(value)


def _install_gettext(app: Flask) -> None:
    """Templates' _(), ngettext() and their context forms: Jinja's newstyle gettext, but
    reading :func:`_catalogue` directly (Jinja's own wrappers call through the context a
    second time and format every string, even one with no placeholder: on the experts page,
    34 calls cost 2.1 M of its 18.2 M instructions, ``bench.instructions``)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)


@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """Jinja's newstyle ``gettext``: escaped unless autoescape is off (a mail's text part),
    and a format string when it has placeholders (``%%`` too)."""
    text = _catalogue().ugettext(string)
    return _newstyle(eval_ctx, text, variables)


@pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
    """Jinja's newstyle ``ngettext``: ``num`` is a placeholder too."""
    variables.setdefault("num", num)
    text = _catalogue().ungettext(singular, plural, num)
    return _newstyle(eval_ctx, text, variables)


def _newstyle(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


def per_language(template: str, /, **context: Any) -> Markup:
    """``template`` rendered with ``context`` alone, once per language, mount point and
    distinct context in this process. For what shows nothing of the visitor beyond its
    language and the context: the layout's menu and footer (~1 M instructions of every page
    drawn anew), a list's filter selects (the form's options, what was chosen, what was
    refused: ~1.5 M of the experts page) and a profile's content (its plain rows, as read
    for this viewer on this request: 2.6 M of 9.8 M). Like a compiled template it holds
    nothing that a write elsewhere could make stale: what it was given is part of its key.
    ``context`` holds strings, numbers, None, rows, namespaces, and lists, tuples and dicts
    of them."""
    from flask import current_app, render_template

    drawn = current_app.extensions.setdefault("per_language", OrderedDict())
    key = (template, language(), request.script_root, _frozen(context))
    html = drawn.get(key)
    if html is None:
        html = drawn[key] = Markup(render_template(template, **context))
        # A bound on memory, least recently drawn first: a crawl of many profiles must
        # not push out the menu, footer and forms that every page draws.
        if len(drawn) > PER_LANGUAGE_MAX:
            drawn.popitem(last=False)
    else:
        drawn.move_to_end(key)
    return html


PER_LANGUAGE_MAX = 4096


def _frozen(value: Any) -> Any:
    """``value`` as a key: dicts as sorted item tuples, lists as tuples, namespaces as their
    dicts, all the way down."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if type(value) is SimpleNamespace:  # the plain rows a page reads (experts.services)
        return (SimpleNamespace, _frozen(vars(value)))
    # A mapped object hashes by identity: a new key every request. (Asked of its class: a
    # row, asked for a missing attribute, looks for a column of that name, ~30 µs.)
    if hasattr(type(value), "_sa_class_manager"):
        raise TypeError(f"per_language() takes plain values, not {type(value).__name__}")
    return value


def _vary_on_language(response: Response) -> Response:
    """A page's language follows the cookie and ``Accept-Language``; caches must know."""
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def register(app: Flask) -> None:
    """Flask-Babel with :func:`select_locale`, and what templates need of it."""
    from app.extensions import babel

    babel.init_app(app, locale_selector=select_locale)
    _install_gettext(app)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, ENDONYMS=ENDONYMS, language=language, name_in=name_in
    )
    app.jinja_env.globals["person_name"] = person_name
    app.jinja_env.globals["record_name"] = record_name
    app.jinja_env.globals["per_language"] = per_language
    app.jinja_env.filters["map_names"] = named_options
    app.jinja_env.filters["numberformat"] = _number
    app.after_request(_vary_on_language)
