from django.db import migrations, models

FILTERED = "jobs_posting_filters"


def filter_statistics(apps, schema_editor):
    """Statistics of how often the admin's filter values go together, for PostgreSQL's planner."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS {FILTERED} (mcv) ON language, workplace, employment_type, seniority FROM jobs_posting"
        )
        schema_editor.execute("ANALYZE jobs_posting")


def no_filter_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS {FILTERED}")


class Migration(migrations.Migration):
    """Indexes of the admin's filters by language, workplace, employment type and seniority, and statistics of the
    four together (see Posting.Meta.indexes)."""

    dependencies = [
        ("jobs", "0015_search_index_per_language"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["language"], name="posting_language_idx"),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["workplace"], name="posting_workplace_idx"),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["employment_type"], name="posting_employment_idx"),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["seniority"], name="posting_seniority_idx"),
        ),
        migrations.RunPython(filter_statistics, no_filter_statistics),
    ]
