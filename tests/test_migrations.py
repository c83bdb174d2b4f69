"""Data migrations, run forwards on rows written as the earlier schema held them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_TYPE_AND_PRIORITY = ("jobs", "0002_search_index")
TYPE_AND_PRIORITY = ("jobs", "0003_requirement_type_and_priority")


def migrate(target):
    """The app registry of the project at `target`, the database migrated there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.fixture
def at_former_kinds():
    """The database as it was before requirements had a priority; migrated back to the latest schema afterwards."""
    apps = migrate(BEFORE_TYPE_AND_PRIORITY)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("jobs"))


def test_each_former_kind_of_requirement_becomes_a_type_and_a_priority(at_former_kinds):
    Company, Posting = at_former_kinds.get_model("jobs", "Company"), at_former_kinds.get_model("jobs", "Posting")
    company = Company.objects.create(name="Acme", slug="acme")
    posting = Posting.objects.create(
        company=company,
        language="en",
        title="Engineer",
        slug="engineer",
        summary="Build things.",
        employment_type="full_time",
        seniority="senior",
        workplace="onsite",
        country="DE",
    )
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
