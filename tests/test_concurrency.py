"""Two HR editors at once, against a live server on PostgreSQL: no write path loses the other's edit; what readers
hold of the catalogue follows the saves."""

import gc
import random
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from jobs import catalogue, locking
from jobs.facetindex import indexes
from jobs.filters import facet_index
from jobs.models import Lifecycle, Posting, Status
from tests.admin_forms import change_form_data
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory
from tests.test_facets import held

pytestmark = pytest.mark.django_db(transaction=True)

TRIALS = 15
CONFLICT = "after you opened it"
BUSY = "Someone else is saving this posting at this moment"  # waited LOCK_WAIT for the other save


@pytest.fixture(autouse=True)
def no_collection_pauses():
    """The live server runs in this process, whose heap the whole suite has grown. A full garbage collection stops
    every thread, a save holding its row lock among them: collections of 2 to 2.5 s were seen during a suite run on
    a busy machine, long enough for a racing save to run into the statement timeout. The heap is frozen out of
    collections during these tests, as config/wsgi.py freezes a served process's."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks and concurrent transactions need PostgreSQL (SQLite serialises every write)")


class Editor:
    """An HR editor's browser session against the live server: form data read with the test client."""

    def __init__(self, live_server, user):
        self.base = live_server.url
        self.client = Client()
        self.client.force_login(user)
        self.csrf = secrets.token_hex(16)
        self.cookie = f"sessionid={self.client.cookies['sessionid'].value}; csrftoken={self.csrf}"

    def form(self, url):
        return change_form_data(self.client.get(url))

    def post(self, url, data):
        """(status, body) of POSTing `data` to `url`, redirects not followed."""
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
        request = urllib.request.Request(self.base + url, body, {"Cookie": self.cookie})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def race(*requests):
    """Call the `requests` (functions of no argument) at the same moment, each in a thread; their answers in order.
    A request that raised (no answer within its timeout, a connection reset) raises here, as it is."""
    start = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def send(index, request):
        start.wait()
        try:
            answers[index] = request()
        except Exception as failure:  # noqa: BLE001 (raised in the test's thread below)
            answers[index] = failure

    threads = [threading.Thread(target=send, args=entry) for entry in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for answer in answers:
        if isinstance(answer, Exception):
            raise answer
    return answers


@pytest.fixture
def editors(live_server):
    company = CompanyFactory()
    return (
        company,
        Editor(live_server, HREditorFactory(companies=[company])),
        Editor(live_server, HREditorFactory(companies=[company])),
    )


def change_url(posting):
    return reverse("admin:jobs_posting_change", args=[posting.pk])


ACTIONS = {
    "publish_now": ({"draft": True}, lambda before, after: after.lifecycle == Lifecycle.PUBLISHED),
    "archive": ({}, lambda before, after: after.status == Status.ARCHIVED),
    "extend_expiry": ({}, lambda before, after: after.valid_through > before.valid_through + timedelta(days=29)),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_and_a_form_save_at_once_lose_nothing(editors, action):
    company, writer, actor = editors
    traits, applied = ACTIONS[action]
    for trial in range(TRIALS):
        before = PostingFactory(company=company, valid_through=timezone.now() + timedelta(days=5), **traits)
        edited = writer.form(change_url(before)) | {"title": f"Edited title {trial}"}

        (form_status, form_page), (action_status, _page) = race(
            partial(writer.post, change_url(before), edited),
            partial(
                actor.post,
                reverse("admin:jobs_posting_changelist"),
                {"action": action, "_selected_action": [before.pk]},
            ),
        )

        after = Posting.objects.get(pk=before.pk)
        assert action_status == 302
        assert applied(before, after), f"trial {trial}: the action's change was lost"
        if form_status == 302:
            assert after.title == f"Edited title {trial}", f"trial {trial}: the form's title was lost"
        else:
            assert form_status == 200 and (CONFLICT in form_page or BUSY in form_page)
            assert after.title == before.title


def test_a_restore_and_a_form_save_at_once_cannot_both_win(editors):
    company, writer, restorer = editors
    for trial in range(TRIALS):
        posting = PostingFactory(company=company)
        restorer.client.post(change_url(posting), restorer.form(change_url(posting)) | {"title": f"Old {trial}"})
        old = Version.objects.get_for_object(posting).get()
        restore_url = reverse("admin:jobs_posting_revision", args=[posting.pk, old.pk])
        restorer.client.post(change_url(posting), restorer.form(change_url(posting)) | {"title": f"Current {trial}"})
        restore = restorer.form(restore_url)
        edited = writer.form(change_url(posting)) | {"title": f"Edited {trial}"}

        (form_status, _form_page), (restore_status, _restore_page) = race(
            partial(writer.post, change_url(posting), edited),
            partial(restorer.post, restore_url, restore),
        )

        title = Posting.objects.get(pk=posting.pk).title
        assert sorted([form_status, restore_status]) == [200, 302], f"trial {trial}: both or neither saved"
        assert title == (f"Edited {trial}" if form_status == 302 else f"Old {trial}")


def test_two_saves_of_the_same_form_at_once_save_one_and_refuse_the_other(editors):
    company, first, second = editors
    for trial in range(TRIALS):
        posting = PostingFactory(company=company)
        url = change_url(posting)
        mine, theirs = first.form(url) | {"title": f"Mine {trial}"}, second.form(url) | {"title": f"Theirs {trial}"}

        (my_status, _my_page), (their_status, their_page) = race(
            partial(first.post, url, mine), partial(second.post, url, theirs)
        )

        assert sorted([my_status, their_status]) == [200, 302], f"trial {trial}: both or neither saved"
        assert Posting.objects.get(pk=posting.pk).title == (f"Mine {trial}" if my_status == 302 else f"Theirs {trial}")


@contextmanager
def row_locked(posting):
    """The posting's row locked, while the block runs, by a transaction on another connection (a slow save)."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Posting.objects.select_for_update().filter(pk=posting.pk).first()
            locked.set()
            release.wait(30)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join()


@pytest.fixture
def short_lock_wait(monkeypatch):
    monkeypatch.setattr(locking, "LOCK_WAIT", 0.2)


def test_a_save_that_waits_too_long_for_another_keeps_the_form_and_saves_nothing(editors, short_lock_wait):
    company, writer, _other = editors
    posting = PostingFactory(company=company, title="Before")
    edited = writer.form(change_url(posting)) | {"title": "Mine"}

    with row_locked(posting):
        page = writer.client.post(change_url(posting), edited)

    assert page.status_code == 200
    assert BUSY in page.text
    assert 'value="Mine"' in page.text
    assert Posting.objects.get(pk=posting.pk).title == "Before"
    assert writer.client.post(change_url(posting), edited).status_code == 302
    assert Posting.objects.get(pk=posting.pk).title == "Mine"


def test_an_action_that_waits_too_long_for_a_save_says_so_and_changes_nothing(editors, short_lock_wait):
    company, _writer, actor = editors
    posting = PostingFactory(company=company)
    archive = {"action": "archive", "_selected_action": [posting.pk]}

    with row_locked(posting):
        answer = actor.client.post(reverse("admin:jobs_posting_changelist"), archive, follow=True)

    assert "was not changed: someone else was saving it" in answer.text
    assert Posting.objects.get(pk=posting.pk).status != Status.ARCHIVED


def test_facet_indexes_brought_up_to_date_while_hr_save_hold_what_a_whole_read_finds():
    """Readers bring the index up to date from the recorded changes while saves commit around them: once the saves
    end, the index held equals one read whole."""
    keys = [posting.pk for posting in PostingFactory.create_batch(20, items=False)]
    saving, failures = threading.Event(), []

    def in_thread(work):
        def run():
            try:
                work()
            except Exception as failure:  # noqa: BLE001 (reported below)
                failures.append(failure)
            finally:
                connection.close()

        return threading.Thread(target=run)

    def save(seed):
        rng = random.Random(seed)
        for _ in range(25):
            posting = Posting.objects.get(pk=rng.choice(keys))
            posting.workplace, posting.seniority = rng.choice(["onsite", "hybrid"]), rng.choice(["junior", "senior"])
            posting.visa_sponsorship = rng.random() < 0.5
            posting.save()

    def read():
        while saving.is_set():
            now = timezone.now()
            facet_index("en", now, catalogue.current(now))

    saving.set()
    savers = [in_thread(partial(save, seed)) for seed in range(2)]
    readers = [in_thread(read) for _reader in range(2)]
    for thread in savers + readers:
        thread.start()
    for thread in savers:
        thread.join()
    saving.clear()
    for thread in readers:
        thread.join()
    now = timezone.now()
    updated = facet_index("en", now, catalogue.current(now))
    indexes.clear()

    assert not failures
    assert held(updated) == held(facet_index("en", now, catalogue.current(now)))
