import sqlalchemy as sa

from app.accounts.passwords import verify_password
from app.models import User


def test_users_create_prompts_for_the_password(runner, db_session):
    password = "correct horse battery staple"
    result = runner.invoke(
        args=["users", "create", "--email", "Admin@Example.org", "--role", "admin"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalars(sa.select(User).filter_by(email="admin@example.org")).one()
    assert user.role == "admin"
    assert user.active
    assert verify_password(user.password_hash, password)
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_a_short_password(runner, db_session):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_users_create_refuses_a_taken_email(runner, db_session):
    args = ["users", "create", "--email", "b@example.org", "--password", "steppe-caravan-7"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0
    assert "already exists" in again.output
