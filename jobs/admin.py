import csv
import json
from functools import cached_property
from numbers import Number

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.postgres.lookups import Overlap
from django.core.exceptions import EmptyResultSet, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaks_filter
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, format_lazy, smart_split, unescape_string_literal
from django.utils.timezone import localtime
from django.utils.translation import get_language_info, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_countries.filters import CountryFilter
from reversion.admin import VersionAdmin
from reversion.models import Version

from jobs import statistics
from jobs.exchange import export_json
from jobs.forms import CleanModelForm, FilteredCheckboxes, ItemFormSet, PostingForm, TranslationForm
from jobs.history import record, revert_posting
from jobs.locking import Busy, first_locked
from jobs.models import (
    Benefit,
    CareerStep,
    Company,
    CompanyDescription,
    DailyStatistics,
    ExchangeRate,
    Lifecycle,
    Office,
    Posting,
    PostingWord,
    PostingWords,
    Requirement,
    Responsibility,
    Tag,
    WorkingLanguage,
)
from jobs.richtext import render_markdown
from jobs.text import clean_text


def distinct_values(queryset, field):
    """The distinct values of `field` in `queryset`, in order, read from an index one value at a time.

    SELECT DISTINCT reads every row. This asks for the first value, then again and again for the next one
    after it, in one recursive query (PostgreSQL's wiki: "Loose indexscan"); with an index on `field`
    each step reads one index entry.
    """
    values = queryset.order_by(field).values_list(field, flat=True)
    try:
        first_sql, first_params = values[:1].query.sql_with_params()
    except EmptyResultSet:
        return []
    next_sql, next_params = values.filter(**{f"{field}__gt": RawSQL("found.value", ())})[:1].query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE found(value) AS (SELECT ({first_sql}) UNION ALL "
            f"SELECT ({next_sql}) FROM found WHERE found.value IS NOT NULL) "
            "SELECT value FROM found WHERE value IS NOT NULL",
            (*first_params, *next_params),
        )
        return [value for (value,) in cursor.fetchall()]


class UsedCountryFilter(CountryFilter):
    """The countries of the postings this user may see, by name."""

    def lookup_choices(self, changelist):
        used = set(distinct_values(changelist.root_queryset, self.field_path))
        return [(code, name) for code, name in self.field.get_choices(include_blank=False) if code in used]


class UsedCompanyFilter(admin.RelatedOnlyFieldListFilter):
    """The companies of the postings this user may see: one index lookup per company, not a read of every posting."""

    def field_choices(self, field, request, model_admin):
        postings = model_admin.get_queryset(request).filter(**{self.field_path: OuterRef("pk")})
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=Q(Exists(postings)), ordering=ordering)


def planned_rows(queryset):
    """How many rows PostgreSQL's planner expects `queryset` to find (none where Django knows it finds none)."""
    plan = queryset.explain(format="json")
    return json.loads(plan)[0]["Plan"]["Plan Rows"] if plan else 0


class EstimatedCountPaginator(Paginator):
    """On PostgreSQL, takes the query planner's estimate where it is TRUSTED_ESTIMATE rows or more; otherwise counts
    exactly up to EXACT_COUNT rows, and past that takes the estimate.

    An exact count reads every matching row, most of a second at a million postings; even counting to EXACT_COUNT
    took 0.2 to 0.8 s there for a word found in a few percent of the postings, whose trigram matches PostgreSQL
    gathers in full before the first row. The planner's estimates of such searches came within 2.5 times of the
    real count, so one of TRUSTED_ESTIMATE says there are many more than EXACT_COUNT. `estimated` says which it is.

    Counting reads the keys it counts. When they are a page or fewer, those postings are read by key
    (`found`), and the list shows them rather than search again: the search is read once, not twice. A word whose
    trigrams are common is where that counts: PostgreSQL finds most of its candidates wrong only once it has read
    them (at a million postings, "rest" in none of 228,918 candidates: 1.4 s a search).
    """

    EXACT_COUNT = 1000
    TRUSTED_ESTIMATE = 20_000
    estimated = False
    found = None

    @cached_property
    def count(self):
        postings = self.object_list
        if connections[postings.db].vendor != "postgresql":
            return super().count
        planned = planned_rows(postings)
        if planned >= self.TRUSTED_ESTIMATE:
            self.estimated = True
            return planned
        keys = list(postings.order_by().values_list("pk", flat=True)[: self.EXACT_COUNT + 1])
        self.estimated = len(keys) > self.EXACT_COUNT
        if self.estimated:
            return max(planned, len(keys))
        if len(keys) <= self.per_page:
            self.found = list(postings.filter(pk__in=keys))  # in the list's order
        return len(keys)


