"""Account pages: register, verify by the mailed link, log in and out, the unverified
profile kept private, and "is this you?"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from app.core.mail import OutboxMessage
from app.models import Expert, ProfileClaim, User
from tests.accounts.mailbox import outbox_links, path_of
from tests.conftest import PASSWORD

FORM = {
    "email": "page@example.org",
    "password": PASSWORD,
    "full_name": "Жана Ахметова",
    "country": "KZ",
}


def register(caller, **changes):
    return caller().post("/register", data={**FORM, **changes})


def test_register_page_has_the_apis_field_names(caller):
    html = caller().get("/register").get_data(as_text=True)
    for name in ("email", "password", "full_name", "country"):
        assert f'name="{name}"' in html and f'for="{name}"' in html


def test_bad_registration_lists_each_error_linked_to_its_field(caller, db_session):
    response = register(caller, email="not-an-address", full_name="", country="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = re.search(r'class="error-summary".*?</div>', html, re.S).group(0)
    assert re.findall(r'href="#(\w+)"', summary) == ["email", "full_name", "country"]
    # A weak password is named with the schema's errors, not one round trip later.
    both = register(caller, email="not-an-address", password="short").get_data(as_text=True)
    summary = re.search(r'class="error-summary".*?</div>', both, re.S).group(0)
    assert re.findall(r'href="#(\w+)"', summary) == ["email", "password"]
    assert 'id="email-error"' in html and 'aria-invalid="true"' in html
    assert db_session.scalar(sa.select(User.id).filter_by(email="not-an-address")) is None


def test_errors_in_russian(caller):
    client = caller()
    client.client.set_cookie("lang", "ru")
    html = client.post("/register", data={**FORM, "password": "short"}).get_data(as_text=True)
    assert "Есть ошибки" in html and "Пароль должен быть не короче 12 символов" in html


def test_register_verify_then_log_in(caller, db_session):
    response = register(caller)
    assert response.status_code == 200 and "page@example.org" in response.get_data(as_text=True)
    user = db_session.scalars(sa.select(User).filter_by(email="page@example.org")).one()
    assert user.email_verified_at is None and user.language == "en"
    (link,) = outbox_links(db_session, "page@example.org")

    verified = caller().get(path_of(link))
    assert verified.status_code == 200
    db_session.refresh(user)
    assert user.email_verified_at is not None
    again = caller().get(path_of(link))
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)

    client = caller()
    login = client.post(
        "/login", data={"email": FORM["email"], "password": PASSWORD, "next": "/account"}
    )
    assert (login.status_code, login.headers["Location"]) == (303, "/account")
    assert "page@example.org" in client.get("/account").get_data(as_text=True)


def test_an_expired_link_offers_a_new_one(app, caller, db_session, monkeypatch):
    register(caller)
    (link,) = outbox_links(db_session, FORM["email"])
    monkeypatch.setitem(app.config, "VERIFY_LINK_MAX_AGE", dt.timedelta(seconds=-1))
    page = caller().get(path_of(link))
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "expired" in html and 'action="/verify/resend"' in html
    monkeypatch.setitem(app.config, "VERIFY_LINK_MAX_AGE", dt.timedelta(hours=48))
    sent = caller().post("/verify/resend", data={"email": FORM["email"]})
    unknown = caller().post("/verify/resend", data={"email": "nobody@example.org"})
    assert sent.status_code == unknown.status_code == 200
    assert sent.get_data() == unknown.get_data()
    assert len(outbox_links(db_session, FORM["email"])) == 2
    assert outbox_links(db_session, "nobody@example.org") == []


def test_a_tampered_link_is_refused(caller):
    assert caller().get("/verify/not-a-token").status_code == 410


@pytest.mark.parametrize("prefix", ["/api/v1", ""])  # the API and the pages alike
def test_unverified_profile_is_private_until_verified(caller, make_user, db_session, prefix):
    register(caller)
    user = db_session.scalars(sa.select(User).filter_by(email=FORM["email"])).one()
    url = f"{prefix}/experts/{user.expert.id}"
    listing = f"{prefix}/experts?q=Ахметова"
    assert caller().get(url).status_code == 404
    assert caller(make_user()).get(url).status_code == 404
    assert caller(make_user("organiser")).get(url).status_code == 404
    assert caller(user).get(url).status_code == 200
    assert caller(make_user("admin")).get(url).status_code == 200
    assert "Жана Ахметова" not in caller().get(listing).get_data(as_text=True)
    assert "Жана Ахметова" in caller(user).get(listing).get_data(as_text=True)
    assert "Жана Ахметова" not in caller().get("/search?q=Ахметова").get_data(as_text=True)

    (link,) = outbox_links(db_session, FORM["email"])
    caller().get(path_of(link))
    assert caller().get(url).status_code == 200
    assert "Жана Ахметова" in caller().get(listing).get_data(as_text=True)
    assert "Жана Ахметова" in caller().get("/search?q=Ахметова").get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_url", "goes_to"),
    [("/search?q=x", "/search?q=x"), ("https://evil.example/", "/"), ("//evil.example", "/")],
)
def test_login_goes_to_a_safe_next(caller, make_user, next_url, goes_to):
    user = make_user()
    page = caller().get(f"/login?next={next_url}")
    assert page.status_code == 200
    response = caller().post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": next_url}
    )
    assert (response.status_code, response.headers["Location"]) == (303, goes_to)


def test_wrong_password_says_so_on_the_form(caller, make_user):
    user = make_user()
    response = caller().post("/login", data={"email": user.email, "password": "wrong-one-here"})
    assert response.status_code == 422
    assert 'href="#email"' in response.get_data(as_text=True)


def test_login_sets_the_users_language(caller, make_user, db_session):
    user = make_user()
    user.language = "kk"
    response = caller().post("/login", data={"email": user.email, "password": PASSWORD})
    assert "lang=kk" in response.headers["Set-Cookie"]


def test_logout_needs_the_csrf_token_and_ends_every_session(caller, make_user):
    user = make_user()
    client = caller(user)
    refused = client.post("/logout", headers={"X-CSRF-Token": "wrong"})
    assert refused.status_code == 403
    other = caller(user)
    response = client.post("/logout")
    assert (response.status_code, response.headers["Location"]) == (303, "/")
    assert other.get("/api/v1/auth/me").status_code == 401


def test_is_this_you_offers_unowned_profiles_and_files_a_claim(caller, db_session):
    seeded = db_session.scalars(sa.select(Expert).filter_by(full_name="Askar Nursha")).one()
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Expert))
    offer = register(caller, full_name="Аскар Нурша")  # the seeded name in another script
    html = offer.get_data(as_text=True)
    assert offer.status_code == 200 and "Is this you?" in html
    assert f'name="profile" value="{seeded.id}"' in html
    assert db_session.scalar(sa.select(User.id).filter_by(email=FORM["email"])) is None

    done = register(caller, full_name="Аскар Нурша", profile=str(seeded.id))
    assert done.status_code == 200
    user = db_session.scalars(sa.select(User).filter_by(email=FORM["email"])).one()
    claim = db_session.scalars(sa.select(ProfileClaim).filter_by(user_id=user.id)).one()
    assert (claim.expert_id, claim.status) == (seeded.id, "pending")
    assert user.expert is None
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Expert)) == before
    (link,) = outbox_links(db_session, FORM["email"])  # the verification link all the same
    # The claimant has no profile yet: the pages say where the claim stands, not "public".
    verified = caller().get(path_of(link)).text
    assert "Your claim to the profile of Askar Nursha is with the site" in verified
    assert "profile is now public" not in verified
    account = caller(user).get("/account").text
    assert "awaits a decision" in account and f'href="/experts/{seeded.id}"' in account


def test_none_of_these_makes_a_new_profile(caller, db_session):
    register(caller, full_name="Askar Nursha", profile="new")
    user = db_session.scalars(sa.select(User).filter_by(email=FORM["email"])).one()
    assert user.expert.full_name == "Askar Nursha"


def test_a_profile_not_offered_cannot_be_claimed(caller, db_session, make_user):
    owned = make_user().expert
    response = register(caller, full_name="Askar Nursha", profile=str(owned.id))
    assert response.status_code == 422
    assert db_session.scalar(sa.select(User.id).filter_by(email=FORM["email"])) is None


def test_is_this_you_unanswered_says_so(caller, db_session):
    page = register(caller, full_name="Askar Nursha", offered="1")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'href="#profile"' in html and 'id="profile"' in html
    assert db_session.scalar(sa.select(User.id).filter_by(email=FORM["email"])) is None


def test_is_this_you_shows_where_the_person_works(caller, db_session):
    from tests import factories as f

    expert = f.ExpertFactory(full_name="Dana Centreva")
    old = f.AffiliationFactory(expert=expert, end_date=dt.date(2019, 1, 1))
    now = f.AffiliationFactory(expert=expert, start_date=None)
    html = register(caller, full_name="Dana Centreva").get_data(as_text=True)
    assert now.centre.name_en in html and old.centre.name_en not in html


def test_is_this_you_stays_when_the_password_is_missing(caller, db_session):
    seeded = db_session.scalars(sa.select(Expert).filter_by(full_name="Askar Nursha")).one()
    page = register(
        caller, full_name="Askar Nursha", offered="1", profile=str(seeded.id), password=""
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'href="#password"' in html
    assert f'value="{seeded.id}" id="profile" checked' in html


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("/login", {"email": "someone@example.org", "password": PASSWORD}),
        ("/register", {"email": "new@example.org", "password": PASSWORD, "full_name": "N N"}),
        ("/password-reset", {"email": "someone@example.org"}),
    ],
)
def test_an_anonymous_form_without_its_csrf_token_is_refused(app, db_session, url, form):
    """Another site cannot post our forms for a visitor: no login into its own account,
    no registration or mail in their name."""
    response = app.test_client().post(url, data=form)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "This form has expired, or it was sent from another site." in response.text
    assert db_session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_the_language_switcher_needs_no_token(app):
    response = app.test_client().post("/language", data={"lang": "kk", "next": "/"})
    assert response.status_code == 303 and "lang=kk" in response.headers["Set-Cookie"]


def test_a_form_with_a_nul_character_is_refused_in_the_visitors_language(caller, db_session):
    # A form encodes NUL as %00, which PostgreSQL's text cannot hold: it once got through
    # the pages (the API's check read only raw and JSON-escaped NULs) and was stored.
    client = caller()
    client.client.set_cookie("lang", "ru")
    response = client.post("/register", data={**FORM, "full_name": "Test\x00Nul"})
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True) and "Вернитесь" in response.get_data(
        as_text=True
    )
    assert db_session.scalar(sa.select(User.id).filter_by(email=FORM["email"])) is None


def test_a_typed_percent_sign_is_not_taken_for_nul(caller, db_session):
    response = register(caller, full_name="Ахметова %00")  # sent as %2500
    assert response.status_code == 200
    assert db_session.scalar(sa.select(Expert.full_name).filter_by(full_name="Ахметова %00"))


def test_forms_refused_as_invalid_do_not_use_up_the_registration_limit(app, caller, db_session):
    # A visitor fixing typos was locked out for an hour after ten tries; a taken address
    # (409, which tells whether an account exists) still counts.
    client = caller()
    limit = int(app.config["RATE_LIMIT_REGISTER"].split()[0])
    for _ in range(limit + 2):
        assert client.post("/register", data={**FORM, "email": "not-an-address"}).status_code == 422
    assert client.post("/register", data=FORM).status_code == 200
    taken = [client.post("/register", data=FORM).status_code for _ in range(limit)]
    assert taken[0] == 409 and taken[-1] == 429


def test_a_value_too_long_is_told_so_not_asked_for_again(caller):
    client = caller()
    client.client.set_cookie("lang", "ru")
    html = client.post("/register", data={**FORM, "full_name": "Ә" * 301}).text
    assert "Введите не более 300 символов" in html and "Введите полное имя" not in html
    html = client.post("/register", data={**FORM, "full_name": ""}).text
    assert "Введите полное имя" in html


def test_asking_for_a_taken_address_counts_against_the_mail_link_limit(
    app, caller, make_user, db_session
):
    # A page shows a taken address as 422, as it does a typo; unlike a typo, it tells
    # whether an account exists, so it must count, or addresses could be tried unending.
    user, other = make_user(), make_user()
    client = caller(user)
    limit = int(app.config["RATE_LIMIT_MAIL_LINKS"].split()[0])
    form = {"new_email": other.email, "email_password": PASSWORD}
    answers = [client.post("/account/email", data=form).status_code for _ in range(limit + 1)]
    assert answers == [422] * limit + [429]


def test_a_wrong_password_on_the_login_page_counts_as_an_attempt(
    app, caller, make_user, monkeypatch
):
    user = make_user()
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_ADDRESS", "3 per minute")
    client = caller()
    wrong = {"email": user.email, "password": "not-the-password-at-all"}
    answers = [client.post("/login", data=wrong).status_code for _ in range(4)]
    assert answers == [422, 422, 422, 429]
