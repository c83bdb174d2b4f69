"""Full-text search over postings.

Each posting's search entry (jobs.models.SearchEntry) holds what a search matches it by.
PostgreSQL: a weighted tsvector per posting, stemmed with the posting's language
(title above summary and description above items, tags and company), GIN-indexed and
ranked. The last word of a query also matches as the start of a word, for search as
you type ("postgre" finds "PostgreSQL"). SQLite (development only): every word of the
query must appear in the posting's folded text, anywhere in a word; no stemming, no
ranking.

Both compare text folded to lower case without accents, so "developpeur" finds
"Développeur".
"""

import re
import threading
import unicodedata
from functools import reduce
from operator import add, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, connections, transaction
from django.db.models import BooleanField, F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save

from jobs.facetindex import keys_of, unpacked
from jobs.fulltext import description_html
from jobs.models import ITEM_RELATIONS, Company, FullText, Posting, SearchEntry, Tag
from jobs.richtext import plain_inline, plain_text

# PostgreSQL text search configuration for each language of settings.LANGUAGES.
SEARCH_CONFIGS = {"en": "english", "fr": "french", "de": "german", "es": "spanish"}


def fold(text):
    """Lower-case text without accents: "Développeur Straße" -> "developpeur strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def uses_postgres():
    return connection.vendor == "postgresql"


def weighted_parts(posting):
    """The posting's searchable words by weight (without markup), from its prefetched items, tags and company."""
    items = [plain_inline(item.text) for related in ITEM_RELATIONS for item in getattr(posting, related).all()]
    labels = [tag.label(posting.language) for tag in posting.tags.all()]
    return {
        "A": posting.title,
        "B": f"{plain_text(posting.summary)} {plain_text(posting.description)}",
        "C": " ".join([*items, *labels, posting.company.name]),
    }


def indexed_fields(posting):
    """{field: value} of the posting's search entry (SearchEntry), from its prefetched items, tags and company.

    On PostgreSQL, the vector is an expression that the database computes when it is saved.
    """
    parts = {weight: fold(text) for weight, text in weighted_parts(posting).items()}
    fields = {"language": posting.language, "document": " ".join(parts.values())}
    if uses_postgres():
        config = SEARCH_CONFIGS[posting.language]
        fields["vector"] = reduce(
            add, (SearchVector(Value(text), config=config, weight=weight) for weight, text in parts.items())
        )
    return fields


def reindex(posting_ids):
    """Write the search entries (SearchEntry) and full texts (FullText) of these postings anew."""
    from jobs import catalogue  # jobs.catalogue imports the filters, which import this module

    postings = list(Posting.objects.filter(pk__in=posting_ids).with_sections())
    entries = [SearchEntry(posting=posting, **indexed_fields(posting)) for posting in postings]
    fields = ["language", "document", "vector"] if uses_postgres() else ["language", "document"]
    SearchEntry.objects.bulk_create(
        entries, batch_size=200, update_conflicts=True, unique_fields=["posting"], update_fields=fields
    )
    FullText.objects.bulk_create(
        [FullText(posting=posting, html=description_html(posting)) for posting in postings],
        batch_size=200,
        update_conflicts=True,
        unique_fields=["posting"],
        update_fields=["html"],
    )
    catalogue.bump(posting_ids)  # what searches find has changed


_pending = threading.local()


def reindex_on_commit(posting_ids):
    """Reindex these postings once the transaction commits, together with any others pending."""
    _pending.__dict__.setdefault("ids", set()).update(posting_ids)
    transaction.on_commit(reindex_pending)


def reindex_pending():
    # The first callback after a commit reindexes everything pending; the rest find nothing to do.
    if ids := _pending.__dict__.pop("ids", None):
        reindex(ids)


def posting_changed(sender, instance, **kwargs):
    reindex_on_commit([instance.pk])


def item_changed(sender, instance, **kwargs):
    reindex_on_commit([instance.posting_id])


def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        reindex_on_commit(list(pk_set or []) if reverse else [instance.pk])


def company_or_tag_changed(sender, instance, **kwargs):
    reindex_on_commit(list(instance.postings.values_list("pk", flat=True)))


def connect_signals():
    """Keep the search index current whenever a posting, its items, tags or company change."""
    post_save.connect(posting_changed, sender=Posting)
    for model in (Posting._meta.get_field(name).related_model for name in ITEM_RELATIONS):
        post_save.connect(item_changed, sender=model)
        post_delete.connect(item_changed, sender=model)
    m2m_changed.connect(tags_changed, sender=Posting.tags.through)
    post_save.connect(company_or_tag_changed, sender=Company)
    post_save.connect(company_or_tag_changed, sender=Tag)


# A last word the visitor may still be typing: after a space, outside quotes, not negated, long enough to narrow.
LAST_WORD = re.compile(r"(?:^|\s)([^\W_]{3,})$")


def unfinished_word(text):
    """The last word of `text` if it may be the start of a longer one, else None."""
    match = LAST_WORD.search(text)
    if match is None or text[: match.start(1)].count('"') % 2:
        return None
    return match[1]


def search_query(text, language):
    """The websearch query of `text`, or else its words with the last one as the start of a word.

    The start is not stemmed: a stemmer changes word endings ("fly" -> "fli"), so a stemmed start
    would miss the words it begins ("flyer").
    """
    text = fold(text)
    query = SearchQuery(text, config=SEARCH_CONFIGS[language], search_type="websearch")
    if start := unfinished_word(text):
        typing = SearchQuery(f"{start}:*", config="simple", search_type="raw")
        head = text[: -len(start)]
        if has_words(head):
            typing = SearchQuery(head, config=SEARCH_CONFIGS[language], search_type="websearch") & typing
        query |= typing
    return query


