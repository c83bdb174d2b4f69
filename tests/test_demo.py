import re
from collections import Counter
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs.demo import ensure_demo_hr_user, seed
from jobs.models import Benefit, Company, Lifecycle, Posting, Requirement, Responsibility, Tag, WorkCountry

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count() for model in (Company, Tag, Posting, Responsibility, Requirement, Benefit, WorkCountry)
    ]


def test_seeding_twice_gives_the_same_data():
    call_command("seed_demo")
    first = counts()
    slugs = set(Posting.objects.values_list("slug", "published_at"))

    call_command("seed_demo")

    assert counts() == first
    assert set(Posting.objects.values_list("slug", "published_at")) == slugs


def test_demo_postings_are_dated_from_the_day_they_are_loaded():
    seed()
    today = Counter(posting.lifecycle for posting in Posting.objects.all())
    newest_today = Posting.objects.live().latest("published_at").published_at
    later = timezone.now() + timedelta(days=1000)

    with mock.patch("django.utils.timezone.now", return_value=later):
        seed()
        assert Counter(posting.lifecycle for posting in Posting.objects.all()) == today
        assert Posting.objects.live().latest("published_at").published_at == newest_today + timedelta(days=1000)


def test_demo_data_is_rich_and_spread_over_languages_and_countries():
    seed()
    live = Posting.objects.live()

    assert live.count() >= 40
    assert set(live.values_list("language", flat=True)) == {"en", "fr", "de", "es"}
    assert live.values("country").distinct().count() >= 8
    assert Company.objects.filter(postings__in=live).distinct().count() >= 6
    assert live.filter(workplace="remote").exclude(eligible_countries="").exists()
    assert live.exclude(salary_min=None).count() > live.count() / 2
    for posting in live.prefetch_related("responsibilities", "requirements", "benefits"):
        assert posting.responsibilities.count() >= 4, posting
        assert posting.requirements.count() >= 5, posting
        assert len({r.kind for r in posting.requirements.all()}) >= 3, posting
        assert posting.benefits.count() >= 3, posting
    lifecycles = {posting.lifecycle for posting in Posting.objects.all()}
    assert {Lifecycle.DRAFT, Lifecycle.SCHEDULED, Lifecycle.EXPIRED} <= lifecycles


def test_demo_has_jobs_in_several_languages():
    seed()
    groups = {}
    for group, language in Posting.objects.live().values_list("translation_group", "language"):
        groups.setdefault(group, set()).add(language)

    assert any(len(languages) == 3 for languages in groups.values())
    assert sum(len(languages) >= 2 for languages in groups.values()) >= 4


def test_demo_hr_login_gets_a_new_random_password_each_time(client):
    user, password = ensure_demo_hr_user()
    _same_user, new_password = ensure_demo_hr_user()

    assert password != new_password
    old_login = client.post("/admin/login/", {"username": user.username, "password": password})
    assert old_login.status_code == 200
    new_login = client.post("/admin/login/", {"username": user.username, "password": new_password})
    assert new_login.status_code == 302


def test_the_demo_command_loads_the_demo_once_and_serves_it_with_a_working_hr_login(client):
    served = []

    def demo(*args):
        out = StringIO()
        call_command("demo", *args, stdout=out)
        return out.getvalue()

    runserver = "django.core.management.commands.runserver.Command.handle"
    with mock.patch(runserver, lambda command, *args, **options: served.append(options["addrport"])):
        first = demo("8001")
        postings = Posting.objects.count()
        second = demo()

    assert f"Loaded {postings} demo postings." in first
    assert "Job board: http://127.0.0.1:8001/" in first
    assert "Loaded" not in second
    assert Posting.objects.count() == postings
    assert served == ["8001", "127.0.0.1:8000"]
    username, password = re.search(r"HR login:  (\S+) / (\S+)", second).groups()
    assert client.post("/admin/login/", {"username": username, "password": password}).status_code == 302


def test_demo_hr_login_edits_every_demo_company_as_an_hr_editor(client):
    seed()
    user, _password = ensure_demo_hr_user()
    client.force_login(user)

    response = client.get("/admin/jobs/posting/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == Posting.objects.count()
    assert set(user.companies.all()) == set(Company.objects.all())
    assert [group.name for group in user.groups.all()] == ["HR editor"]
    assert not user.is_superuser


def test_german_demo_postings_address_candidates_formally_like_the_interface():
    seed()
    informal = re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE)

    for posting in Posting.objects.filter(language="de").prefetch_related("responsibilities", "benefits"):
        texts = [posting.summary, posting.description]
        texts += [item.text for item in [*posting.responsibilities.all(), *posting.benefits.all()]]
        assert not [text for text in texts if informal.search(text)], posting.title
