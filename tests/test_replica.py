"""Read scaling: visitors' reads go to the replica, staff and writes to the primary (config/routers.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from config.routers import ReplicaMiddleware, ReplicaRouter, reads_from_replica
from jobs.models import Posting
from tests.factories import HREditorFactory, PostingFactory

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    """The router and its middleware, as DATABASE_REPLICA_URL turns them on; the tests' second database is the replica."""
    settings.DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
    position = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:position],
        "config.routers.ReplicaMiddleware",
        *settings.MIDDLEWARE[position:],
    ]


@pytest.fixture
def primary_and_replica(replica):
    """A posting on the primary and a different one on the replica, as if the replica lagged behind.

    The replica's posting is inserted as a row: Posting.save() also writes work countries, through the primary.
    """
    PostingFactory(language="en", title="Only on the primary", slug="on-primary")
    on_replica = PostingFactory.build(language="en", title="Only on the replica", slug="on-replica")
    on_replica.company.save(using="replica")
    Posting.objects.using("replica").bulk_create([on_replica])


def test_a_visitor_reads_the_listing_from_the_replica(client, primary_and_replica):
    response = client.get("/en/")

    assert "Only on the replica" in response.text
    assert "Only on the primary" not in response.text


def test_staff_read_their_writes_from_the_primary(client, primary_and_replica):
    client.force_login(HREditorFactory(is_superuser=True))

    response = client.get("/en/")

    assert "Only on the primary" in response.text
    assert "Only on the replica" not in response.text


@pytest.mark.parametrize(
    ("method", "staff", "replica_allowed"),
    [("GET", False, True), ("HEAD", False, True), ("POST", False, False), ("GET", True, False), ("POST", True, False)],
)
def test_only_a_visitors_get_or_head_may_read_from_the_replica(method, staff, replica_allowed):
    request = RequestFactory().generic(method, "/en/")
    request.user = HREditorFactory.build() if staff else AnonymousUser()
    seen = []

    ReplicaMiddleware(lambda request: seen.append(reads_from_replica.get()))(request)

    assert seen == [replica_allowed]
    assert reads_from_replica.get() is False


def test_a_request_that_wrote_reads_from_the_primary_from_then_on():
    router = ReplicaRouter()
    token = reads_from_replica.set(True)
    try:
        assert router.db_for_read(Posting) == "replica"
        assert router.db_for_write(Posting) == "default"
        assert router.db_for_read(Posting) == "default"
    finally:
        reads_from_replica.reset(token)


def test_outside_a_request_everything_uses_the_primary():
    router = ReplicaRouter()

    assert router.db_for_read(Posting) == "default"
    assert router.db_for_write(Posting) == "default"
    assert router.allow_migrate("default", "jobs")
    assert not router.allow_migrate("replica", "jobs")
