from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from jobs import benchmark, catalogue
from jobs.benchmark import by_count
from jobs.demo import generator
from jobs.demo.generator import scaled
from jobs.models import ITEM_RELATIONS, FullText, Posting, SearchEntry, Status, WorkCountry
from jobs.search import fold, reindex
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
        assert fold(posting.title.split()[0]) in posting.search_entry.document


def test_generate_postings_is_repeatable_with_a_seed():
    run("seed_demo")
    run("generate_postings", count=10, seed=3)
    first = list(Posting.objects.order_by("-pk")[:10].values_list("title", "country", "workplace"))
    run("generate_postings", count=10, seed=3)

    assert list(Posting.objects.order_by("-pk")[:10].values_list("title", "country", "workplace")) == first


def item_values(posting, related):
    """Every field of the posting's items but their keys, in order."""
    return [
        {
            field.attname: getattr(item, field.attname)
            for field in item._meta.concrete_fields
            if field.name not in {"id", "posting"}
        }
        for item in getattr(posting, related).all()
    ]


@pytest.mark.parametrize(
    "batch_size",
    [
        pytest.param(5000, id="one batch, in the test's transaction"),
        # Outside a transaction, on PostgreSQL, each batch is written by a thread while the next one is made.
        pytest.param(7, marks=pytest.mark.django_db(transaction=True), id="batches of 7, no transaction around"),
    ],
)
def test_generated_postings_carry_their_demo_postings_items_tags_search_text_and_full_text(batch_size, monkeypatch):
    monkeypatch.setattr(generator, "BATCH_SIZE", batch_size)
    run("seed_demo")
    demo_postings = {
        (posting.language, posting.title): posting for posting in Posting.objects.filter(status=Status.PUBLISHED)
    }

    run("generate_postings", count=20, seed=5)

    generated = list(Posting.objects.order_by("-pk")[:20])
    assert WorkCountry.objects.filter(posting__in=generated).values("posting").distinct().count() == 20
    for posting in generated:
        original = demo_postings[posting.language, posting.title]
        for related in ITEM_RELATIONS:
            assert item_values(posting, related) == item_values(original, related)
        assert set(posting.tags.all()) == set(original.tags.all())
    fields = ("posting", "language", "document", "vector")
    stored = list(SearchEntry.objects.filter(posting__in=generated).order_by("posting").values_list(*fields))
    assert len(stored) == len(generated)
    full_texts = dict(FullText.objects.filter(posting__in=generated).values_list("posting", "html"))
    assert len(full_texts) == len(generated)
    reindex([posting.pk for posting in generated])
    assert list(SearchEntry.objects.filter(posting__in=generated).order_by("posting").values_list(*fields)) == stored
    assert dict(FullText.objects.filter(posting__in=generated).values_list("posting", "html")) == full_texts


def test_reindex_writes_every_postings_search_entry_and_full_text_anew():
    postings = PostingFactory.create_batch(5)
    reindex([posting.pk for posting in postings])
    fields = ("posting", "language", "document", "vector")
    entries = list(SearchEntry.objects.order_by("posting").values_list(*fields))
    full_texts = dict(FullText.objects.values_list("posting", "html"))
    FullText.objects.filter(posting=postings[0]).update(html="<p>Made by an earlier release</p>")
    FullText.objects.filter(posting=postings[1]).delete()  # written before full texts were kept
    SearchEntry.objects.filter(posting=postings[2]).update(document="stale")
    version = catalogue.current().version

    output = run("reindex", batch=2)

    assert "Reindexed 5 postings" in output
    assert list(SearchEntry.objects.order_by("posting").values_list(*fields)) == entries
    assert dict(FullText.objects.values_list("posting", "html")) == full_texts
    assert catalogue.current().version > version  # what the pages show may have changed


