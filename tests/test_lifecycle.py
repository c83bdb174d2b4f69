"""A posting's lifecycle in the admin: its effective state, the filter and the actions."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from jobs.models import Lifecycle, Posting, Status
from tests.factories import PostingFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:jobs_posting_changelist")
TRAITS = {
    Lifecycle.DRAFT: {"draft": True},
    Lifecycle.SCHEDULED: {"scheduled": True},
    Lifecycle.PUBLISHED: {},
    Lifecycle.EXPIRED: {"expired": True},
    Lifecycle.ARCHIVED: {"archived": True},
}


def run_action(client, action, *postings, **data):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [p.pk for p in postings], **data})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_each_state_is_found_by_its_query_and_by_the_property():
    postings = {state: PostingFactory(**traits) for state, traits in TRAITS.items()}
    unscheduled = PostingFactory(status=Status.PUBLISHED, published_at=None)
    Posting.objects.filter(pk=unscheduled.pk).update(published_at=None)
    unscheduled.refresh_from_db()

    for state, posting in postings.items():
        assert posting.lifecycle == state
        assert set(Posting.objects.in_lifecycle(state)) == {posting} | (
            {unscheduled} if state == Lifecycle.SCHEDULED else set()
        )


@pytest.mark.parametrize("state", list(Lifecycle))
def test_the_list_shows_and_filters_the_effective_state(admin_client, state):
    for traits in TRAITS.values():
        PostingFactory(**traits)

    response = admin_client.get(CHANGELIST, {"lifecycle": state.value})

    assert [posting.lifecycle for posting in response.context["cl"].result_list] == [state]
    assert f'<td class="field-lifecycle_display">{state.label}</td>' in response.text


@pytest.mark.parametrize("state", [Lifecycle.DRAFT, Lifecycle.SCHEDULED, Lifecycle.ARCHIVED])
def test_publish_now_makes_a_posting_live_from_now(admin_client, state):
    posting = PostingFactory(**TRAITS[state])
    before = timezone.now()

    run_action(admin_client, "publish_now", posting)

    posting.refresh_from_db()
    assert posting.lifecycle == Lifecycle.PUBLISHED
    assert before <= posting.published_at <= timezone.now()
    assert posting in Posting.objects.live()


def test_publish_now_keeps_the_date_of_a_live_posting(admin_client):
    posting = PostingFactory()
    published_at = posting.published_at

    run_action(admin_client, "publish_now", posting)

    posting.refresh_from_db()
    assert posting.published_at == published_at


def test_publish_now_refuses_an_expired_posting_until_its_expiry_is_extended(admin_client):
    posting = PostingFactory(expired=True)

    response = run_action(admin_client, "publish_now", posting)

    posting.refresh_from_db()
    assert posting.lifecycle == Lifecycle.EXPIRED
    assert any("The expiry must come after the publish date." in message for message in messages_of(response))


def test_publish_now_refuses_a_posting_without_a_way_to_apply(admin_client):
    posting = PostingFactory(draft=True, apply_url="", apply_email="")
    ready = PostingFactory(draft=True)

    response = run_action(admin_client, "publish_now", posting, ready)

    posting.refresh_from_db()
    ready.refresh_from_db()
    assert posting.lifecycle == Lifecycle.DRAFT
    assert ready.lifecycle == Lifecycle.PUBLISHED
    assert any("Give an application URL or e-mail address" in message for message in messages_of(response))


def test_archive_takes_a_posting_off_the_site(admin_client):
    posting = PostingFactory()

    run_action(admin_client, "archive", posting)

    posting.refresh_from_db()
    assert posting.lifecycle == Lifecycle.ARCHIVED
    assert posting not in Posting.objects.live()


def test_extend_expiry_adds_thirty_days_to_an_open_posting(admin_client):
    posting = PostingFactory()
    valid_through = posting.valid_through

    run_action(admin_client, "extend_expiry", posting)

    posting.refresh_from_db()
    assert posting.valid_through == valid_through + timedelta(days=30)


def test_extend_expiry_reopens_an_expired_posting_for_thirty_days_from_now(admin_client):
    posting = PostingFactory(expired=True)

    run_action(admin_client, "extend_expiry", posting)

    posting.refresh_from_db()
    assert posting.lifecycle == Lifecycle.PUBLISHED
    assert timedelta(days=29) < posting.valid_through - timezone.now() <= timedelta(days=30)


def test_extend_expiry_leaves_a_posting_without_expiry_alone(admin_client):
    posting = PostingFactory(valid_through=None)

    response = run_action(admin_client, "extend_expiry", posting)

    posting.refresh_from_db()
    assert posting.valid_through is None
    assert "1 posting has no expiry date to extend." in messages_of(response)


def test_each_action_is_recorded_in_the_postings_history(admin_client, admin_user):
    first, second = PostingFactory(), PostingFactory()

    run_action(admin_client, "archive", first, second)

    for posting in (first, second):
        (version,) = Version.objects.get_for_object(posting)
        assert version.revision.user == admin_user
        assert version.revision.comment == "archived."
        # One revision per posting, so that each can be restored on its own.
        postings_in_revision = version.revision.version_set.filter(content_type__model="posting")
        assert [other.object_id for other in postings_in_revision] == [str(posting.pk)]


def test_duplicate_copies_a_posting_with_its_items_as_a_new_draft_job(admin_client):
    tag = TagFactory()
    posting = PostingFactory(tags=[tag])

    run_action(admin_client, "duplicate", posting)

    copy = Posting.objects.exclude(pk=posting.pk).get()
    assert copy.title == f"{posting.title} (copy)"
    assert copy.lifecycle == Lifecycle.DRAFT
    assert copy.published_at is None and copy.valid_through is None
    assert copy.slug != posting.slug
    assert copy.translation_group != posting.translation_group
    assert copy.language == posting.language
    assert list(copy.tags.all()) == [tag]
    for related in ("responsibilities", "requirements", "benefits", "career_steps"):
        original_items = [(item.position, item.text) for item in getattr(posting, related).all()]
        assert [(item.position, item.text) for item in getattr(copy, related).all()] == original_items
    assert [item.kind for item in copy.requirements.all()] == [item.kind for item in posting.requirements.all()]
    assert Version.objects.get_for_object(copy).get().revision.version_set.count() > 1


def test_create_translation_asks_for_the_language_of_one_posting(admin_client):
    first, second = PostingFactory(), PostingFactory()

    response = run_action(admin_client, "create_translation", first)
    refused = run_action(admin_client, "create_translation", first, second)

    assert response["Location"] == reverse("admin:jobs_posting_translate", args=[first.pk])
    assert "Select one posting to translate." in messages_of(refused)


def test_create_translation_offers_the_languages_the_job_lacks(admin_client):
    posting = PostingFactory(language="en")
    PostingFactory(language="fr", translation_group=posting.translation_group)

    response = admin_client.get(reverse("admin:jobs_posting_translate", args=[posting.pk]))

    choices = [code for code, _name in response.context["form"].fields["language"].choices]
    assert choices == ["de", "es"]


def test_create_translation_copies_the_posting_into_a_draft_of_the_same_job(admin_client):
    posting = PostingFactory(language="en")

    response = admin_client.post(reverse("admin:jobs_posting_translate", args=[posting.pk]), {"language": "de"})

    translation = Posting.objects.get(language="de")
    assert response["Location"] == reverse("admin:jobs_posting_change", args=[translation.pk])
    assert translation.translation_group == posting.translation_group
    assert translation.lifecycle == Lifecycle.DRAFT
    assert translation.title == posting.title
    assert [item.text for item in translation.requirements.all()] == [item.text for item in posting.requirements.all()]
    assert translation not in Posting.objects.live()


def test_create_translation_refuses_a_language_the_job_has(admin_client):
    posting = PostingFactory(language="en")

    response = admin_client.post(reverse("admin:jobs_posting_translate", args=[posting.pk]), {"language": "en"})

    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    assert Posting.objects.count() == 1
