"""The floor under the logged-in list: the least a token-checked page of experts read from
PostgreSQL can cost under gunicorn, against bare Flask in the same run.

    .venv/bin/python -m bench.list_floor --database-url postgresql+psycopg://...

Issue #12 asks the logged-in ``GET /api/v1/experts?country=KZ&page_size=20`` for 0.2 of
bare Flask's rate. This app is what no implementation can undercut: Flask with nothing
around the view, one psycopg connection per worker in autocommit, the token's hash looked
up in one prepared statement, and the page built as JSON by PostgreSQL in another (the
app's visibility rule, the page's order, each expert's topics and affiliations), its text
sent as it comes. No ORM, no schema, no count, no rate limit, no pool ping, no
middleware. Whatever ratio it reaches on a machine bounds what the app can reach there.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys

import sqlalchemy as sa
from flask import Flask, Response, abort, request

from bench.common import full_network, read_token, served_and_timed
from bench.list_throughput import EMAIL, LIST, PASSWORD

TOKEN = """
SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.active
"""
# The list's page as the API shows it, for a viewer who is not an admin.
PAGE = """
SELECT CAST(coalesce(json_agg(json_build_object(
  'id', e.id, 'full_name', e.full_name, 'other_names', e.other_names,
  'country', e.country_code, 'biography', e.biography, 'birth_year', e.birth_year,
  'orcid', e.orcid, 'languages', e.languages, 'verified', e.verified,
  'claimed', e.user_id IS NOT NULL, 'provenance', e.provenance, 'source', e.source,
  'topics_provenance', e.topics_provenance, 'topics_source', e.topics_source,
  'topic_ids', (SELECT coalesce(json_agg(t.topic_id ORDER BY t.topic_id), '[]')
                FROM expert_topics t WHERE t.expert_id = e.id),
  'affiliations', (SELECT coalesce(json_agg(json_build_object(
      'centre_id', a.centre_id, 'centre_name', c.name_en, 'position', a.position,
      'start_date', a.start_date, 'end_date', a.end_date, 'assumed', a.assumed,
      'provenance', a.provenance, 'source', a.source)
    ORDER BY a.start_date NULLS LAST, a.id), '[]')
    FROM affiliations a JOIN centres c ON c.id = a.centre_id WHERE a.expert_id = e.id)
) ORDER BY e.full_name, e.id), '[]') AS TEXT)
FROM (
  SELECT * FROM experts
  WHERE (user_id IS NULL
         OR NOT EXISTS (SELECT 1 FROM users WHERE users.id = experts.user_id
                        AND users.email_verified_at IS NULL)
         OR user_id = %(viewer)s)
    AND country_code = %(country)s
  ORDER BY full_name, id LIMIT %(size)s
) e
"""

app = Flask(__name__)
_connections: dict[str, object] = {}  # this worker's one connection, opened at first use


def connection():
    import psycopg

    conn = _connections.get("db")
    if conn is None or conn.closed:
        conn = _connections["db"] = psycopg.connect(os.environ["FLOOR_DSN"], autocommit=True)
    return conn


@app.get("/api/v1/experts")
def experts() -> Response:
    secret = request.headers.get("Authorization", "").removeprefix("Bearer ")
    conn = connection()
    token = hashlib.sha256(secret.encode()).hexdigest()
    user = conn.execute(TOKEN, (token,), prepare=True).fetchone()
    if user is None:
        abort(401)
    params = {"viewer": user[0], "country": request.args["country"], "size": 20}
    page = conn.execute(PAGE, params, prepare=True).fetchone()[0]
    return Response(page, mimetype="application/json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL")
    parser.add_argument("--seconds", type=int, default=10)
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    url = full_network(opts.database_url)
    if sa.make_url(url).get_backend_name() != "postgresql":
        sys.exit("the floor is PostgreSQL's: give a PostgreSQL URL")
    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "FLASK_CONFIG": "production", "FLOOR_DSN": dsn}
    env["SECRET_KEY"] = "benchmark-only"
    bearer = {"Authorization": f"Bearer {read_token(url, EMAIL, PASSWORD)}"}
    runs = [("bare Flask", "bench.bare_app:app", "/items"), ("floor", "bench.list_floor:app", LIST)]
    results = {}
    for port, (name, target, path) in enumerate(runs, 5931):
        results[name] = served_and_timed(target, port, env, path, opts.seconds, bearer)
    bare = results["bare Flask"][0]
    for name, (rate, p99, cpu, services) in results.items():
        figures = f"{rate:7.0f} req/s  p99 {p99:>8}  {cpu:5.2f} ms CPU/req"
        figures += f" + {services:4.2f} services'"
        print(f"{name:11} {figures}  ratio {rate / bare:.3f}")


if __name__ == "__main__":
    main()
