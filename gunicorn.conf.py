"""gunicorn's settings, from the environment (see README "Production"); forwarded headers are believed only when Django believes them."""

import gc
import os

from config.settings import BEHIND_PROXY

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let a worker serve other requests while one waits on the database or the cache.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker that stops answering its arbiter this long is restarted; requests fail well before,
# at the database's connect and statement timeouts.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Behind the proxy, gunicorn trusts those headers from its default addresses (127.0.0.1 and ::1,
# or FORWARDED_ALLOW_IPS); without one, from nobody.
if not BEHIND_PROXY:
    forwarded_allow_ips = ""


def post_worker_init(worker):
    """Each new worker reads the facet indexes and serves each language's listing once, in the background, before its
    first visitors would wait for them; then it freezes what it has loaded out of the garbage collector's reach, as
    config/wsgi.py does at start: the templates, translations, locale data and indexes read meanwhile made each full
    collection walk them again (15 to 23 ms, one request in two hundred; 5 to 6 ms once they are frozen).
    Objects of a request served at that moment are frozen too: those in reference cycles stay in memory."""
    from jobs.catalogue import warm_up

    warm_up(worker.wsgi, then=gc.freeze)
