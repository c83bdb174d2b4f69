from django.db import migrations, models


class Migration(migrations.Migration):
    """The index the postings sitemap reads its lastmod from."""

    dependencies = [("jobs", "0005_admin_search_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["updated_at"], name="posting_updated_idx"),
        ),
    ]
