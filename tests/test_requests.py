"""Every request: its id and log line, the methods answered, the health check, and the page of an unavailable database."""

import io
import json
import logging
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.errors import QueryCanceled

from core import database
from tests.factories import HREditorFactory, PostingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the console handler of production writes from now on, as parsed JSON objects."""
    console = logging.getHandlerByName("console")
    stream = io.StringIO()
    copy = logging.StreamHandler(stream)
    copy.setFormatter(console.formatter)
    for log_filter in console.filters:
        copy.addFilter(log_filter)
    logging.getLogger().addHandler(copy)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(copy)


def test_each_request_gets_one_json_log_line_with_its_id(client, log_lines):
    PostingFactory(language="en")

    response = client.get("/en/?q=engineer")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [line for line in log_lines() if line["logger"] == "core.requests"]
    assert line["request_id"] == request_id
    assert line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/en/", 200)
    assert line["duration_ms"] > 0
    assert "user_id" not in line
    assert "time" in line


def test_a_request_id_from_the_proxy_is_kept_and_a_malformed_one_replaced(client):
    assert client.get("/robots.txt", headers={"X-Request-ID": "a1b2-c3.d4_e5"})["X-Request-ID"] == "a1b2-c3.d4_e5"

    replaced = client.get("/robots.txt", headers={"X-Request-ID": "spaces and\nnewlines"})["X-Request-ID"]
    assert len(replaced) == 32
    assert replaced.isalnum()


def test_the_log_line_names_a_staff_user(client, log_lines):
    editor = HREditorFactory()
    client.force_login(editor)

    client.get("/admin/")

    [line] = [line for line in log_lines() if line["logger"] == "core.requests"]
    assert line["user_id"] == editor.pk


def test_an_error_is_logged_with_its_traceback_and_the_request_id(client, log_lines):
    client.raise_request_exception = False

    with mock.patch("jobs.views.PostingFilter", side_effect=RuntimeError("boom")):
        response = client.get("/en/")

    assert response.status_code == 500
    lines = log_lines()
    [error] = [line for line in lines if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: boom" in error["exc_info"]
    [request_line] = [line for line in lines if line["logger"] == "core.requests"]
    assert (request_line["level"], request_line["status"]) == ("ERROR", 500)


@pytest.mark.parametrize(
    "path", ["/en/", "/en/feed/", "/sitemap.xml", "/sitemap-postings.xml", "/robots.txt", "/healthz"]
)
@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "PROPFIND"])
def test_methods_other_than_get_head_and_post_are_refused(client, path, method):
    response = client.generic(method, path)

    assert response.status_code == 405
    assert {"GET", "HEAD"} <= set(response["Allow"].split(", ")) <= {"GET", "HEAD", "POST"}


@pytest.mark.parametrize("path", ["/en/", "/en/feed/", "/sitemap.xml", "/sitemap-postings.xml", "/healthz"])
def test_pages_without_a_form_refuse_post(client, path):
    assert client.post(path).status_code == 405


@pytest.mark.parametrize("path", ["/en/", "/en/feed/", "/sitemap.xml", "/robots.txt", "/healthz"])
def test_get_and_head_are_answered(client, path):
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200


@pytest.fixture
def production_security(settings, production_settings):
    production = production_settings(DJANGO_ALLOWED_HOSTS="jobs.example.com", DJANGO_BEHIND_PROXY="true")
    for name in ("ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_REDIRECT_EXEMPT"):
        setattr(settings, name, production[name])


def test_healthz_answers_a_load_balancer_on_plain_http_with_any_host(client, production_security, caplog):
    response = client.get("/healthz", headers={"Host": "10.0.3.7:8000"})

    assert response.status_code == 200
    assert response.text == "ok\n"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    # The rest of the site still redirects to HTTPS and refuses unknown hosts.
    assert client.get("/en/", headers={"Host": "jobs.example.com"}).status_code == 301
    assert client.get("/en/", headers={"Host": "10.0.3.7:8000"}, secure=True).status_code == 400


def test_healthz_does_not_touch_the_cache(client):
    with (
        mock.patch.object(LocMemCache, "get", side_effect=AssertionError("cache read")),
        mock.patch.object(LocMemCache, "set", side_effect=AssertionError("cache write")),
    ):
        assert client.get("/healthz").status_code == 200


def test_healthz_answers_503_without_an_error_log_when_the_database_fails(client, production_security, caplog):
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=DatabaseError("connection refused")):
        response = client.get("/healthz", headers={"Host": "10.0.3.7"})

    assert response.status_code == 503
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def database_down(*args, **kwargs):
    raise OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: refused\nIs it up?'
    )


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
def test_an_unavailable_database_gets_a_503_page_in_the_visitors_language(client, language):
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", database_down):
        response = client.get(f"/{language}/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-cache" in response["Cache-Control"]
    assert f'<html lang="{language}">' in response.text
    english = "The job board is temporarily unavailable"
    assert (english in response.text) == (language == "en")


@pytest.mark.parametrize(
    "error", [database_down, InterfaceError("connection already closed"), OperationalError("canceling statement")]
)
def test_an_unavailable_database_is_one_log_line_without_a_traceback(client, log_lines, error):

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=error):
        response = client.get("/en/jobs/some-job/")

    assert response.status_code == 503
    [outage, line] = log_lines()
    assert (outage["logger"], outage["level"]) == ("core.outages", "WARNING")
    assert outage["message"].startswith("Database unavailable: ")
    assert line["logger"] == "core.requests"
    assert (line["level"], line["status"]) == ("WARNING", 503)
    assert line["error"].startswith("database unavailable: ")
    assert "\n" not in line["error"]
    assert "exc_info" not in line


def test_after_an_outage_is_seen_requests_get_503_at_once_and_the_database_is_tried_again_later(client, monkeypatch):
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=database_down) as connect:
        assert client.get("/en/").status_code == 503
        attempts = connect.call_count
        assert client.get("/de/").status_code == 503
        assert client.get("/healthz").status_code == 503
        assert connect.call_count == attempts

    monkeypatch.setattr(database.outage, "retry_at", 0)
    assert client.get("/en/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_statement_timeout_is_a_503_for_that_request_only(client):
    timeout = OperationalError("canceling statement due to statement timeout")
    timeout.__cause__ = QueryCanceled("canceling statement due to statement timeout")

    with mock.patch("jobs.views.PostingFilter", side_effect=timeout):
        assert client.get("/en/?q=slow").status_code == 503

    assert client.get("/en/").status_code == 200
