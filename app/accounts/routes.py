"""Registration, login, sessions and tokens (``/api/v1/auth``); users (``/api/v1/users``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_limiter.util import get_remote_address
from flask_login import login_user

from app.accounts import services
from app.accounts.auth import begin_session, end_session
from app.accounts.csrf import csrf_token
from app.accounts.mails import send_verification
from app.accounts.schemas import (
    CsrfSchema,
    LoginResultSchema,
    LoginSchema,
    MeSchema,
    PasswordChangeSchema,
    RegisterSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
    UserPatchSchema,
    UserQuerySchema,
    UserSchema,
)
from app.core.api import Blueprint
from app.core.etag import check_if_match, with_etag
from app.core.i18n import language
from app.core.pagination import SelectPage
from app.core.permissions import require_admin, require_user
from app.core.ratelimits import configured, unless_invalid
from app.core.redirects import safe_next
from app.extensions import limiter

auth = Blueprint(
    "auth",
    __name__,
    url_prefix="/api/v1/auth",
    description="Registration, login, sessions and personal API tokens.",
)
users = Blueprint(
    "users", __name__, url_prefix="/api/v1/users", description="User administration (admins)."
)


def _me(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "expert_id": user.expert_id,
        "csrf_token": csrf_token(),
    }


@auth.route("/register")
class Register(MethodView):
    decorators = [limiter.limit(configured("RATE_LIMIT_REGISTER"), deduct_when=unless_invalid)]

    @auth.arguments(RegisterSchema)
    @auth.response(201, MeSchema)
    def post(self, data):
        """Register as an expert: creates a user and their own profile, private until the
        address is verified by the link mailed (in the interface language) to it."""
        user = services.register_expert(data, language())
        send_verification(user)
        return user


@auth.route("/login")
class Login(MethodView):
    # Every attempt from an address; failures are counted apart, before the password is
    # checked (services.authenticate).
    decorators = [limiter.limit(configured("RATE_LIMIT_LOGIN_ADDRESS"))]

    @auth.arguments(LoginSchema)
    @auth.response(200, LoginResultSchema)
    def post(self, data):
        """Log in with a session cookie. The answer carries the CSRF token for later writes.
        Failed attempts are limited per address and per account and address (429)."""
        user = services.authenticate(data["email"], data["password"], get_remote_address())
        begin_session(user, data["remember"])
        return {**_me(user), "next": safe_next(data["next"])}


@auth.route("/logout")
class Logout(MethodView):
    @auth.response(204)
    def post(self):
        """Log out, ending every session of this user."""
        end_session(require_user())


@auth.route("/me")
class Me(MethodView):
    @auth.response(200, MeSchema)
    def get(self):
        """Who is logged in."""
        return require_user()


@auth.route("/csrf")
class Csrf(MethodView):
    @auth.response(200, CsrfSchema)
    def get(self):
        """The CSRF token to send as ``X-CSRF-Token`` with cookie-authenticated writes."""
        return {"csrf_token": csrf_token()}


@auth.route("/password")
class Password(MethodView):
    @auth.arguments(PasswordChangeSchema)
    @auth.response(200, LoginResultSchema)
    def post(self, data):
        """Change the password; every other session ends, this one goes on."""
        user = require_user()
        services.change_password(
            user, data["current_password"], data["new_password"], get_remote_address()
        )
        login_user(user)  # the cookie now carries the new session token
        return _me(user)


@auth.route("/tokens")
class Tokens(MethodView):
    @auth.response(200, TokenSchema(many=True))
    def get(self):
        """Your personal API tokens (never their secrets)."""
        return services.user_tokens(require_user())

    @limiter.limit(configured("RATE_LIMIT_TOKENS"), deduct_when=unless_invalid)
    @auth.arguments(TokenCreateSchema)
    @auth.response(201, TokenCreatedSchema)
    def post(self, data):
        """Create a token. Its secret is in this answer only; send it as ``Bearer``."""
        user = require_user()
        token, secret = services.create_token(
            user, data["name"], data["scopes"], data["expires_in_days"]
        )
        token.secret = secret  # shown in this answer only, never stored
        token.feed_url = services.feed_url(token, secret)
        return token


@auth.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @auth.response(204)
    def delete(self, token_id):
        """Revoke one of your tokens."""
        services.revoke_token(require_user(), token_id)


@users.route("")
class Users(MethodView):
    @users.arguments(UserQuerySchema, location="query")
    @users.response(200, UserSchema(many=True))
    @users.paginate(SelectPage)
    def get(self, filters):
        """Every user, filtered by role, activity or email."""
        require_admin()
        return services.users_query(filters)


@users.route("/<int:user_id>")
class UserItem(MethodView):
    @users.response(200, UserSchema)
    def get(self, user_id):
        """One user."""
        require_admin()
        return with_etag(services.get_user(user_id))

    @users.arguments(UserPatchSchema)
    @users.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user's role or activity (``If-Match`` as for centres)."""
        actor = require_admin()
        user = services.get_user(user_id)
        check_if_match(user)
        return with_etag(services.update_user(actor, user, data))
