"""Password reset by a mailed link, and the /account page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from app.accounts.services import create_token
from app.core.mail import OutboxMessage
from app.models import ApiToken, TokenScope
from tests.accounts.mailbox import mailed_links
from tests.conftest import CSRF, PASSWORD

NEW = "a-brand-new-passphrase"


def test_the_same_answer_whether_or_not_the_address_has_an_account(caller, make_user, db_session):
    user = make_user()
    known = caller().post("/password-reset", data={"email": user.email})
    unknown = caller().post("/password-reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert len(mailed_links(db_session, user.email)) == 1
    assert mailed_links(db_session, "nobody@example.org") == []


def test_reset_ends_sessions_and_tokens_and_the_link_works_once(caller, make_user, db_session):
    user = make_user()
    session = caller(user)
    _, secret = create_token(user, "script", [TokenScope.READ], 30)
    assert caller(token=secret).get("/api/v1/auth/me").status_code == 200
    caller().post("/password-reset", data={"email": user.email.upper()})
    (link,) = mailed_links(db_session, user.email)

    assert caller().get(link).status_code == 200
    weak = caller().post(link, data={"password": "short"})
    assert weak.status_code == 422 and 'href="#password"' in weak.get_data(as_text=True)
    done = caller().post(link, data={"password": NEW})
    assert done.status_code == 200

    assert session.get("/api/v1/auth/me").status_code == 401
    assert caller(token=secret).get("/api/v1/auth/me").status_code == 401
    assert all(t.revoked_at for t in db_session.scalars(sa.select(ApiToken)))
    assert caller().post(link, data={"password": "yet-another-passphrase"}).status_code == 410
    old = caller().post("/login", data={"email": user.email, "password": PASSWORD})
    new = caller().post("/login", data={"email": user.email, "password": NEW})
    assert (old.status_code, new.status_code) == (422, 303)


def test_an_expired_reset_link_is_refused(app, caller, make_user, db_session, monkeypatch):
    user = make_user()
    caller().post("/password-reset", data={"email": user.email})
    (link,) = mailed_links(db_session, user.email)
    monkeypatch.setitem(app.config, "RESET_LINK_MAX_AGE", dt.timedelta(seconds=-1))
    page = caller().post(link, data={"password": NEW})
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    assert caller().post("/login", data={"email": user.email, "password": NEW}).status_code == 422


def test_a_reset_link_verifies_the_address(caller, make_user, db_session):
    user = make_user()
    user.email_verified_at = None
    caller().post("/password-reset", data={"email": user.email})
    (link,) = mailed_links(db_session, user.email)
    caller().post(link, data={"password": NEW})
    db_session.refresh(user)
    assert user.email_verified_at is not None


def test_account_needs_a_login(caller):
    response = caller().get("/account")
    assert (response.status_code, response.headers["Location"]) == (302, "/login?next=/account")


def test_account_changes_the_password_and_keeps_this_session(caller, make_user, db_session):
    user = make_user()
    client, other = caller(user), caller(user)
    wrong = client.post(
        "/account/password", data={"current_password": "not-it-at-all", "new_password": NEW}
    )
    assert wrong.status_code == 422 and 'href="#current_password"' in wrong.get_data(as_text=True)
    done = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW}
    )
    assert done.status_code == 200
    assert client.get("/account").status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 401


def test_account_language_goes_to_the_user_and_the_cookie(caller, make_user, db_session):
    user = make_user()
    response = caller(user).post("/account/language", data={"language": "kk"})
    assert response.status_code == 303 and "lang=kk" in response.headers["Set-Cookie"]
    db_session.refresh(user)
    assert user.language == "kk"
    assert caller(user).post("/account/language", data={"language": "de"}).status_code == 422


@pytest.mark.parametrize(
    ("scopes", "feed"), [(["read"], False), (["calendar"], True), (["write"], False)]
)
def test_account_creates_a_token_shown_once(caller, make_user, db_session, scopes, feed):
    user = make_user()
    client = caller(user)
    response = client.post(
        "/account/tokens", data={"name": "mine", "scopes": scopes, "expires_in_days": "7"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 201
    token = db_session.scalars(sa.select(ApiToken).filter_by(user_id=user.id)).one()
    assert token.scopes == scopes
    assert f'value="{token.prefix}' in html  # the whole secret, starting with its prefix
    assert ("/api/v1/me/schedule.ics?token=eb_" in html) is feed
    assert 'value="eb_' not in client.get("/account").get_data(as_text=True)


def test_account_refuses_a_bad_token_form(caller, make_user):
    response = caller(make_user()).post(
        "/account/tokens", data={"name": "", "scopes": ["calendar", "read"], "expires_in_days": "0"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = re.search(r'class="error-summary".*?</div>', html, re.S).group(0)
    assert re.findall(r'href="#(\w+)"', summary) == ["name", "scopes", "expires_in_days"]


def test_a_refused_token_form_keeps_the_permissions_chosen(caller, make_user, db_session):
    response = caller(make_user()).post(
        "/account/tokens",
        data={"name": "", "scopes": ["write", "calendar"], "expires_in_days": "7"},
    )
    assert response.status_code == 422
    ticked = re.findall(r'name="scopes" value="(\w+)" checked', response.text)
    assert ticked == ["write", "calendar"]  # not "read", the blank form's default


def test_account_revokes_its_own_token_only(caller, make_user, db_session):
    user, other = make_user(), make_user()
    token, _ = create_token(user, "mine", [TokenScope.READ], 30)
    assert caller(other).post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert caller(user).post(f"/account/tokens/{token.id}/revoke").status_code == 303
    db_session.refresh(token)
    assert token.revoked_at is not None


def test_account_forms_need_the_csrf_token(caller, make_user):
    client = caller(make_user())
    response = client.post(
        "/account/language", data={"language": "ru"}, headers={"X-CSRF-Token": ""}
    )
    assert response.status_code == 403
    ok = client.client.post("/account/language", data={"language": "ru", "csrf_token": CSRF})
    assert ok.status_code == 303


@pytest.mark.parametrize("url", ["/password-reset", "/verify/resend"])
def test_asking_for_links_is_rate_limited(app, caller, make_user, db_session, url):
    user = make_user()
    client = caller()
    limit = int(app.config["RATE_LIMIT_MAIL_LINKS"].split()[0])
    for _ in range(limit):
        assert client.post(url, data={"email": user.email}).status_code == 200
    refused = client.post(url, data={"email": user.email})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_a_new_address_takes_effect_when_its_link_is_used(caller, make_user, db_session):
    user = make_user()
    old = user.email
    asked = caller(user).post(
        "/account/email", data={"new_email": " Moved@Example.org ", "email_password": PASSWORD}
    )
    assert asked.status_code == 200 and "moved@example.org" in asked.text
    db_session.refresh(user)
    assert user.email == old  # nothing changes until the new mailbox answers
    (link,) = mailed_links(db_session, "moved@example.org")

    done = caller().get(link)  # no login needed: the link proves the mailbox
    assert done.status_code == 200 and "moved@example.org" in done.text
    db_session.refresh(user)
    assert (user.email, user.email_verified) == ("moved@example.org", True)
    notice = db_session.scalars(sa.select(OutboxMessage).filter_by(recipient=old)).one()
    assert "moved@example.org" in notice.body_text
    assert caller().get(link).status_code == 410  # once only
    again = caller().post("/login", data={"email": "moved@example.org", "password": PASSWORD})
    assert again.status_code == 303


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (
            {"new_email": "moved@example.org", "email_password": "wrong-password-entirely"},
            "email_password",
        ),
        ({"new_email": "not an address", "email_password": PASSWORD}, "new_email"),
        ({"new_email": "{taken}", "email_password": PASSWORD}, "new_email"),
        ({"new_email": "{own}", "email_password": PASSWORD}, "new_email"),
    ],
)
def test_a_refused_new_address_says_why_and_mails_nothing(
    caller, make_user, db_session, form, field
):
    user, other = make_user(), make_user()
    data = {k: v.format(taken=other.email, own=user.email.upper()) for k, v in form.items()}
    response = caller(user).post("/account/email", data=data)
    assert response.status_code == 422 and f'href="#{field}"' in response.text
    assert db_session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_an_address_taken_before_the_link_is_used_is_not_changed(caller, make_user, db_session):
    from tests import factories as f

    user = make_user()
    caller(user).post(
        "/account/email", data={"new_email": "moved@example.org", "email_password": PASSWORD}
    )
    (link,) = mailed_links(db_session, "moved@example.org")
    f.UserFactory(email="moved@example.org")
    response = caller().get(link)
    assert response.status_code == 409 and "taken this address" in response.text
    db_session.refresh(user)
    assert user.email != "moved@example.org"


def test_the_new_password_must_differ_from_the_current_one(caller, make_user, db_session):
    user = make_user()
    _, secret = create_token(user, "script", [TokenScope.READ], 30)
    response = caller(user).post(
        "/account/password", data={"current_password": PASSWORD, "new_password": PASSWORD}
    )
    assert response.status_code == 422
    assert (
        "differs from the current one" in response.text and 'href="#new_password"' in response.text
    )
    assert caller(token=secret).get("/api/v1/auth/me").status_code == 200  # nothing revoked


def test_the_account_page_links_to_the_profile(caller, make_user):
    user = make_user()
    page = caller(user).get("/account").text
    assert f'href="/experts/{user.expert.id}"' in page


def test_the_language_switcher_saves_a_logged_in_users_language(caller, make_user, db_session):
    user = make_user()
    response = caller(user).post("/language", data={"lang": "kk", "next": "/"})
    assert response.status_code == 303
    db_session.refresh(user)
    assert user.language == "kk"  # their mail, and their next login, follow it
