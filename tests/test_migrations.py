"""Data migrations, run forwards on rows written as the earlier schema held them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_TYPE_AND_PRIORITY = ("jobs", "0002_search_index")
TYPE_AND_PRIORITY = ("jobs", "0003_requirement_type_and_priority")
BEFORE_SEARCH_ENTRIES = ("jobs", "0011_listing_index_with_visa_and_relocation")
SEARCH_ENTRIES = ("jobs", "0012_search_entries")


def migrate(target):
    """The app registry of the project at `target`, the database migrated there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def migrated_back(target):
    """The app registry at `target`, the database migrated back there; migrated to the latest schema afterwards."""
    yield migrate(target)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("jobs"))


@pytest.fixture
def at_former_kinds():
    """The database as it was before requirements had a priority."""
    yield from migrated_back(BEFORE_TYPE_AND_PRIORITY)


@pytest.fixture
def before_search_entries():
    """The database as it was when postings held their own search text."""
    yield from migrated_back(BEFORE_SEARCH_ENTRIES)


def create_posting(apps, **fields):
    company = apps.get_model("jobs", "Company").objects.create(name="Acme", slug="acme")
    return apps.get_model("jobs", "Posting").objects.create(
        company=company,
        language="en",
        title="Engineer",
        slug="engineer",
        summary="Build things.",
        employment_type="full_time",
        seniority="senior",
        workplace="onsite",
        country="DE",
        **fields,
    )


def test_each_former_kind_of_requirement_becomes_a_type_and_a_priority(at_former_kinds):
    posting = create_posting(at_former_kinds)
    former = ["must_have", "nice_to_have", "qualification", "hard_skill", "soft_skill", "education", "experience"]
    Requirement = at_former_kinds.get_model("jobs", "Requirement")
    for position, kind in enumerate(former):
        Requirement.objects.create(posting=posting, position=position, kind=kind, text=kind)

    migrated = migrate(TYPE_AND_PRIORITY).get_model("jobs", "Requirement")

    assert list(migrated.objects.order_by("position").values_list("text", "kind", "priority")) == [
        ("must_have", "qualification", "required"),
        ("nice_to_have", "qualification", "preferred"),
        ("qualification", "qualification", "required"),
        ("hard_skill", "technical_skill", "required"),
        ("soft_skill", "soft_skill", "required"),
        ("education", "education", "required"),
        ("experience", "experience", "required"),
    ]


def test_each_postings_search_text_moves_to_its_search_entry_and_back(before_search_entries):
    posting = create_posting(before_search_entries, search_document="engineer build things acme")
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE jobs_posting SET search_vector = to_tsvector('english', search_document)")

    entries = migrate(SEARCH_ENTRIES).get_model("jobs", "SearchEntry").objects
    entry = entries.get(posting=posting.pk)
    assert (entry.language, entry.document) == ("en", "engineer build things acme")
    if postgres:
        assert entries.filter(vector="building").exists()

    restored = migrate(BEFORE_SEARCH_ENTRIES).get_model("jobs", "Posting").objects.get(pk=posting.pk)
    assert restored.search_document == "engineer build things acme"
    if postgres:
        assert restored.search_vector == entry.vector
