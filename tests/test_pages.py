import re
from datetime import datetime
from unittest import mock

import pytest
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse
from django.utils import translation

from jobs.models import CareerStep, Requirement, Responsibility
from tests.factories import PostingFactory, TagFactory, add_items

pytestmark = pytest.mark.django_db


def listing_url(language):
    with translation.override(language):
        return reverse("jobs:posting_list")


def test_root_redirects_to_the_browser_language(client):
    response = client.get("/", headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})

    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_listing_shows_only_live_postings_of_its_language(client):
    english = PostingFactory(language="en", title="Platform engineer")
    PostingFactory(language="fr", title="Ingénieure plateforme")
    PostingFactory(language="en", title="Hidden draft", draft=True)

    response = client.get(listing_url("en"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [english]
    assert "Ingénieure plateforme" not in response.text
    assert "Hidden draft" not in response.text


def test_listing_is_newest_first_and_paginated_by_twenty(client):
    postings = PostingFactory.create_batch(23, items=False)

    first = client.get(listing_url("en"))
    last = client.get(listing_url("en"), {"page": 2})

    newest_first = sorted(postings, key=lambda posting: posting.published_at, reverse=True)
    assert list(first.context["page"].object_list) == newest_first[:20]
    assert list(last.context["page"].object_list) == newest_first[20:]
    assert "23 jobs" in first.text


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "1" * 400])
def test_listing_clamps_bad_page_numbers(client, page):
    PostingFactory()

    response = client.get(listing_url("en"), {"page": page})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_listing_card_shows_the_essentials(client):
    PostingFactory(title="Site reliability engineer", tags=[TagFactory(name="DevOps")])

    response = client.get(listing_url("en"))

    for text in ["Site reliability engineer", "Berlin, Germany", "Full time", "€70,000–€90,000 per year", "DevOps"]:
        assert text in response.text


def test_posting_page_shows_every_section_in_hr_order(client):
    posting = PostingFactory(remote=True, tags=[TagFactory(name="Backend")])

    response = client.get(posting.get_absolute_url())

    assert response.status_code == 200
    body = response.text[response.text.index('<article class="posting">') :]
    sections = ["The role", "What you will do", "What we are looking for", "What we offer", "Career path"]
    assert [body.index(section) for section in sections] == sorted(body.index(section) for section in sections)
    items = [f"Responsibility {n}" for n in range(1, 5)] + [f"Benefit {n}" for n in range(1, 4)]
    assert [body.index(item) for item in items] == sorted(body.index(item) for item in items)
    for text in [
        "France",
        "Spain",
        "Backend",
        "Staff engineer",
        "https://example.com/apply",
        "€70,000–€90,000 per year",
    ]:
        assert text in body


def section(response, heading):
    """The HTML of the posting page's section under the <h2> `heading`, without the spacing between elements."""
    body = response.text.split(f"<h2>{heading}</h2>")[1].split("</section>")[0]
    return re.sub(r">\s+<", "><", body.strip())


def test_requirements_are_grouped_by_type_in_a_fixed_order_with_what_is_nice_to_have_apart(client):
    posting = PostingFactory(items=False)
    Kind = Requirement.Kind
    add_items(
        posting,
        Requirement,
        (Kind.SOFT_SKILL, "Calm under pressure"),
        (Kind.TECHNICAL_SKILL, "Kubernetes"),
        (Kind.EDUCATION, "A bachelor's degree"),
        (Kind.TECHNICAL_SKILL, "Python"),
        (Kind.EDUCATION, "A master's degree"),
        (Kind.LANGUAGE, "Fluent English"),
        (Kind.EXPERIENCE, "Eight years of backend work"),
    )
    posting.requirements.filter(text__in=["Kubernetes", "A master's degree"]).update(priority="preferred")

    requirements = section(client.get(posting.get_absolute_url()), "What we are looking for")

    assert requirements == (
        '<h3>Experience</h3><ul class="items"><li>Eight years of backend work</li></ul>'
        '<h3>Education</h3><ul class="items"><li>A bachelor\'s degree</li></ul>'
        '<h4 class="items__label">Nice to have</h4><ul class="items"><li>A master\'s degree</li></ul>'
        '<h3>Technical skills</h3><ul class="items"><li>Python</li></ul>'
        '<h4 class="items__label">Nice to have</h4><ul class="items"><li>Kubernetes</li></ul>'
        '<h3>Soft skills</h3><ul class="items"><li>Calm under pressure</li></ul>'
        '<h3>Languages</h3><ul class="items"><li>Fluent English</li></ul>'
    )


