"""What a production deployment gets: settings that fail closed, security headers, proxy trust."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.utils import ConnectionHandler

from core import database
from core.database import QueryWatchdog
from tests.conftest import PRODUCTION_SECRET_KEY
from tests.factories import HREditorFactory

CHECKOUT = Path(__file__).resolve().parent.parent


def run_python(*arguments, **environ):
    """Python in the checkout with only these environment variables (and PATH), as a server would start."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=CHECKOUT,
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_a_server_refuses_to_start_without_a_secret_key(module):
    result = run_python("-c", f"import {module}")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set." in result.stderr


def test_a_server_with_a_secret_key_and_nothing_else_is_not_in_debug_mode():
    result = run_python(
        "-c",
        "import config.wsgi; from django.conf import settings; print(settings.DEBUG)",
        DJANGO_SECRET_KEY=PRODUCTION_SECRET_KEY,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "False\n"


def test_debug_mode_runs_without_a_secret_key_or_https(production_settings):
    settings = production_settings(DJANGO_SECRET_KEY="", DJANGO_DEBUG="true")

    assert settings["DEBUG"] is True
    # check --deploy flags a key with this prefix, should it ever reach production.
    assert settings["SECRET_KEY"].startswith("django-insecure-")
    assert not settings["SECURE_SSL_REDIRECT"]
    assert not settings["SESSION_COOKIE_SECURE"]
    assert settings["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize(
    ("environ", "trusted"),
    [
        ({"DJANGO_BEHIND_PROXY": "false", "FORWARDED_ALLOW_IPS": "*"}, "[]"),
        ({"DJANGO_BEHIND_PROXY": "true"}, "['127.0.0.1', '::1']"),
    ],
    ids=["direct", "behind a proxy"],
)
def test_gunicorn_believes_forwarded_headers_only_from_the_proxy(environ, trusted):
    result = run_python(
        "-m",
        "gunicorn",
        "--print-config",
        "-c",
        "gunicorn.conf.py",
        "config.wsgi",
        DJANGO_SECRET_KEY=PRODUCTION_SECRET_KEY,
        **environ,
    )

    assert result.returncode == 0, result.stderr
    lines = (line.partition("=") for line in result.stdout.splitlines())
    config = {name.strip(): value.strip() for name, _, value in lines}
    assert config["forwarded_allow_ips"] == trusted


@pytest.mark.django_db
def test_public_pages_carry_the_security_headers_of_production(client, settings, production_settings):
    for name, value in production_settings().items():
        if name.startswith("SECURE_"):
            setattr(settings, name, value)

    assert client.get("/en/").headers["Location"] == "https://testserver/en/"
    response = client.get("/en/", secure=True)

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    policy = response.headers["Content-Security-Policy"]
    assert {"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} <= set(
        policy.split("; ")
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_postgresql_connections_have_connect_and_statement_timeouts_and_no_health_check_query(production_settings):
    databases = production_settings(DATABASE_URL="postgres://jobs@db.internal:5432/jobs")["DATABASES"]

    assert databases["default"]["OPTIONS"] == {
        "connect_timeout": 2,
        "options": "-c statement_timeout=5000 -c jit=off -c work_mem=32MB",
    }
    assert databases["default"]["CONN_MAX_AGE"] == 60
    assert databases["default"]["CONN_HEALTH_CHECKS"] is False
    assert "replica" not in databases


def test_database_timeouts_work_memory_and_the_replica_come_from_the_environment(production_settings):
    read = production_settings(
        DATABASE_URL="postgres://jobs@db.internal:5432/jobs",
        DATABASE_REPLICA_URL="postgres://jobs@replica.internal:5432/jobs",
        DJANGO_DB_CONNECT_TIMEOUT="5",
        DJANGO_DB_STATEMENT_TIMEOUT="2.5",
        DJANGO_DB_CONN_MAX_AGE="0",
        DJANGO_DB_WORK_MEM="64MB",
    )

    for alias in ("default", "replica"):
        assert read["DATABASES"][alias]["OPTIONS"] == {
            "connect_timeout": 5,
            "options": "-c statement_timeout=2500 -c jit=off -c work_mem=64MB",
        }
        assert read["DATABASES"][alias]["CONN_MAX_AGE"] == 0
    assert read["DATABASES"]["replica"]["HOST"] == "replica.internal"
    assert read["DATABASE_QUERY_DEADLINE"] == 3.5
    assert read["DATABASE_ROUTERS"] == ["config.routers.ReplicaRouter"]
    assert "config.routers.ReplicaMiddleware" in read["MIDDLEWARE"]


@pytest.mark.django_db
def test_a_hung_postgresql_fails_a_new_connection_at_the_connect_timeout(production_settings):
    with socket.create_server(("127.0.0.1", 0)) as hung:
        port = hung.getsockname()[1]
        databases = production_settings(DATABASE_URL=f"postgres://jobs@127.0.0.1:{port}/jobs")["DATABASES"]
        connection = ConnectionHandler(databases)["default"]
        started = time.monotonic()

        with pytest.raises(OperationalError):
            connection.ensure_connection()

    assert 1.5 < time.monotonic() - started < 4


def test_the_cache_and_the_rate_limits_use_redis_with_short_timeouts(production_settings):
    caches = production_settings(REDIS_URL="redis://cache.internal:6379/0")["CACHES"]

    assert caches["default"]["BACKEND"] == "core.cache.TolerantRedisCache"
    assert caches["default"]["OPTIONS"] == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    assert caches["ratelimit"] == {**caches["default"], "FALLBACK": "django.core.cache.backends.locmem.LocMemCache"}


@pytest.mark.django_db
def test_cookies_are_secure_and_same_site_in_production(client, settings, production_settings):
    production = production_settings()
    for name, value in production.items():
        if name.endswith(("COOKIE_SECURE", "COOKIE_SAMESITE", "COOKIE_HTTPONLY")):
            setattr(settings, name, value)
    HREditorFactory(username="alice", raw_password="correct horse battery")

    cookies = {
        **client.post("/i18n/setlang/", {"language": "fr", "next": "/fr/"}).cookies,
        **client.get("/admin/login/").cookies,
        **client.post("/admin/login/", {"username": "alice", "password": "correct horse battery"}).cookies,
    }

    assert set(cookies) == {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME}
    for cookie in cookies.values():
        assert cookie["secure"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key
    assert cookies[settings.LANGUAGE_COOKIE_NAME]["httponly"] is True


def test_logs_are_json_in_production_and_text_in_development(production_settings):
    assert production_settings()["LOGGING"]["handlers"]["console"]["formatter"] == "json"
    assert production_settings(DJANGO_DEBUG="true")["LOGGING"]["handlers"]["console"]["formatter"] == "text"


def test_gunicorn_takes_workers_threads_and_timeouts_from_the_environment():
    result = run_python(
        "-m",
        "gunicorn",
        "--print-config",
        "-c",
        "gunicorn.conf.py",
        "config.wsgi",
        DJANGO_SECRET_KEY=PRODUCTION_SECRET_KEY,
        GUNICORN_BIND="0.0.0.0:8000",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="8",
        GUNICORN_TIMEOUT="20",
    )

    assert result.returncode == 0, result.stderr
    lines = (line.partition("=") for line in result.stdout.splitlines())
    config = {name.strip(): value.strip() for name, _, value in lines}
    assert config["bind"] == "['0.0.0.0:8000']"
    assert (config["worker_class"], config["workers"], config["threads"], config["timeout"]) == (
        "gthread",
        "3",
        "8",
        "20",
    )


@pytest.mark.django_db
def test_a_query_the_server_does_not_answer_is_cut_off_at_its_deadline():
    """The client-side deadline (core.database) ends a query even when the server cannot: here one sleeping longer."""
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    if connection.vendor != "postgresql":
        pytest.skip("the deadline watches PostgreSQL connections")
    started = time.monotonic()
    try:
        with connection.execute_wrapper(QueryWatchdog(0.5, interval=0.1)), pytest.raises(OperationalError):
            connection.cursor().execute("SELECT pg_sleep(5)")
    finally:
        connection.close()

    assert time.monotonic() - started < 1.5
    assert database.outage.skipping()
