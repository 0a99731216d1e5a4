"""gunicorn settings for Engage (see README, "Running with PostgreSQL and gunicorn")."""
import os

bind = os.environ.get("ENGAGE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ENGAGE_WORKERS", "4"))
# Threads let one worker overlap database waits; keep workers × threads within the pool sizes
# documented in the README.
threads = int(os.environ.get("ENGAGE_THREADS", "2"))
timeout = 30
graceful_timeout = 20


def post_fork(server, worker):  # noqa: ANN001
    # With --preload the app (and its engine) were made in the master: drop inherited pooled
    # connections so no two workers ever share one socket.
    from engage.db import dispose_engines
    app = getattr(worker, "app", None)
    wsgi = getattr(app, "callable", None) if app is not None else None
    if wsgi is not None:
        dispose_engines(wsgi)