def test_secondary_responsibilities_have_a_label_of_their_own(client):
    posting = PostingFactory(items=False)
    add_items(posting, Responsibility, ("primary", "Design the API"), ("secondary", "On call"), ("primary", "Review"))

    responsibilities = section(client.get(posting.get_absolute_url()), "What you will do")

    assert responsibilities == (
        '<ul class="items"><li>Design the API</li><li>Review</li></ul>'
        '<h3>Secondary responsibilities</h3><ul class="items"><li>On call</li></ul>'
    )


def test_each_role_of_the_career_path_is_an_item_of_its_own(client):
    posting = PostingFactory(items=False)
    add_items(
        posting,
        CareerStep,
        ("to", "Head of Engineering, Platform"),
        ("from", "Staff engineer, backend"),
        ("to", "CTO"),
        ("lateral", "Principal architect"),
        ("lateral", "Engineering manager"),
    )

    career = section(client.get(posting.get_absolute_url()), "Career path")

    assert career == (
        '<dl class="career"><dt>Typically comes from</dt><dd><ul class="items"><li>Staff engineer, backend</li>'
        "</ul></dd>"
        '<dt>Leads to</dt><dd><ul class="items"><li>Head of Engineering, Platform</li><li>CTO</li></ul></dd>'
        '<dt>Lateral moves</dt><dd><ul class="items"><li>Principal architect</li><li>Engineering manager</li>'
        "</ul></dd></dl>"
    )


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [
        (8, 12, "8–12 years of experience"),
        (8, None, "8+ years of experience"),
        (1, None, "1+ year of experience"),
        (0, 2, "0–2 years of experience"),
        (None, None, None),
    ],
)
def test_the_experience_asked_for_is_a_minimum_or_a_range(client, low, high, shown):
    posting = PostingFactory(experience_years=low, experience_years_max=high)

    facts = client.get(posting.get_absolute_url()).text.split('<ul class="facts">')[1].split("</ul>")[0]

    assert ("of experience" in facts) == bool(shown)
    if shown:
        assert f"<li>{shown}</li>" in facts


def test_a_fully_remote_role_is_shown_with_the_countries_it_accepts_by_their_localized_names(client):
    posting = PostingFactory(language="de", remote=True, city="", country="", eligible_countries=["ES", "DE", "FR"])

    card = client.get(listing_url("de")).text
    page = client.get(posting.get_absolute_url()).text

    assert "Remote · Deutschland, Frankreich, Spanien</li>" in card
    assert "<li>Deutschland</li><li>Frankreich</li><li>Spanien</li>" in page
    assert "Büro:" not in page


def test_cards_and_pages_give_when_a_posting_was_published_as_a_machine_readable_moment(client):
    posting = PostingFactory()
    pattern = r'<time datetime="([^"]+)">(?:Posted|Posted on)'

    for html in [client.get(listing_url("en")).text, client.get(posting.get_absolute_url()).text]:
        assert datetime.fromisoformat(re.search(pattern, html)[1]) == posting.published_at.replace(microsecond=0)


def test_a_remote_role_with_an_office_shows_it_apart_from_where_candidates_may_work(client):
    posting = PostingFactory(remote=True, city="Berlin", country="DE", eligible_countries=["FR"])

    page = client.get(posting.get_absolute_url()).text

    assert "Remote · France</li>" in page
    assert "<p>Office: Berlin, Germany</p>" in page


def test_the_apply_buttons_come_again_after_the_last_section(client):
    posting = PostingFactory(apply_email="jobs@example.com")

    body = client.get(posting.get_absolute_url()).text
    main = body.split('<div class="posting__main">')[1].split('<aside class="posting__aside">')[0]

    end = main.split('<section class="apply apply--end"')[1]
    assert main.index("Career path") < main.index('class="apply apply--end"')
    assert 'href="https://example.com/apply"' in end
    assert 'href="mailto:jobs@example.com?subject=' in end