def test_benchmark_prints_cold_and_warm_figures_beside_the_reference_view(settings, client):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    run("seed_demo")
    users = get_user_model().objects.count()
    version = catalogue.current().version

    output = run("benchmark", requests=2)

    assert "40 live postings (de 10, en 10, es 10, fr 10)" in output
    lines = output.splitlines()
    rows = [
        "listing",
        "listing, htmx fragment",
        "listing, 3 filters",
        "search, common word",
        "search, rare word",
        "search, common word + 2 filters",
        "listing, deep page",
        "posting page",
        "feed",
        "sitemap index",
        "sitemap, postings page",
        "admin: posting list",
        "admin: search, rare word",
    ]
    for kind in ["cold:", "warm:"]:
        table = lines[lines.index(kind) + 1 :]
        for row in rows:
            assert any(line.split("  ")[1] == row and line.count("×") == 2 for line in table), (kind, row)
    assert any(line.startswith("fortunes (reference)") for line in lines)
    # Where the time went: the database's share, then the templates' (the feed renders none).
    cold = lines[lines.index("cold:") + 1 : lines.index("warm:")]
    [listing] = [line.split() for line in cold if line[:34].strip() == "listing"]
    [feed] = [line.split() for line in cold if line[:34].strip() == "feed"]
    assert listing[-2].endswith("%") and int(listing[-1].removesuffix("%")) > 0
    assert feed[-1] == "0%"
    [reads] = [line for line in lines if line.startswith("facet index read once per catalogue version")]
    assert all(f"{code} " in reads for code in ["de", "en", "es", "fr"]) and reads.count("MiB") == 4
    [updates] = [line for line in lines if line.startswith("facet index brought up to date after a posting is saved")]
    assert updates.count(" ms") == 4
    # The posting saved for that line is saved in a transaction rolled back: the catalogue is as it was.
    assert catalogue.current().version == version
    # The superuser the admin rows log in with, and the reference view, exist only during the run.
    assert get_user_model().objects.count() == users
    assert client.get("/benchmark/fortunes/").status_code == 404


def test_benchmark_serves_each_row_once_before_timing_any_with_the_cache_emptied_after(settings, monkeypatch):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    run("seed_demo")
    asked = []
    real_timed, real_clear = benchmark.timed, benchmark.cache.clear
    monkeypatch.setattr(
        benchmark, "timed", lambda client, url, headers=None: asked.append(url) or real_timed(client, url, headers)
    )
    monkeypatch.setattr(benchmark.cache, "clear", lambda: asked.append("cache emptied") or real_clear())

    run("benchmark", requests=1, only="listing, 1 filter")

    reference = "/benchmark/fortunes/"
    untimed, emptied, timed = asked[:2], asked[2], [url for url in asked[3:] if url != reference]
    assert emptied == "cache emptied"
    assert reference not in untimed and all(url.startswith("/") for url in untimed)
    assert len(timed) == 2 * 3  # per row: a cold request, the warm URL's first request, a warm request


def test_benchmark_without_live_postings_says_what_to_run_first():
    PostingFactory(draft=True, items=False)

    with pytest.raises(CommandError, match="No live postings: run seed_demo or generate_postings first."):
        run("benchmark", requests=1)


def test_the_benchmark_chooses_its_words_the_same_way_in_every_run():
    counts = Counter({"beta": 2, "alpha": 2, "gamma": 5, "delta": 1})

    assert by_count(counts) == ["gamma", "alpha", "beta", "delta"]
    assert by_count(Counter(dict(reversed(counts.items())))) == by_count(counts)


@pytest.mark.parametrize(
    ("amount", "expected"), [("25", "28"), ("450", "495"), ("3600", "4000"), ("72000", "79200"), (None, None)]
)
def test_generated_pay_is_scaled_and_rounded_as_pay_is_written(amount, expected):
    """An hourly 25 no longer becomes 0 by rounding to the hundred."""
    result = scaled(None if amount is None else Decimal(amount), Decimal("1.1"))

    assert result == (None if expected is None else Decimal(expected))
