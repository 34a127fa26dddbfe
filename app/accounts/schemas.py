"""Request and response schemas of accounts, tokens and users."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.accounts.models import Role, TokenScope
from app.accounts.passwords import MAX_LENGTH
from app.core.fields import NAME, EnumField, Trimmed

COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Use an ISO 3166-1 alpha-2 code, e.g. RU or KZ.")


class Email(ma.fields.Email):
    """An email address, trimmed and lower-cased on load."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class Password(ma.fields.String):
    def __init__(self, **kwargs):
        super().__init__(load_only=True, validate=validate.Length(min=1, max=MAX_LENGTH), **kwargs)


class RegisterSchema(ma.Schema):
    email = Email(required=True, validate=validate.Length(max=254))
    password = Password(required=True)
    full_name = Trimmed(required=True, validate=NAME)
    country = ma.fields.String(required=True, validate=COUNTRY)
    other_names = ma.fields.List(Trimmed(validate=NAME), validate=validate.Length(max=20))
    biography = ma.fields.String(validate=validate.Length(max=10_000))
    languages = ma.fields.List(
        ma.fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$")),
        validate=validate.Length(max=20),
    )


class LoginSchema(ma.Schema):
    email = Email(required=True)
    password = Password(required=True)
    remember = ma.fields.Boolean(load_default=False)
    next = ma.fields.String(
        load_default="/",
        validate=validate.Length(max=2_000),
        metadata={
            "description": "Where the client goes after login: a path on this site; "
            "anything else becomes /."
        },
    )


class EmailOnlySchema(ma.Schema):
    """Asking for a link by mail (a new verification link, a password reset)."""

    email = Email(required=True, validate=validate.Length(max=254))


class PasswordResetSchema(ma.Schema):
    password = Password(required=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.String(dump_only=True)
    role = EnumField(Role, dump_only=True)
    expert_id = ma.fields.Integer(dump_only=True, allow_none=True)


class CsrfSchema(ma.Schema):
    csrf_token = ma.fields.String(dump_only=True)


class LoginResultSchema(MeSchema, CsrfSchema):
    next = ma.fields.String(dump_only=True)


class EmailChangeSchema(ma.Schema):
    """A new address for the account (``/account``); it takes effect once its mailed link
    is used. The password field has a name of its own: the page's password form has a
    ``current_password`` too."""

    new_email = Email(required=True, validate=validate.Length(max=254))
    email_password = Password(required=True)


class PasswordChangeSchema(ma.Schema):
    current_password = Password(required=True)
    new_password = Password(required=True)


class TokenCreateSchema(ma.Schema):
    name = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    scopes = ma.fields.List(
        EnumField(TokenScope),
        load_default=lambda: [TokenScope.READ],
        validate=validate.Length(min=1, max=2),
        metadata={
            "description": "read, write, or calendar alone: a calendar token only reads "
            "your calendar feed, and may be put in its URL for a calendar program."
        },
    )
    expires_in_days = ma.fields.Integer(load_default=90, validate=validate.Range(min=1, max=366))

    @ma.validates("scopes")
    def _calendar_alone(self, scopes, **_kwargs):
        if TokenScope.CALENDAR in scopes and len(set(scopes)) > 1:
            raise ma.ValidationError("A calendar token has the calendar scope only.")


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    prefix = ma.fields.String(dump_only=True)
    scopes = ma.fields.List(ma.fields.String(), dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    expires_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    last_used_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    revoked_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)


class TokenCreatedSchema(TokenSchema):
    token = ma.fields.String(
        attribute="secret", dump_only=True, metadata={"description": "Shown once; keep it."}
    )
    feed_url = ma.fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "A calendar token's feed, to subscribe to; shown once."},
    )


class UserSchema(MeSchema):
    active = ma.fields.Boolean(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    last_login_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)


class UserPatchSchema(ma.Schema):
    role = EnumField(Role)
    active = ma.fields.Boolean()


class UserQuerySchema(ma.Schema):
    role = EnumField(Role)
    active = ma.fields.Boolean()
    q = ma.fields.String(
        validate=validate.Length(min=1, max=254),
        metadata={"description": "Part of the email address."},
    )
