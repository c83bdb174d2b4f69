from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone, translation

from jobs.models import ITEM_RELATIONS, POSTING_RELATIONS, Benefit, Lifecycle, Posting, WorkCountry
from tests.factories import CompanyFactory, PostingFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_live_excludes_drafts_future_expired_and_archived():
    live = PostingFactory()
    no_expiry = PostingFactory(valid_through=None)
    PostingFactory(draft=True)
    PostingFactory(scheduled=True)
    PostingFactory(expired=True)
    PostingFactory(archived=True)

    assert set(Posting.objects.live()) == {live, no_expiry}


def test_live_treats_the_expiry_moment_as_closed():
    now = timezone.now()
    posting = PostingFactory(published_at=now - timedelta(days=1), valid_through=now)

    assert posting not in Posting.objects.live(now=now)
    assert posting in Posting.objects.live(now=now - timedelta(seconds=1))


def test_in_language_keeps_only_that_language():
    english = PostingFactory(language="en")
    PostingFactory(language="fr")

    assert list(Posting.objects.live().in_language("en")) == [english]


def test_publishing_without_a_date_publishes_now():
    posting = PostingFactory(published_at=None)

    assert posting.published_at is not None
    assert posting in Posting.objects.live()


def test_slug_is_made_unique_from_the_title():
    first = PostingFactory(title="Data Engineer", slug="")
    second = PostingFactory(title="Data Engineer", slug="")

    assert (first.slug, second.slug) == ("data-engineer", "data-engineer-2")


def test_a_remote_posting_can_be_done_from_each_eligible_country():
    posting = PostingFactory(remote=True, country="DE", eligible_countries=["FR", "ES"])

    assert set(WorkCountry.objects.filter(posting=posting).values_list("country", flat=True)) == {"FR", "ES"}


def test_a_fully_remote_posting_needs_no_office():
    posting = PostingFactory(remote=True, city="", country="", eligible_countries=["FR", "ES"])

    posting.full_clean()
    assert set(WorkCountry.objects.filter(posting=posting).values_list("country", flat=True)) == {"FR", "ES"}


def test_an_office_posting_is_done_from_its_country_and_follows_edits():
    posting = PostingFactory(country="DE")
    posting.country = "AT"
    posting.save()

    assert list(WorkCountry.objects.filter(posting=posting).values_list("country", flat=True)) == ["AT"]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"salary_currency": ""}, {"salary_currency": ["Give the currency of the salary."]}),
        ({"salary_period": ""}, {"salary_period": ["Say whether the salary is per hour, day, month or year."]}),
        (
            {"salary_currency": "", "salary_period": ""},
            {
                "salary_currency": ["Give the currency of the salary."],
                "salary_period": ["Say whether the salary is per hour, day, month or year."],
            },
        ),
        ({"salary_min": -1}, {"salary_min": ["A salary cannot be negative."]}),
        (
            {"valid_through": timezone.now() - timedelta(days=30)},
            {"valid_through": ["The expiry must come after the publish date."]},
        ),
        ({"salary_min": 100000, "salary_max": 90000}, {"__all__": ["The salary minimum cannot be above the maximum."]}),
        ({"country": ""}, {"country": ["Give the office's country: only a fully remote role needs no office."]}),
        (
            {"workplace": "remote", "country": "", "eligible_countries": []},
            {"eligible_countries": ["Give the countries candidates may work from, since the role has no office."]},
        ),
        (
            {"experience_years_max": 2},
            {"experience_years_max": ["The maximum years of experience need a minimum that is not above them."]},
        ),
        (
            {"experience_years": None, "experience_years_max": 5},
            {"experience_years_max": ["The maximum years of experience need a minimum that is not above them."]},
        ),
    ],
)
def test_clean_reports_each_broken_rule_once_on_its_field(changes, errors):
    posting = PostingFactory()
    for name, value in changes.items():
        setattr(posting, name, value)

    with pytest.raises(ValidationError) as error:
        posting.full_clean()

    assert error.value.message_dict == errors


@pytest.mark.parametrize(
    "changes",
    [
        {"salary_min": -1},
        {"salary_max": -1, "salary_min": -2},
        {"salary_currency": ""},
        {"salary_period": ""},
        {"salary_min": None, "salary_currency": ""},
        {"valid_through": F("published_at")},
        {"valid_through": F("published_at") - timedelta(days=1)},
        {"country": ""},
        {"workplace": "remote", "country": "", "eligible_countries": []},
        {"experience_years_max": 2},
        {"experience_years": None, "experience_years_max": 5},
    ],
)
def test_the_database_refuses_an_update_that_breaks_a_rule(changes):
    posting = PostingFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(**changes)