class CompanyDescriptionInline(admin.StackedInline):
    """The company's description in each language, shown on its page in that language."""

    model = CompanyDescription
    form = CleanModelForm
    extra = 0
    fields = ["language", "text"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})}}


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """Superusers manage companies and their HR staff; HR staff see their own companies."""

    form = CleanModelForm
    inlines = [CompanyDescriptionInline]
    list_display = ["name", "city", "country", "website"]
    list_filter = [("country", UsedCountryFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).managed_by(request.user)


class CompanyMembershipInline(admin.TabularInline):
    model = Company.members.through
    extra = 0
    autocomplete_fields = ["company"]
    verbose_name = _("company membership")
    verbose_name_plural = _("HR staff of the companies")


User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class HRUserAdmin(UserAdmin):
    inlines = [CompanyMembershipInline]


class TagForm(CleanModelForm):
    """One name field per language of settings.LANGUAGES, stored in Tag.translated_names."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, language in self.other_languages():
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language},
                required=False,
                initial=self.instance.translated_names.get(code, ""),
            )

    @staticmethod
    def other_languages():
        return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

    def save(self, commit=True):
        self.instance.translated_names = {
            code: self.cleaned_data[f"name_{code}"].strip()
            for code, _name in self.other_languages()
            if self.cleaned_data[f"name_{code}"].strip()
        }
        return super().save(commit)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """The rates the salary floor converts with, to read: load_exchange_rates replaces them from a file."""

    list_display = ["currency", "rate", "date"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    list_display = ["name", "slug", "translations"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_fields(self, request, obj=None):
        return ["name", "slug", *(f"name_{code}" for code, _name in TagForm.other_languages())]

    def get_form(self, request, obj=None, **kwargs):
        # The per-language name fields are added by TagForm itself, not by the model.
        kwargs["fields"] = TagForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    @admin.display(description=_("translations"))
    def translations(self, tag):
        return ", ".join(f"{code}: {name}" for code, name in sorted(tag.translated_names.items()))


INLINE_MARKUP_HELP = _("**bold**, _italic_, [a link](https://…)")
MARKUP_HELP = _(
    "**bold**, _italic_, [a link](https://…); a list: lines that start with “- ”, “1. ” or a pasted bullet; "
    "headings: “# ” and “## ”."
)


class ItemInline(admin.TabularInline):
    """A posting's items; for a translation, each beside the text of the source's item at its position."""

    form = CleanModelForm
    extra = 1
    fields = ["position", "kind", "text"]
    formset = ItemFormSet
    classes = ["ordered-items"]
    template = "admin/jobs/posting/items_inline.html"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["help_text"] = INLINE_MARKUP_HELP
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            # The table shows the label once, as the column's header: screen readers get it on every field.
            field.widget.attrs["aria-label"] = capfirst(field.label)
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.accepts_paste = self.has_add_permission(request, obj)
        return formset

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        source = obj.translation_source if obj else None
        if source is None:
            return fields
        # An inline instance serves one request: the texts are kept for original_text() to show.
        self.source_texts = {
            item.position: item.text for item in getattr(source, self.model._meta.default_related_name).all()
        }
        return [*fields, "original_text"]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "original_text"] if obj and obj.translation_source else readonly

    @admin.display(description=_("original"))
    def original_text(self, item):
        return self.source_texts.get(item.position, "")


class ResponsibilityInline(ItemInline):
    model = Responsibility


class RequirementInline(ItemInline):
    model = Requirement
    fields = ["position", "kind", "priority", "text"]


class BenefitInline(ItemInline):
    model = Benefit
    fields = ["position", "text"]


class CareerStepInline(ItemInline):
    model = CareerStep


class OfficeInline(admin.TabularInline):
    model = Office
    form = CleanModelForm
    extra = 0
    fields = ["city", "country"]


class WorkingLanguageInline(admin.TabularInline):
    model = WorkingLanguage
    extra = 0
    fields = ["language", "level"]


class LifecycleFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "lifecycle"

    def lookups(self, request, model_admin):
        return Lifecycle.choices

    def queryset(self, request, queryset):
        return queryset.in_lifecycle(self.value()) if self.value() else queryset


# The posting's fields a translation translates, shown beside the source's text.
TRANSLATED = ("title", "summary", "description")

# The posting's own columns that the admin's search looks in (with its company's name), those of PostingWords.
OWN_SEARCH_FIELDS = ["title", "summary", "city", "slug"]


def original_under(field):
    """The field, followed by the source's text if the field is translated."""
    return [field, f"original_{field}"] if field in TRANSLATED else [field]


def translation_note(source):
    """What the change form of a translation says about the posting it translates."""
    url = reverse("admin:jobs_posting_change", args=[quote(source.pk)])
    language = get_language_info(source.language)["name_translated"]
    return format_html(
        gettext("A translation of {posting} ({language}): its text is shown under each field and beside each item."),
        posting=format_html('<a href="{}">{}</a>', url, source.title),
        language=language,
    )


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """`value` for a CSV cell: a number as it is, text starting like a formula behind a quote so it stays text."""
    if value is None or isinstance(value, Number):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_download(filename, columns, rows):
    """A CSV file of `rows`, a line each, with `columns` ({heading: a row's value}), safe to open in a spreadsheet."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    writer = csv.writer(response)
    writer.writerow(columns.keys())
    for row in rows:
        writer.writerow(spreadsheet_cell(value(row)) for value in columns.values())
    return response


EXPORT_COLUMNS = {
    _("title"): lambda posting: posting.title,
    _("company"): lambda posting: posting.company.name,
    _("language"): lambda posting: posting.language,
    _("state"): lambda posting: posting.lifecycle.label,
    _("publish date"): lambda posting: posting.published_at and posting.published_at.isoformat(),
    _("valid through"): lambda posting: posting.valid_through and posting.valid_through.isoformat(),
    _("workplace"): lambda posting: posting.get_workplace_display(),
    _("city"): lambda posting: posting.city,
    _("country"): lambda posting: posting.country.code,
    _("salary minimum"): lambda posting: posting.salary_min,
    _("salary maximum"): lambda posting: posting.salary_max,
    _("currency"): lambda posting: posting.salary_currency,
    _("salary period"): lambda posting: posting.salary_period,
    _("application URL"): lambda posting: posting.apply_url,
    _("application e-mail"): lambda posting: posting.apply_email,
    _("slug"): lambda posting: posting.slug,
}


STATISTICS_COLUMNS = {
    _("date"): lambda row: row.day.isoformat(),
    _("posting"): lambda row: row.posting.title,
    _("slug"): lambda row: row.posting.slug,
    _("language"): lambda row: row.posting.language,
    _("page views"): lambda row: row.views,
    _("apply clicks"): lambda row: row.apply_clicks,
}


class PostingChangeList(ChangeList):
    """The posting list, each posting of the page with its statistics of the last days (one query per page)."""

    def get_results(self, request):
        super().get_results(request)
        if not self.multi_page and self.paginator.found is not None:
            self.result_list = self.paginator.found  # every posting found, read when counted
        totals = statistics.recent_totals([posting.pk for posting in self.result_list])
        for posting in self.result_list:
            posting.recent_numbers = totals.get(posting.pk, dict.fromkeys(statistics.EVENTS, 0))


@admin.register(Posting)
class PostingAdmin(VersionAdmin):
    """HR staff's postings: only their companies', with lifecycle actions and a restorable history."""

    form = PostingForm
    inlines = [
        OfficeInline,
        WorkingLanguageInline,
        ResponsibilityInline,
        RequirementInline,
        BenefitInline,
        CareerStepInline,
    ]
    list_display = [
        "title",
        "company",
        "language",
        "workplace",
        "country_name",
        "lifecycle_display",
        "published_at",
        "valid_through",
        "updated_at",
        "recent_statistics",
    ]
    list_filter = [
        LifecycleFilter,
        "language",
        "workplace",
        ("country", UsedCountryFilter),
        "employment_type",
        "seniority",
        ("company", UsedCompanyFilter),
        ("published_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["company"]
    # Django's 100 rows of ten columns took about 100 ms to render; 50 a page keep the list quick at any size.
    list_per_page = 50
    search_fields = [*OWN_SEARCH_FIELDS, "company__name"]
    # How many words that hold a search term, and postings that hold one, the search looks postings up by words at
    # most (own_columns_holding()).
    WORDS_READ = 1000
    WORDS_FOUND = 1000
    # Counting every posting the list could show reads the whole table; the paginator's count is enough.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    change_list_template = "admin/jobs/posting/change_list.html"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["readiness", "lifecycle_display", "preview", "created_at", "updated_at", "statistics_panel"]
    actions = [
        "publish_now",
        "archive",
        "extend_expiry",
        "duplicate",
        "create_translation",
        "export_csv",
        export_json,
        "export_statistics",
    ]
    history_latest_first = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "company",
                    "language",
                    "title",
                    "slug",
                    "summary",
                    "description",
                    "preview",
                    "based_on_version",
                ]
            },
        ),
        (
            _("The job"),
            {"fields": ["employment_type", "seniority", ("experience_years", "experience_years_max"), "tags"]},
        ),
        (
            _("Where"),
            {
                "fields": ["workplace", "city", "country", "eligible_countries", ("visa_sponsorship", "relocation")],
                "description": _(
                    "A fully remote role needs no office: leave city and country empty and choose the countries "
                    "candidates may work from. A job with several offices lists the others under “Other offices”."
                ),
            },
        ),
        (
            _("Pay"),
            {
                "fields": [
                    ("salary_min", "salary_max"),
                    ("salary_currency", "salary_period"),
                    "salary_basis",
                    ("bonus_percent", "equity", "allowances"),
                    "collective_agreement",
                ],
                "description": _(
                    "The pay is the job's, shared by its postings in every language: a change here changes them all."
                ),
            },
        ),
        (_("How to apply"), {"fields": ["apply_url", "apply_email"]}),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at", "valid_through", "created_at", "updated_at"],
                "description": _(
                    "A published posting is public from its publish date (now, when left empty) until it "
                    "expires; before its publish date it is scheduled."
                ),
            },
        ),
        (_("Translations"), {"fields": ["translation_group"], "classes": ["collapse"]}),
    ]

    class Media:
        js = ["jobs/admin/item_order.js", "jobs/admin/text_preview.js"]
        css = {"all": ["jobs/admin/posting.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).managed_by(request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The other offices are saved after the posting: their countries are work countries too.
        form.instance.sync_work_countries()

    def get_search_results(self, request, queryset, search_term):
        """Every word of the search in one of search_fields, as Django's admin searches, with a company's name
        matched through the ids of the companies that have it.

        A condition on the joined company table, ORed with the posting's own, made PostgreSQL read every
        posting; on the posting's own columns alone (own_columns_holding()) it reads their indexes.
        """
        conditions = Q()
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            companies = Company.objects.filter(name__icontains=word).values_list("pk", flat=True)
            conditions &= Q(self.own_columns_holding(word, queryset.db), company__in=list(companies), _connector=Q.OR)
        return queryset.filter(conditions), False

    def own_columns_holding(self, term, database):
        """The condition that the posting's title, summary, city or slug holds `term`, in any case.

        On PostgreSQL, where the term holds no separator of words and is long enough for trigrams: the postings
        that hold one of the words that hold it (jobs.models.PostingWords), read from the words' trigram index, if
        there are WORDS_READ words or fewer and PostgreSQL's planner expects WORDS_FOUND postings or fewer to have
        one. The trigram indexes of the columns themselves (migration 0005) give every posting that has the term's
        trigrams, each then read to see whether it holds the term: at 1,000,040 postings, "rest" was in none of the
        228,918 that have "RES" and "EST", 1.4 s to find (by its words, none: 40 ms for the page). A term that many
        postings hold is found sooner that way: reading the postings newest first, a page of them is soon found
        (at 1,000,040 postings, 28 words each in 17,000 to 180,000 postings: 52 to 95 ms a page, by their words
        65 to 2,140).
        """
        own = Q(*(Q(**{f"{name}__icontains": term}) for name in OWN_SEARCH_FIELDS), _connector=Q.OR)
        separated = any(separator in term for separator in PostingWords.SEPARATORS)
        if connections[database].vendor != "postgresql" or separated or not 3 <= len(term) <= 255:
            return own
        words = PostingWord.objects.using(database).filter(word__icontains=term).values_list("word", flat=True)
        words = list(words[: self.WORDS_READ + 1])
        if not words:
            return Q(pk__in=[])
        by_words = Overlap(PostingWords(), words)
        if (
            len(words) > self.WORDS_READ
            or planned_rows(Posting.objects.using(database).filter(by_words)) > self.WORDS_FOUND
        ):
            return own
        return by_words

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        state = (_("Readiness"), {"fields": ["lifecycle_display", "readiness"], "classes": ["readiness"]})
        (name, options), *others = self.fieldsets
        if source := obj.translation_source:
            fields = [shown for field in options["fields"] for shown in original_under(field)]
            options = {**options, "fields": fields, "description": translation_note(source)}
        counted = (_("Statistics"), {"fields": ["statistics_panel"]})
        return [state, (name, options), *others, counted]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj and obj.translation_source:
            return [*readonly, *(f"original_{field}" for field in TRANSLATED)]
        return readonly

    @admin.display(description=_("original"))
    def original_title(self, posting):
        return posting.translation_source.title

    @admin.display(description=_("original"))
    def original_summary(self, posting):
        return linebreaks_filter(posting.translation_source.summary)

    @admin.display(description=_("original"))
    def original_description(self, posting):
        return linebreaks_filter(posting.translation_source.description)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "company":
            kwargs["queryset"] = Company.objects.managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"eligible_countries", "tags"}:
            kwargs["widget"] = FilteredCheckboxes
        if db_field.name in {"summary", "description"}:
            kwargs["help_text"] = (
                format_lazy("{} {}", db_field.help_text, MARKUP_HELP) if db_field.help_text else MARKUP_HELP
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        companies = list(Company.objects.managed_by(request.user)[:2])
        if len(companies) == 1:
            initial.setdefault("company", companies[0].pk)
        return initial

    def action_checkbox(self, obj):
        # The markup of Django's, without rendering a CheckboxInput through the form templates for each row.
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, posting):
        # The field's own display looks the code up among every country's choice, for each row.
        return posting.country.name

    @admin.display(description=_("state"))
    def lifecycle_display(self, posting):
        return posting.lifecycle.label

    def get_changelist(self, request, **kwargs):
        return PostingChangeList

    @admin.display(description=_("views / apply clicks (30 days)"))
    def recent_statistics(self, posting):
        return f"{posting.recent_numbers['views']} / {posting.recent_numbers['apply_clicks']}"

    @admin.display(description=_("last 30 days"))
    def statistics_panel(self, posting):
        """Totals of the last 30 days, and the numbers of each day in a table that opens on demand."""
        days = statistics.per_day(posting)
        total_views = sum(day.views for day in days)
        total_clicks = sum(day.apply_clicks for day in days)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((date_format(day.day, "SHORT_DATE_FORMAT"), day.views, day.apply_clicks) for day in days),
        )
        return format_html(
            '<p class="statistics-totals">{}</p><details><summary>{}</summary><table class="statistics-days">'
            "<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table></details>"
            '<p class="help">{}</p>',
            ngettext("%(count)d page view", "%(count)d page views", total_views) % {"count": total_views}
            + ", "
            + ngettext("%(count)d apply click", "%(count)d apply clicks", total_clicks) % {"count": total_clicks},
            gettext("Per day"),
            gettext("date"),
            gettext("page views"),
            gettext("apply clicks"),
            rows,
            gettext(
                "Each visitor's views of the page and clicks on its apply buttons count once in 30 minutes; "
                "crawlers, prefetches and signed-in staff are not counted. Days are in UTC."
            ),
        )

    @admin.display(description=_("still missing"))
    def readiness(self, posting):
        gaps = posting.readiness_gaps()
        if not gaps:
            return gettext("Nothing: this posting has everything a good posting has.")
        if "translation" in gaps:
            url = reverse("admin:jobs_posting_translate", args=[quote(posting.pk)])
            gaps["translation"] = format_html('{} <a href="{}">{}</a>', gaps["translation"], url, gettext("Create one"))
        rows = [(message,) for message in gaps.values()]
        return format_html('<ul class="readiness-gaps">{}</ul>', format_html_join("", "<li>{}</li>", rows))

    @admin.display(description=_("preview"))
    def preview(self, posting):
        """The summary and description as the posting's page shows them; the script updates them as HR types."""
        return format_html(
            '<div class="text-preview" data-url="{}"><div class="lead" data-source="id_summary">{}</div>'
            '<div data-source="id_description">{}</div></div>',
            reverse("admin:jobs_posting_preview"),
            render_markdown(posting.summary),
            render_markdown(posting.description),
        )

    # History: one revision per posting, its items included; deletions are recorded first.

    def changelist_view(self, request, extra_context=None):
        # VersionAdmin puts the whole page in one revision, which would tie together every
        # posting an action touches; the actions record one revision per posting instead.
        context = {"has_change_permission": self.has_change_permission(request), **(extra_context or {})}
        return admin.ModelAdmin.changelist_view(self, request, context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """The change form filled from `version`, saved only if it is posted and valid.

        Replaces django-reversion's view, which reverts every object of the version's revision:
        this one reverts only the posting and its items (jobs.history.revert_posting), in a
        transaction rolled back unless the restored posting is saved.
        """
        with transaction.atomic():
            try:
                with transaction.atomic():
                    revert_posting(version)
            except (IntegrityError, ObjectDoesNotExist):
                self.message_user(
                    request,
                    gettext("This version of “%(posting)s” can no longer be restored.") % {"posting": version},
                    messages.ERROR,
                )
                return redirect("admin:jobs_posting_changelist")
            with self.create_revision(request):
                response = self.changeform_view(request, quote(version.object_id), request.path, extra_context)
                if request.method == "POST" and response.status_code == 302:
                    reversion.set_comment(
                        gettext("Restored the version of %(date)s.")
                        % {"date": date_format(localtime(version.revision.date_created), "DATETIME_FORMAT")}
                    )
                    return response
            if response.status_code == 200:
                response.template_name = template_name
                response.render()
            transaction.set_rollback(True)
        return response

    def delete_model(self, request, obj):
        record(obj, gettext("Deleted."), request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for posting in queryset:
            record(posting, gettext("Deleted."), request.user)
        super().delete_queryset(request, queryset)

    def scoped_version(self, request, version_id, versions):
        """The posting version `version_id` among `versions`, if the user may manage its company."""
        version = get_object_or_404(versions.select_related("revision"), pk=version_id)
        company_id = version.field_dict["company_id"]
        if not Company.objects.managed_by(request.user).filter(pk=company_id).exists():
            raise Http404
        return version

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        self.scoped_version(request, version_id, Version.objects.get_for_object_reference(Posting, unquote(object_id)))
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        self.scoped_version(request, version_id, Version.objects.get_deleted(Posting))
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        company_ids = set(Company.objects.managed_by(request.user).values_list("pk", flat=True))
        deleted = [
            version
            for version in Version.objects.get_deleted(Posting).select_related("revision").order_by("-pk")
            if version.field_dict["company_id"] in company_ids
        ]
        return super().recoverlist_view(request, {"deleted": deleted, **(extra_context or {})})

    # Lifecycle actions: each posting is validated, saved and recorded on its own.

    def change_each(self, request, postings, change, message):
        """Apply `change` to each posting; save those that stay valid, report those that do not.

        Each posting is read again under a row lock and saved in a transaction of its own, so that
        an action never writes back what it read before a colleague's save.
        """
        saved = 0
        for pk in postings.values_list("pk", flat=True):
            with transaction.atomic():
                try:
                    posting = first_locked(Posting.objects.filter(pk=pk))
                except Busy:
                    self.message_user(
                        request,
                        gettext("“%(posting)s” was not changed: someone else was saving it. Try again in a moment.")
                        % {"posting": Posting.objects.get(pk=pk)},
                        messages.ERROR,
                    )
                    continue
                if posting is None:
                    continue
                change(posting)
                try:
                    posting.full_clean()
                except ValidationError as error:
                    self.message_user(
                        request,
                        gettext("“%(posting)s” was not changed: %(reasons)s")
                        % {"posting": posting, "reasons": " ".join(error.messages)},
                        messages.ERROR,
                    )
                    continue
                with reversion.create_revision():
                    reversion.set_user(request.user)
                    posting.save()
                    self.log_change(request, posting, message)
                saved += 1
        if saved:
            self.message_user(
                request,
                ngettext("%(count)d posting: %(message)s", "%(count)d postings: %(message)s", saved)
                % {"count": saved, "message": message},
                messages.SUCCESS,
            )

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset):
        self.change_each(request, queryset, Posting.publish_now, gettext("published now."))

    @admin.action(description=_("Archive"), permissions=["change"])
    def archive(self, request, queryset):
        self.change_each(request, queryset, Posting.archive, gettext("archived."))

    @admin.action(description=_("Extend expiry by 30 days"), permissions=["change"])
    def extend_expiry(self, request, queryset):
        if without := queryset.filter(valid_through__isnull=True).count():
            self.message_user(
                request,
                ngettext(
                    "%(count)d posting has no expiry date to extend.",
                    "%(count)d postings have no expiry date to extend.",
                    without,
                )
                % {"count": without},
                messages.WARNING,
            )
        self.change_each(
            request, queryset.filter(valid_through__isnull=False), Posting.extend_expiry, gettext("expiry extended.")
        )

    def copy_posting(self, request, posting, message, **changes):
        """A new draft copy of `posting`, recorded in its history and the admin log."""
        with reversion.create_revision():
            copy = posting.copy(**changes)
            reversion.set_user(request.user)
            reversion.add_to_revision(copy)
            self.log_addition(request, copy, message)
        return copy

    @admin.action(description=_("Duplicate as a new draft"), permissions=["add"])
    def duplicate(self, request, queryset):
        for posting in queryset:
            self.copy_posting(
                request,
                posting,
                gettext("Duplicated from “%(posting)s”.") % {"posting": posting},
                title=gettext("%(title)s (copy)") % {"title": posting.title},
            )
        self.message_user(request, gettext("The copies are drafts: edit them, then publish."), messages.SUCCESS)

    @admin.action(description=_("Create a translation…"), permissions=["add"])
    def create_translation(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select one posting to translate."), messages.WARNING)
            return None
        return redirect("admin:jobs_posting_translate", quote(queryset.get().pk))

    @admin.action(description=_("Export selected postings as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_download("postings.csv", EXPORT_COLUMNS, queryset.select_related("company"))

    @admin.action(description=_("Export statistics of selected postings as CSV"), permissions=["view"])
    def export_statistics(self, request, queryset):
        """Every day with a view or an apply click of the selected postings: date, posting, views, apply clicks."""
        rows = DailyStatistics.objects.filter(posting__in=queryset.values("pk")).select_related("posting")
        return csv_download(
            "posting-statistics.csv", STATISTICS_COLUMNS, rows.order_by("posting__title", "posting", "day")
        )

    # Translations.

    def get_urls(self):
        translate = path(
            "<path:object_id>/translate/",
            self.admin_site.admin_view(self.translate_view),
            name="jobs_posting_translate",
        )
        preview = path("preview/", self.admin_site.admin_view(self.preview_view), name="jobs_posting_preview")
        return [translate, preview, *super().get_urls()]

    @method_decorator(require_POST)
    def preview_view(self, request):
        """The HTML of the posted `text` as a summary or description, for the change form's live preview."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return HttpResponse(render_markdown(clean_text(request.POST.get("text", ""))))

    def translate_view(self, request, object_id):
        """Copy a posting with its items into another language, as a draft of the same job."""
        posting = self.get_object(request, unquote(object_id))
        if posting is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TranslationForm(request.POST or None, posting=posting)
        if request.method == "POST" and form.is_valid():
            language = form.cleaned_data["language"]
            translation = self.copy_posting(
                request,
                posting,
                gettext("Translation of “%(posting)s” (%(language)s).") % {"posting": posting, "language": language},
                language=language,
                translation_group=posting.translation_group,
                valid_through=posting.valid_through,
            )
            self.message_user(
                request,
                gettext("This draft is a copy of “%(posting)s”: translate its text, then publish it.")
                % {"posting": posting},
                messages.SUCCESS,
            )
            return redirect("admin:jobs_posting_change", quote(translation.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Translate “%(posting)s”") % {"posting": posting},
            "opts": self.opts,
            "original": posting,
            "form": form,
        }
        return TemplateResponse(request, "admin/jobs/posting/translate.html", context)
