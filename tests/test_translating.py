"""Translating a posting in the admin: the draft copy, its own slug, and the source's text beside each field."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Benefit, Posting, Requirement
from tests.admin_forms import change_form_data
from tests.factories import PostingFactory, add_items

pytestmark = pytest.mark.django_db


def translate(client, posting, language):
    response = client.post(reverse("admin:jobs_posting_translate", args=[posting.pk]), {"language": language})
    assert response.status_code == 302
    return Posting.objects.get(translation_group=posting.translation_group, language=language)


def change_page(client, posting):
    return client.get(reverse("admin:jobs_posting_change", args=[posting.pk]))


def save(client, posting, **changes):
    data = change_form_data(change_page(client, posting)) | changes
    response = client.post(reverse("admin:jobs_posting_change", args=[posting.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    posting.refresh_from_db()
    return posting


@pytest.fixture
def source():
    return PostingFactory(
        language="en",
        title="Senior backend engineer",
        apply_url="https://example.com/apply",
        apply_email="jobs@example.com",
        valid_through=timezone.now() + timedelta(days=45),
    )


def test_a_translation_keeps_the_expiry_and_the_ways_to_apply(admin_client, source):
    translation = translate(admin_client, source, "fr")

    assert translation.status == "draft"
    assert translation.valid_through == source.valid_through
    assert (translation.apply_url, translation.apply_email) == (source.apply_url, source.apply_email)


def test_a_translated_title_gives_the_draft_a_slug_of_its_own(admin_client, source):
    translation = translate(admin_client, source, "fr")
    assert translation.slug == "senior-backend-engineer-2"

    save(admin_client, translation, title="Ingénieur backend senior")
    assert translation.slug == "ingenieur-backend-senior"

    save(admin_client, translation, title="Ingénieure backend senior", status="published")
    assert translation.slug == "ingenieure-backend-senior"


def test_a_slug_typed_by_hand_is_kept(admin_client, source):
    translation = translate(admin_client, source, "fr")

    save(admin_client, translation, title="Ingénieur backend senior", slug="backend-lyon")

    assert translation.slug == "backend-lyon"


@pytest.mark.parametrize("published", [{}, {"expired": True}, {"status": "draft"}])
def test_a_posting_that_has_been_public_keeps_its_address_when_retitled(admin_client, published):
    posting = PostingFactory(title="Data engineer", slug="", **published)

    save(admin_client, posting, title="Senior data engineer")

    assert posting.slug == "data-engineer"


def test_a_new_title_for_a_scheduled_posting_gives_it_a_new_slug(admin_client):
    posting = PostingFactory(title="Data engineer", slug="", scheduled=True)

    save(admin_client, posting, title="Senior data engineer")

    assert posting.slug == "senior-data-engineer"


def test_the_change_page_of_a_translation_shows_the_source_text_under_each_field(admin_client, source):
    source.summary = "Build our services."
    source.description = "We are forty.\n\nWe ship daily."
    source.save()
    source.benefits.all().delete()
    add_items(source, Benefit, "Thirty days of holiday", "Learning budget")
    translation = translate(admin_client, source, "fr")
    translation.benefits.filter(position=1).update(text="Trente jours de congés")

    response = change_page(admin_client, translation)

    assert "A translation of" in response.text
    assert f'href="{reverse("admin:jobs_posting_change", args=[source.pk])}">Senior backend engineer</a> (English)' in (
        response.text
    )
    names = [name for fieldset in response.context["adminform"] for line in fieldset for name in line.fields]
    for field in ["title", "summary", "description"]:
        assert names[names.index(field) + 1] == f"original_{field}"
    assert "<p>We are forty.</p>" in response.text
    assert "<p>We ship daily.</p>" in response.text
    benefits = next(inline for inline in response.context["inline_admin_formsets"] if inline.opts.model is Benefit)
    originals = [
        field.contents()
        for admin_form in benefits
        for fieldset in admin_form
        for line in fieldset
        for field in line
        if field.is_readonly and field.field["name"] == "original_text"
    ]
    assert originals[:2] == ["Thirty days of holiday", "Learning budget"]


def test_the_source_itself_shows_no_original(admin_client, source):
    translate(admin_client, source, "fr")

    response = change_page(admin_client, source)

    assert "original_title" not in response.text
    assert "A translation of" not in response.text


def test_the_change_page_of_a_translation_takes_a_fixed_number_of_queries(
    admin_client, source, django_assert_max_num_queries
):
    add_items(source, Requirement, *[("qualification", f"Requirement {n}") for n in range(30)])
    translation = translate(admin_client, source, "fr")
    with django_assert_max_num_queries(100) as few:
        change_page(admin_client, translation)
    add_items(source, Benefit, *[f"Benefit {n}" for n in range(30)])
    add_items(translation, Benefit, *[f"Avantage {n}" for n in range(30)])

    with django_assert_max_num_queries(len(few.captured_queries)):
        change_page(admin_client, translation)
