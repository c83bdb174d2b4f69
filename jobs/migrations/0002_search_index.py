from django.db import migrations


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX posting_search_vector_gin ON jobs_posting USING gin (search_vector)")


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX posting_search_vector_gin")


class Migration(migrations.Migration):
    """The full-text index of postings, on PostgreSQL only (SQLite searches without one)."""

    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