def has_words(text):
    return any(char.isalnum() for char in text)


def matching(text, languages=tuple(SEARCH_CONFIGS)):
    """The search entries (SearchEntry, whose keys are their postings') of postings in `languages` that match the
    words of `text`, each in its own language: all of them if it has no words."""
    entries = SearchEntry.objects.filter(language__in=languages)
    if not has_words(text):
        return entries
    if uses_postgres():
        return entries.filter(reduce(or_, (Q(language=code, vector=search_query(text, code)) for code in languages)))
    return entries.filter(*(Q(document__contains=word) for word in fold(text).split()))


def matching_keys(text, language):
    """The keys of the postings in `language` whose search entries match `text` (see matching()), as an array, read
    through the GIN index.

    The entries' rows are small and their vectors out of line, so reading every entry looks cheap to PostgreSQL's
    planner, which does not count reading each vector: for a common word at 100,000 postings it did (800 ms, where
    the index took 30). So sequential scans are off.
    """
    if not uses_postgres():
        return keys_of(matching(text, [language]))
    [keys] = planned_keys(matching(text, [language]), enable_seqscan="off")
    return keys


def matching_keys_by_language(text, languages):
    """{language: matching_keys(text, language)} for each of `languages`, read in one statement: each language's
    entries through its own GIN index (one condition ORing the languages' had PostgreSQL test every match's vector
    again, read out of line)."""
    if not uses_postgres():
        return {code: matching_keys(text, code) for code in languages}
    found = planned_keys(*(matching(text, [code]) for code in languages), enable_seqscan="off")
    return dict(zip(languages, found, strict=True))


def matching_among(text, language, keys):
    """Which of `keys` (an array of postings in `language`) match `text`, as an array.

    Read through bitmaps alone, which PostgreSQL may AND: the primary key's of `keys` and, where it expects fewer
    matches of the words than keys, the GIN index's. Where the words are common, it reads the entries of the keys
    in the order of the table and matches their vectors (at 1,000,040 postings, 1,881 keys in 13 to 24 ms, where the
    167,000 English matches of "senior" take 240); where they are rare, it reads the few entries both bitmaps hold.
    Not an index scan: by key, one entry at a time, 500 keys took 11 ms.
    """
    if not uses_postgres():
        return keys_of(matching(text, [language]).filter(pk__in=keys.tolist()))
    entries = matching(text, [language]).filter(one_of(keys.tolist()))
    [keys] = planned_keys(entries, enable_seqscan="off", enable_indexscan="off")
    return keys


def one_of(keys):
    """The condition that a search entry's key is one of `keys` (a list), given as one array: PostgreSQL reads
    them from the primary key's index as a bitmap (where IN a subquery is a join)."""
    column = f"{connection.ops.quote_name(SearchEntry._meta.db_table)}.{connection.ops.quote_name('posting_id')}"
    return RawSQL(f"{column} = ANY(%s::bigint[])", [keys], output_field=BooleanField())


def planned_keys(*entries, **settings):
    """The keys of each queryset of `entries`, as arrays, read in one statement planned with these settings (each
    until the transaction ends: this one, or the caller's)."""
    queries = [rows.order_by().values("pk").query.sql_with_params() for rows in entries]
    columns = ", ".join(f"(SELECT STRING_AGG(int8send(pk), '') FROM ({sql}) AS e)" for sql, _params in queries)
    setting = "".join(f"SET LOCAL {name} = {value}; " for name, value in settings.items())
    database = entries[0].db
    with transaction.atomic(using=database), connections[database].cursor() as cursor:
        # The settings and the query they plan in one round trip (psycopg binds the parameters client-side).
        cursor.execute(f"{setting}SELECT {columns}", [value for _sql, params in queries for value in params])
        for _name in settings:
            cursor.nextset()
        return [unpacked(packed) for packed in cursor.fetchone()]


def unnested(keys):
    """A subquery of `keys` (a list) as one array: hundreds of parameters took psycopg and PostgreSQL 4 ms to parse."""
    return RawSQL("SELECT unnest(%s::bigint[])", [keys])


def matches(text, language=None):
    """The condition for postings that match the words of `text` (every posting if it has no words).

    With no `language`, each posting is matched in its own language.
    """
    languages = [language] if language else SEARCH_CONFIGS
    return Q(pk__in=matching(text, languages).values("pk")) if has_words(text) else Q()


def ranked(keys, text, language):
    """`keys` (of postings in `language`, newest first) in the order by_relevance gives their postings: best match
    for `text` first, equals newest first. Ranked from their search entries alone, not joined to the postings.
    """
    if not keys:
        return []
    query = search_query(text, language)
    entries = SearchEntry.objects.filter(pk__in=unnested(keys)).annotate(rank=SearchRank(F("vector"), query))
    ranks = dict(entries.values_list("pk", "rank"))
    return sorted(keys, key=lambda key: -ranks.get(key, -1.0))


def rank(text, language):
    """How well a posting matches `text` on PostgreSQL; None where there is nothing to rank by."""
    if uses_postgres() and has_words(text):
        return SearchRank(F("search_entry__vector"), search_query(text, language))
    return None
