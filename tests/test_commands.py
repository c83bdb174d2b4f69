from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jobs.models import Posting, WorkCountry
from jobs.search import fold
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_generate_postings_adds_complete_live_searchable_postings():
    run("seed_demo")
    before = Posting.objects.live().count()

    output = run("generate_postings", count=30, seed=7)

    added = Posting.objects.order_by("-pk")[:30]
    assert Posting.objects.live().count() == before + 30
    assert "Added 30 postings" in output
    for posting in added:
        assert posting.requirements.exists() and posting.benefits.exists()
        assert WorkCountry.objects.filter(posting=posting).exists()
        assert fold(posting.title.split()[0]) in posting.search_document


def test_generate_postings_is_repeatable_with_a_seed():
    run("seed_demo")
    run("generate_postings", count=10, seed=3)
    first = list(Posting.objects.order_by("-pk")[:10].values_list("title", "country", "workplace"))
    run("generate_postings", count=10, seed=3)

    assert list(Posting.objects.order_by("-pk")[:10].values_list("title", "country", "workplace")) == first


def test_benchmark_prints_figures_for_every_public_page(settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    run("seed_demo")

    output = run("benchmark", requests=2)

    assert "40 live postings, 2 requests per page" in output
    for page in ["/en/ ", "/fr/ ", "/en/?q=engineer", "/en/feed/", "/sitemap-postings.xml"]:
        assert page in output


def test_benchmark_without_live_postings_says_what_to_run_first():
    PostingFactory(draft=True, items=False)

    with pytest.raises(CommandError, match="No live postings: run seed_demo or generate_postings first."):
        run("benchmark", requests=1)
