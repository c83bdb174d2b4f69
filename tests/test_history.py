"""A posting's history in the admin: who changed what and when, restoring a version, recovering a deletion."""

import io

import pytest
import reversion
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from jobs.models import ITEM_RELATIONS, Lifecycle, Posting, SearchEntry, WorkCountry
from tests.admin_forms import change_form_data
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory

pytestmark = pytest.mark.django_db


def change_url(posting):
    return reverse("admin:jobs_posting_change", args=[posting.pk])


def edit(client, posting, **changes):
    data = change_form_data(client.get(change_url(posting))) | changes
    response = client.post(change_url(posting), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def versions_of(posting):
    return Version.objects.get_for_object(posting).select_related("revision__user").order_by("pk")


@pytest.fixture
def hr(client):
    company = CompanyFactory()
    user = HREditorFactory(companies=[company])
    client.force_login(user)
    return user


def test_every_admin_change_is_recorded_with_who_and_what(client, hr, django_capture_on_commit_callbacks):
    posting = PostingFactory(company=hr.companies.get(), title="Backend engineer")

    edit(client, posting, title="Backend developer")
    edit(client, posting, **{"requirements-0-text": "Rust", "benefits-2-DELETE": "on"})

    first, second = versions_of(posting)
    assert first.revision.user == second.revision.user == hr
    assert first.revision.get_comment() == "Changed Title."
    assert "Changed Text for requirement “Rust”." in second.revision.get_comment()
    assert "Deleted benefit “Benefit 3”." in second.revision.get_comment()
    history = client.get(reverse("admin:jobs_posting_history", args=[posting.pk]))
    assert history.status_code == 200
    table = history.text[history.text.index('<table id="change-history"') :]
    assert "Changed Title." in table
    assert hr.username in table


def test_restoring_a_version_brings_back_the_posting_and_its_items(client, hr, django_capture_on_commit_callbacks):
    posting = PostingFactory(company=hr.companies.get(), title="Backend engineer")
    edit(client, posting, summary="The first summary.")
    kept = versions_of(posting).get()
    items = {
        related: [(item.position, item.text) for item in getattr(posting, related).all()]
        for related in ("responsibilities", "requirements", "benefits", "career_steps")
    }
    edit(
        client,
        posting,
        title="Infrastructure wizard",
        summary="A later summary.",
        **{
            "requirements-0-text": "Changed later",
            "requirements-1-position": "9",
            "benefits-0-DELETE": "on",
            "responsibilities-4-text": "Added later",
        },
    )
    revision_url = reverse("admin:jobs_posting_revision", args=[posting.pk, kept.pk])

    preview = client.get(revision_url)

    assert preview.status_code == 200
    assert 'value="Backend engineer"' in preview.text
    assert Posting.objects.get(pk=posting.pk).title == "Infrastructure wizard"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(revision_url, change_form_data(preview))

    assert response.status_code == 302
    posting.refresh_from_db()
    assert (posting.title, posting.summary) == ("Backend engineer", "The first summary.")
    for related, expected in items.items():
        assert [(item.position, item.text) for item in getattr(posting, related).all()] == expected
    document = SearchEntry.objects.get(posting=posting).document
    assert "backend engineer" in document
    assert "wizard" not in document
    assert versions_of(posting).last().revision.user == hr


def test_restoring_refuses_forms_opened_before_it(client, hr):
    posting = PostingFactory(company=hr.companies.get())
    edit(client, posting, title="First")
    first = versions_of(posting).get()
    stale = change_form_data(client.get(change_url(posting)))
    revision_url = reverse("admin:jobs_posting_revision", args=[posting.pk, first.pk])
    edit(client, posting, title="Second")

    client.post(revision_url, change_form_data(client.get(revision_url)))
    response = client.post(change_url(posting), stale | {"title": "Stale"})

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Posting.objects.get(pk=posting.pk).title == "First"


def test_a_version_that_can_no_longer_be_restored_is_refused_with_the_reason(client, hr):
    posting = PostingFactory(company=hr.companies.get(), slug="backend-engineer")
    edit(client, posting, title="First")
    url = reverse("admin:jobs_posting_revision", args=[posting.pk, versions_of(posting).get().pk])
    edit(client, posting, slug="backend-developer")
    PostingFactory(slug="backend-engineer")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_posting_changelist")
    assert "This version of “First” can no longer be restored." in map(str, get_messages(response.wsgi_request))
    posting.refresh_from_db()
    assert (posting.title, posting.slug) == ("First", "backend-developer")


def test_a_deleted_published_posting_can_be_recovered(client, hr, django_capture_on_commit_callbacks):
    posting = PostingFactory(company=hr.companies.get(), remote=True)
    pk, requirements = posting.pk, [item.text for item in posting.requirements.all()]

    client.post(reverse("admin:jobs_posting_delete", args=[pk]), {"post": "yes"})
    assert not Posting.objects.filter(pk=pk).exists()
    recover_list = client.get(reverse("admin:jobs_posting_recoverlist"))
    (deleted,) = recover_list.context["deleted"]
    recover_url = reverse("admin:jobs_posting_recover", args=[deleted.pk])
    form = client.get(recover_url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(recover_url, change_form_data(form))

    assert response.status_code == 302
    recovered = Posting.objects.get(pk=pk)
    assert recovered.lifecycle == Lifecycle.PUBLISHED
    assert recovered in Posting.objects.live()
    assert [item.text for item in recovered.requirements.all()] == requirements
    assert set(WorkCountry.objects.filter(posting=recovered).values_list("country", flat=True)) == {"DE", "FR", "ES"}
    assert SearchEntry.objects.get(posting=recovered).document


def test_postings_deleted_from_the_list_can_be_recovered_one_by_one(admin_client):
    first, second = PostingFactory(), PostingFactory()

    admin_client.post(
        reverse("admin:jobs_posting_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    deleted = admin_client.get(reverse("admin:jobs_posting_recoverlist")).context["deleted"]
    assert sorted(version.object_repr for version in deleted) == sorted([first.title, second.title])
    assert all(version.revision.version_set.filter(content_type__model="posting").count() == 1 for version in deleted)


def test_hr_sees_and_recovers_only_their_companies_deletions(client, hr, admin_client):
    own = PostingFactory(company=hr.companies.get())
    other = PostingFactory()
    for posting in (own, other):
        admin_client.post(reverse("admin:jobs_posting_delete", args=[posting.pk]), {"post": "yes"})
    other_version = Version.objects.get_deleted(Posting).get(object_id=other.pk)

    deleted = client.get(reverse("admin:jobs_posting_recoverlist")).context["deleted"]
    recover = client.get(reverse("admin:jobs_posting_recover", args=[other_version.pk]))
    forced = client.post(reverse("admin:jobs_posting_recover", args=[other_version.pk]), {})

    assert [version.object_repr for version in deleted] == [own.title]
    assert recover.status_code == forced.status_code == 404
    assert not Posting.objects.filter(pk=other.pk).exists()


def test_hr_cannot_restore_versions_of_another_companys_posting(client, hr, admin_client):
    other = PostingFactory(title="Original")
    edit(admin_client, other, title="Edited")
    version = versions_of(other).get()
    admin_client.post(change_url(other), change_form_data(admin_client.get(change_url(other))) | {"title": "Latest"})
    url = reverse("admin:jobs_posting_revision", args=[other.pk, version.pk])

    response = client.post(url, {"title": "Hijacked"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert Posting.objects.get(pk=other.pk).title == "Latest"


def test_a_version_of_a_posting_moved_to_another_company_is_not_restored_by_hr(client, hr, admin_client):
    company = hr.companies.get()
    posting = PostingFactory()
    edit(admin_client, posting, title="Elsewhere")
    version = versions_of(posting).get()
    edit(admin_client, posting, company=str(company.pk))
    url = reverse("admin:jobs_posting_revision", args=[posting.pk, version.pk])

    assert client.get(url).status_code == 404
    assert Posting.objects.get(pk=posting.pk).company == company


def item_texts(posting):
    return {related: [item.text for item in getattr(posting, related).all()] for related in ITEM_RELATIONS}


def test_an_imported_posting_is_restored_alone_with_its_items(tmp_path, client, hr, admin_client):
    own = PostingFactory(company=hr.companies.get(), title="Ours as imported")
    theirs = PostingFactory(title="Theirs as imported")
    exported = tmp_path / "postings.json"
    call_command("export_postings", "--output", str(exported), stderr=io.StringIO())
    call_command("import_postings", str(exported), stdout=io.StringIO())
    imported_items = item_texts(own)
    edit(admin_client, theirs, title="Theirs, edited later")
    edit(client, own, title="Ours, edited later", **{"requirements-0-DELETE": "on"})
    imported = versions_of(own).first()
    assert imported.revision.get_comment() == "Imported from a JobPosting file."
    assert {version.object_id for version in imported.revision.version_set.filter(content_type__model="posting")} == {
        str(own.pk)
    }
    url = reverse("admin:jobs_posting_revision", args=[own.pk, imported.pk])

    response = client.post(url, change_form_data(client.get(url)))

    assert response.status_code == 302
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.title == "Ours as imported"
    assert item_texts(own) == imported_items
    assert theirs.title == "Theirs, edited later"
    assert all(item_texts(theirs).values())


def test_a_revision_holding_several_postings_restores_only_the_chosen_one(client, hr):
    own = PostingFactory(company=hr.companies.get(), title="Ours before")
    theirs = PostingFactory(title="Theirs before")
    with reversion.create_revision():
        reversion.add_to_revision(own)
        reversion.add_to_revision(theirs)
    Posting.objects.filter(pk=theirs.pk).update(title="Theirs now")
    edit(client, own, title="Ours now")
    shared = versions_of(own).first()
    url = reverse("admin:jobs_posting_revision", args=[own.pk, shared.pk])

    response = client.post(url, change_form_data(client.get(url)))

    assert response.status_code == 302
    assert Posting.objects.get(pk=own.pk).title == "Ours before"
    assert Posting.objects.get(pk=theirs.pk).title == "Theirs now"


def test_a_revision_without_the_postings_items_keeps_its_current_items(client, hr):
    posting = PostingFactory(company=hr.companies.get(), title="Recorded without items")
    with reversion.create_revision():
        reversion.add_to_revision(posting)
    Version.objects.exclude(content_type__model="posting").delete()
    items = item_texts(posting)
    edit(client, posting, title="Later")
    url = reverse("admin:jobs_posting_revision", args=[posting.pk, versions_of(posting).first().pk])

    response = client.post(url, change_form_data(client.get(url)))

    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.title == "Recorded without items"
    assert item_texts(posting) == items


def test_a_restore_opened_before_a_colleagues_save_is_refused(client, hr):
    posting = PostingFactory(company=hr.companies.get())
    edit(client, posting, title="First")
    url = reverse("admin:jobs_posting_revision", args=[posting.pk, versions_of(posting).get().pk])
    restore = change_form_data(client.get(url))
    edit(client, posting, title="A colleague's title")

    response = client.post(url, restore)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Posting.objects.get(pk=posting.pk).title == "A colleague's title"


def test_restoring_a_version_brings_back_its_offices_and_working_languages(client, hr):
    posting = PostingFactory(company=hr.companies.get(), city="Madrid", country="ES")
    edit(
        client,
        posting,
        **{
            "other_offices-0-city": "Lisbon",
            "other_offices-0-country": "PT",
            "other_offices-TOTAL_FORMS": "1",
            "working_languages-0-language": "es",
            "working_languages-0-level": "C1",
            "working_languages-TOTAL_FORMS": "1",
        },
    )
    kept = versions_of(posting).get()
    edit(
        client,
        posting,
        **{"other_offices-0-DELETE": "on", "working_languages-0-level": "B1"},
    )
    assert [str(language) for language in posting.working_languages.all()] == ["Spanish B1"]
    revision_url = reverse("admin:jobs_posting_revision", args=[posting.pk, kept.pk])

    response = client.post(revision_url, change_form_data(client.get(revision_url)))

    assert response.status_code == 302
    assert [str(office) for office in posting.offices()] == ["Madrid, Spain", "Lisbon, Portugal"]
    assert [str(language) for language in posting.working_languages.all()] == ["Spanish C1"]
    assert set(WorkCountry.objects.filter(posting=posting).values_list("country", flat=True)) == {"ES", "PT"}
