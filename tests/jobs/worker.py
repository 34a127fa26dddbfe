"""``python -m tests.jobs.worker``: ``flask jobs worker`` with the tests' job kinds, on
the database and queue the environment names (``TEST_DATABASE_URL``, ``JOBS_QUEUE``)."""

from __future__ import annotations

import os

os.environ.setdefault("FLASK_CONFIG", "testing")

from app import create_app
from app.jobs import queue
from config import TestingConfig
from tests.jobs import kinds

if __name__ == "__main__":
    app = create_app(TestingConfig)
    kinds.install(app)
    with app.app_context():
        queue.work(app)
