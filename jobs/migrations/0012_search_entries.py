import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def move_search_text(apps, schema_editor):
    """Each posting's search text and vector move to its search entry. On PostgreSQL, the entries' rows keep them
    out of line (any row above 128 bytes is toasted), and the vector gets its GIN index."""
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE jobs_searchentry SET (toast_tuple_target = 128)")
    schema_editor.execute(
        "INSERT INTO jobs_searchentry (posting_id, language, document, vector) "
        "SELECT id, language, search_document, search_vector FROM jobs_posting"
    )
    if postgres:
        schema_editor.execute("CREATE INDEX search_entry_vector_gin ON jobs_searchentry USING gin (vector)")


def move_search_text_back(apps, schema_editor):
    schema_editor.execute(
        "UPDATE jobs_posting SET search_document = entry.document, search_vector = entry.vector "
        "FROM jobs_searchentry entry WHERE entry.posting_id = jobs_posting.id"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX posting_search_vector_gin ON jobs_posting USING gin (search_vector)")


class Migration(migrations.Migration):
    """Postings' search text in a narrow table of its own (jobs.models.SearchEntry)."""

    dependencies = [("jobs", "0011_listing_index_with_visa_and_relocation")]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "posting",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="jobs.posting",
                    ),
                ),
                ("language", models.CharField(max_length=10)),
                ("document", models.TextField(blank=True, default="")),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={"verbose_name": "search entry", "verbose_name_plural": "search entries"},
        ),
        migrations.RunPython(move_search_text, move_search_text_back),
        migrations.RemoveField(model_name="posting", name="search_document"),
        migrations.RemoveField(model_name="posting", name="search_vector"),
    ]
