"""What a production deployment gets: settings that fail closed, security headers, proxy trust."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PRODUCTION_SECRET_KEY

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
