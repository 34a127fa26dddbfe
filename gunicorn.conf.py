"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be changed from the environment; README.md ("Production") explains them.
"""

from __future__ import annotations

import multiprocessing
import os

# 127.0.0.1:8000 unless HOST and PORT say otherwise: behind a reverse proxy on the same host
# nothing else should reach the workers. A platform that routes to $PORT needs HOST=0.0.0.0.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# Sync workers, one request at a time each: 2 per core plus 1, at most 8 unless
# WEB_CONCURRENCY says so (each worker holds ~150-250 MiB: OR-Tools, matplotlib, numpy).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))

# A request still running after `timeout` seconds gets its worker killed. Imports are bounded
# to finish well within it (IMPORT_MAX_RECORDS); the longest request left is a full export,
# streamed: 100,000 publications as CSV took 49 s on 2 busy cores.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On SIGTERM or a restart, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5

# Recycle each worker after about this many requests, staggered so they do not all restart
# at once: what a large import or report left on the heap is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# The app is imported once in the master, where wsgi.py freezes the startup objects out of the
# garbage collector (gc.freeze); the forked workers then share those pages instead of each
# importing (and dirtying) its own copy, and a recycled worker starts at once. The price: a
# HUP reloads the configuration, not the code; deploy new code with a restart.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"

# Without Redis each worker would keep its own list and report caches, and a write one
# worker answers would not retire what the others serve: under gunicorn (several workers,
# perhaps several hosts) the caches are off unless Redis shares them, whatever FLASK_CONFIG
# says. Set before the app (and config.py) is imported; RESPONSE_CACHE/REPORT_CACHE still win.
if not os.environ.get("REDIS_URL"):
    os.environ.setdefault("RESPONSE_CACHE", "off")
    os.environ.setdefault("REPORT_CACHE", "off")

# Heartbeats in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Both logs to stdout/stderr; the access log without ?token= values or credential headers.
accesslog = "-"
errorlog = "-"
logger_class = "app.core.access_log.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'


def post_fork(server, worker) -> None:
    """A forked worker must not reuse database connections opened in the master."""
    from app.extensions import db
    from wsgi import app

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
