from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# The posting columns the admin searches with icontains, which PostgreSQL compares as UPPER(column) LIKE '%WORD%'.
SEARCHED_COLUMNS = ["title", "summary", "city", "slug"]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in SEARCHED_COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX posting_{column}_trgm ON jobs_posting USING gin (upper({column}::text) gin_trgm_ops)"
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in SEARCHED_COLUMNS:
            schema_editor.execute(f"DROP INDEX posting_{column}_trgm")


class Migration(migrations.Migration):
    """Indexes behind the admin's posting list: trigram indexes for its search (PostgreSQL only; SQLite searches
    without them), and the indexes its country and state filters read."""

    dependencies = [("jobs", "0004_remote_roles_without_office")]

    operations = [
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["country"], name="posting_country_idx"),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["status", "valid_through"], name="posting_state_idx"),
        ),
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