def test_the_database_refuses_a_bulk_create_that_breaks_a_rule():
    company = CompanyFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.bulk_create([PostingFactory.build(company=company, salary_currency="")])


@pytest.mark.parametrize(
    "changes",
    [
        {"salary_min": None, "salary_max": None, "salary_currency": "", "salary_period": ""},
        {"salary_min": 0, "salary_max": None},
        {"valid_through": None},
        {"published_at": None},
        {"workplace": "remote", "city": "", "country": "", "eligible_countries": ["FR"]},
        {"experience_years_max": 3},
        {"experience_years": 0, "experience_years_max": 2},
    ],
)
def test_the_database_accepts_what_the_rules_allow(changes):
    posting = PostingFactory()

    assert Posting.objects.filter(pk=posting.pk).update(**changes) == 1


def test_extending_the_expiry_of_a_posting_without_one_counts_from_now():
    now = timezone.now()
    posting = Posting(valid_through=None)

    posting.extend_expiry(days=30, now=now)

    assert posting.valid_through == now + timedelta(days=30)


@pytest.mark.parametrize(
    ("state", "public", "closed"),
    [
        (Lifecycle.DRAFT, False, False),
        (Lifecycle.SCHEDULED, False, False),
        (Lifecycle.PUBLISHED, True, False),
        (Lifecycle.EXPIRED, True, True),
        (Lifecycle.ARCHIVED, True, True),
    ],
)
def test_a_lifecycle_says_whether_the_page_is_public_and_whether_the_job_is_closed(state, public, closed):
    assert (state.is_public, state.is_closed) == (public, closed)


@pytest.mark.parametrize(("workplace", "remote"), [("remote", True), ("hybrid", False), ("onsite", False)])
def test_is_remote(workplace, remote):
    assert Posting(workplace=workplace).is_remote is remote


def test_archive_takes_a_live_posting_off_the_site():
    posting = PostingFactory()

    posting.archive()
    posting.save()

    assert posting.lifecycle == Lifecycle.ARCHIVED
    assert posting not in Posting.objects.live()


def test_a_complete_posting_with_a_translation_has_no_readiness_gaps():
    posting = PostingFactory(remote=True)
    PostingFactory(language="fr", translation_group=posting.translation_group, draft=True)

    assert posting.readiness_gaps() == {}


def test_readiness_gaps_name_what_a_good_posting_still_lacks():
    posting = PostingFactory(unfinished=True, workplace="remote", items=False)
    Benefit.objects.create(posting=posting, text="Sabbatical")

    gaps = posting.readiness_gaps()

    assert list(gaps) == ["salary", "expiry", "responsibilities", "requirements", "eligible_countries", "translation"]
    assert str(gaps["translation"]) == "A translation."


def test_with_sections_loads_everything_a_posting_page_shows_in_one_query_per_section(django_assert_num_queries):
    PostingFactory.create_batch(3, tags=[TagFactory(), TagFactory()])

    # The company with its descriptions, the tags, every relation.
    with django_assert_num_queries(3 + len(POSTING_RELATIONS)):
        postings = list(Posting.objects.with_sections().fetch_mode(models.FETCH_RAISE))
        for posting in postings:
            assert posting.company.name and len(posting.tags.all()) == 2
            assert posting.company.description_in("en") is None
            for related in ITEM_RELATIONS:
                assert getattr(posting, related).all()
            assert [office.country.code for office in posting.offices()] == ["DE"]
            assert list(posting.working_languages.all()) == []


@pytest.mark.parametrize("field", ["employment_type", "seniority", "workplace", "salary_basis"])
@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_a_postings_choice_labels_are_those_django_gives(field, language):
    model_field = Posting._meta.get_field(field)
    for value in [*(value for value, _label in model_field.choices), "unknown"]:
        posting = Posting(**{field: value})
        with translation.override(language):
            assert getattr(posting, f"get_{field}_display")() == models.Model._get_FIELD_display(posting, model_field)


def test_load_details_reads_only_for_postings_without_them(django_assert_num_queries):
    PostingFactory.create_batch(2, tags=[TagFactory()], items=False)
    loaded, tags_only = list(Posting.objects.all()), list(Posting.objects.prefetch_related("tags"))
    Posting.load_details(loaded)

    with django_assert_num_queries(0):
        Posting.load_details(loaded)
    with django_assert_num_queries(1):  # tags alone are not all the details
        Posting.load_details(tags_only)
    with django_assert_num_queries(0):
        assert [list(posting.other_offices.all()) for posting in tags_only] == [[], []]
