"""Settings for the test suite: the production settings, with a fixed key and fast, local services."""

import os

# settings.py refuses to load without a secret key; tests use a fixed one.
os.environ["DJANGO_SECRET_KEY"] = "test-only-secret-key-never-used-to-sign-anything-real"
# Production gives up on a new PostgreSQL connection after 2 s. A test machine running both suites at once on two
# cores can take longer than that to start a backend for each of the live server's threads; the timeout's own tests
# read the production settings (tests/test_production.py).
os.environ.setdefault("DJANGO_DB_CONNECT_TIMEOUT", "30")

from config.settings import *  # noqa: E402, F403
from config.settings import DATABASES, STORAGES  # noqa: E402

DEBUG = False
# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {alias: {**database, "CONN_MAX_AGE": 0} for alias, database in DATABASES.items()}
# A second database standing in for a read replica (tests/test_replica.py turns the router on);
# only the tests that name it get it created.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"NAME": f"test_{DATABASES['default']['NAME']}_replica"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["replica"]["TEST"] = {}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tests run without collectstatic, so static URLs must not need the manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