def test_links_to_postings_carry_the_listing_they_come_from(client):
    posting = PostingFactory(tags=[TagFactory(slug="backend")])

    filtered = client.get(listing_url("en"), {"tag": "backend", "sort": "newest", "page": "1", "x": "y", "q": ""})
    unfiltered = client.get(listing_url("en"))

    assert f'href="{posting.get_absolute_url()}?from=tag%3Dbackend%26sort%3Dnewest%26page%3D1"' in filtered.text
    assert f'href="{posting.get_absolute_url()}"' in unfiltered.text


@pytest.mark.parametrize(
    ("came_from", "back"),
    [
        ("", "/en/"),
        ("tag=backend&country=DE&page=2", "/en/?tag=backend&amp;country=DE&amp;page=2"),
        ("q=rust&sort=newest&next=https://evil.example", "/en/?q=rust&amp;sort=newest"),
        ("//evil.example/", "/en/"),
        ("https://evil.example/?q=x", "/en/"),
        ("q=%22%3E%3Cscript%3E", "/en/?q=%22%3E%3Cscript%3E"),
        ("q=\x00py&country=%00", "/en/?q=%00py&amp;country=%00"),
    ],
)
def test_all_jobs_leads_back_to_the_listing_the_visitor_came_from_and_nowhere_else(client, came_from, back):
    posting = PostingFactory()

    response = client.get(posting.get_absolute_url(), {"from": came_from} if came_from else {})

    assert response.status_code == 200
    assert f'<p class="back"><a href="{back}">' in response.text


def test_similar_jobs_lead_back_to_the_same_listing(client):
    tag = TagFactory()
    posting, similar = PostingFactory(tags=[tag]), PostingFactory(tags=[tag])

    response = client.get(posting.get_absolute_url(), {"from": "country=DE"})

    assert f'href="{similar.get_absolute_url()}?from=country%3DDE"' in response.text


def test_posting_page_links_live_translations(client):
    english = PostingFactory(language="en")
    french = PostingFactory(language="fr", translation_group=english.translation_group)
    PostingFactory(language="de", translation_group=english.translation_group, draft=True)

    response = client.get(english.get_absolute_url())

    assert list(response.context["translations"]) == [french]
    assert f'href="/fr/jobs/{french.slug}/"' in response.text


def test_posting_under_another_language_redirects_to_its_own_url(client):
    posting = PostingFactory(language="fr")

    response = client.get(f"/en/jobs/{posting.slug}/")

    assert response.status_code == 302
    assert response["Location"] == f"/fr/jobs/{posting.slug}/"


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_unpublished_postings_are_not_found(client, trait):
    posting = PostingFactory(**{trait: True})

    assert client.get(posting.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("trait", ["expired", "archived"])
def test_closed_postings_are_gone_without_an_apply_action(client, trait):
    posting = PostingFactory(**{trait: True}, tags=[tag := TagFactory()])
    similar = PostingFactory(tags=[tag], title="Another open job")

    response = client.get(posting.get_absolute_url())

    assert response.status_code == 410
    assert "This job is closed" in response.text
    assert "https://example.com/apply" not in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert similar.title in response.text


def test_unknown_posting_is_not_found(client):
    assert client.get("/en/jobs/no-such-job/").status_code == 404


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.text == "ok\n"


def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=DatabaseError("connection refused")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.text == "database unavailable\n"
    assert "no-cache" in response["Cache-Control"]


def test_unknown_pages_get_the_site_404_page(client, settings):
    settings.DEBUG = False

    response = client.get("/en/no/such/page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/en/"' in response.text


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


def test_pages_answer_head_requests(client):
    posting = PostingFactory()

    assert client.head("/en/").status_code == 200
    assert client.head(posting.get_absolute_url()).status_code == 200
    assert client.post("/en/").status_code == 405


def test_the_footer_links_the_operators_imprint_privacy_notice_and_contact(client, settings):
    settings.FOOTER_LINKS = {
        "imprint": "https://example.com/impressum",
        "privacy": "https://example.com/datenschutz",
        "contact": "",
    }

    response = client.get("/de/")

    assert '<a href="https://example.com/impressum">Impressum</a>' in response.text
    assert '<a href="https://example.com/datenschutz">Datenschutz</a>' in response.text
    assert "Kontakt" not in response.text
