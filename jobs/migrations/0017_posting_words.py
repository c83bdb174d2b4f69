from django.db import migrations, models

# A posting's words as the admin's search finds them (jobs.models.PostingWords): its title, summary, city and slug,
# upper-cased and split at separators (jobs.models.PostingWords.SEPARATORS), less runs of more than 255 characters
# between two, longer than an index entry may be. In PL/pgSQL, which PostgreSQL does not inline, so that the planner
# knows what each call costs (about 25 microseconds): as a plain expression it looked as cheap as a comparison, and
# the planner read the postings newest first and computed the words of each until it had a page of them (58 ms for
# one page of a term in 0.5 % of 1,000,000 postings), rather than read the index of the words.
WORDS_FUNCTION = r"""
CREATE FUNCTION jobs_posting_words(title text, summary text, city text, slug text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
BEGIN
    RETURN string_to_array(
        regexp_replace(
            translate(upper(title || ' ' || summary || ' ' || city || ' ' || slug), E'-\t\n\r', '    '),
            '[^ ]{255}[^ ]+', ' ', 'g'
        ),
        ' '
    );
END
$$
"""
WORDS = "jobs_posting_words(title, summary, city, slug)"

# The words of the postings a statement wrote (its transition tables: `written`, and on update `previous`) that
# jobs_postingword does not hold yet. Not unique: a unique word would be locked by the transaction that adds it
# until it ends, and two transactions each adding words the other adds next would deadlock. Two transactions that
# add the same new word at once add it twice, which finds the same postings.
ADD_WORDS = f"""
CREATE FUNCTION jobs_posting_add_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO jobs_postingword (word)
        SELECT DISTINCT found.word FROM written, unnest({WORDS}) AS found (word)
        WHERE found.word <> '' AND NOT EXISTS (SELECT FROM jobs_postingword known WHERE known.word = found.word);
    ELSE
        INSERT INTO jobs_postingword (word)
        SELECT DISTINCT found.word FROM (
            SELECT written.* FROM written JOIN previous USING (id)
            WHERE (written.title, written.summary, written.city, written.slug)
                IS DISTINCT FROM (previous.title, previous.summary, previous.city, previous.slug)
        ) AS changed, unnest({WORDS}) AS found (word)
        WHERE found.word <> '' AND NOT EXISTS (SELECT FROM jobs_postingword known WHERE known.word = found.word);
    END IF;
    RETURN NULL;
END
$$
"""


def index_words(apps, schema_editor):
    """The index of each posting's words, the words of the postings there are, their trigram index, and the
    triggers that add the words of every posting written (PostgreSQL only: SQLite searches without them)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(WORDS_FUNCTION)
    schema_editor.execute(f"CREATE INDEX posting_words_idx ON jobs_posting USING gin (({WORDS}))")
    schema_editor.execute(
        f"INSERT INTO jobs_postingword (word) SELECT DISTINCT word FROM jobs_posting, unnest({WORDS}) AS word "
        "WHERE word <> ''"
    )
    schema_editor.execute("CREATE INDEX posting_word_trgm ON jobs_postingword USING gin (upper(word) gin_trgm_ops)")
    schema_editor.execute(ADD_WORDS)
    for event, tables in [("INSERT", "NEW TABLE AS written"), ("UPDATE", "NEW TABLE AS written OLD TABLE AS previous")]:
        schema_editor.execute(
            f"CREATE TRIGGER posting_words_{event.lower()} AFTER {event} ON jobs_posting REFERENCING {tables} "
            "FOR EACH STATEMENT EXECUTE FUNCTION jobs_posting_add_words()"
        )
    schema_editor.execute("ANALYZE jobs_posting, jobs_postingword")


def no_word_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in ["insert", "update"]:
        schema_editor.execute(f"DROP TRIGGER posting_words_{event} ON jobs_posting")
    schema_editor.execute("DROP FUNCTION jobs_posting_add_words()")
    schema_editor.execute("DROP INDEX posting_words_idx")
    schema_editor.execute("DROP FUNCTION jobs_posting_words(text, text, text, text)")


class Migration(migrations.Migration):
    """The words of the postings' searched columns and the indexes the admin's search finds them by (see
    jobs.models.PostingWord)."""

    dependencies = [
        ("jobs", "0016_admin_filter_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostingWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.TextField()),
            ],
            options={
                "verbose_name": "posting word",
                "verbose_name_plural": "posting words",
                "indexes": [models.Index(fields=["word"], name="posting_word_idx")],
            },
        ),
        migrations.RunPython(index_words, no_word_index),
    ]
