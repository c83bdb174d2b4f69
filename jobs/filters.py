"""The listing's filters (the query parameters of DESIGN.md) and their facet counts."""

import functools
from datetime import timedelta
from decimal import Decimal

import django_filters
from django.conf import settings
from django.core.validators import slug_re
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from jobs.forms import CleanForm
from jobs.models import (
    BASE_CURRENCY,
    Company,
    EmploymentType,
    ExchangeRate,
    Posting,
    SalaryPeriod,
    Seniority,
    Tag,
    WorkCountry,
    WorkingLanguage,
    Workplace,
    currency_choices,
    working_language_choices,
)
from jobs.search import fold
from jobs.templatetags.postings import current_locale, money

MAX_QUERY_LENGTH = 200
# Above this, a salary floor is no salary in any currency the rates table converts (and the yearly amount in euros
# stays far inside PostgreSQL's bigint, even per hour).
MAX_SALARY_FLOOR = Decimal(10) ** 11
# The parameters that say what the salary floor is in; alone they filter nothing.
SALARY_FLOOR_UNITS = ("salary_currency", "salary_period")
POSTED_WITHIN = [("1", _("Last 24 hours")), ("7", _("Last 7 days")), ("30", _("Last 30 days"))]


class AmountFilter(django_filters.NumberFilter):
    """A number filter whose field's own max_value is its only upper bound (one message, not two)."""

    def get_max_validator(self):
        return None


class Sort(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    NEWEST = "newest", _("Newest")


class PostingFilter(django_filters.FilterSet):
    """Filters live postings of one language; OR within a parameter, AND across parameters.

    Parameters with malformed values are reported on the form and ignored; the others still filter.
    """

    # Parameters whose options are what the listing's language has live postings for.
    PER_LANGUAGE = ("country", "tag", "company")
    # Best matches first when searching; with no words to rank by, that is newest first.
    DEFAULT_SORT = Sort.RELEVANCE
    MAX_SALARY_FLOOR = MAX_SALARY_FLOOR

    q = django_filters.CharFilter(label=_("Keywords"), method="filter_text", max_length=MAX_QUERY_LENGTH, strip=True)
    country = django_filters.MultipleChoiceFilter(label=_("Country"), method="filter_country")
    workplace = django_filters.MultipleChoiceFilter(label=_("Workplace"), choices=Workplace.choices, distinct=False)
    employment = django_filters.MultipleChoiceFilter(
        label=_("Employment type"), field_name="employment_type", choices=EmploymentType.choices, distinct=False
    )
    seniority = django_filters.MultipleChoiceFilter(label=_("Seniority"), choices=Seniority.choices, distinct=False)
    tag = django_filters.MultipleChoiceFilter(label=_("Category"), method="filter_tag")
    company = django_filters.ChoiceFilter(label=_("Company"), field_name="company__slug")
    salary = django_filters.ChoiceFilter(
        label=_("Salary"), choices=[("1", _("Salary disclosed"))], method="filter_salary"
    )
    salary_min = AmountFilter(
        label=_("Minimum salary"),
        method="filter_salary_floor",
        min_value=0,
        max_value=MAX_SALARY_FLOOR,
        decimal_places=2,
    )
    salary_currency = django_filters.ChoiceFilter(label=_("Currency"), method="unit_of_salary_floor")
    salary_period = django_filters.ChoiceFilter(
        label=_("Period"), choices=SalaryPeriod.choices, method="unit_of_salary_floor"
    )
    requires = django_filters.MultipleChoiceFilter(label=_("Language required"), method="filter_requires")
    not_requires = django_filters.MultipleChoiceFilter(label=_("Language not required"), method="filter_not_requires")
    visa = django_filters.ChoiceFilter(
        label=_("Visa"), choices=[("1", _("Visa sponsorship"))], field_name="visa_sponsorship", method="filter_flag"
    )
    relocation = django_filters.ChoiceFilter(
        label=_("Relocation"), choices=[("1", _("Relocation assistance"))], method="filter_flag"
    )
    posted = django_filters.ChoiceFilter(label=_("Posted"), choices=POSTED_WITHIN, method="filter_posted")
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=Sort.choices, method="sort_after_filtering")

    class Meta:
        form = CleanForm

    def __init__(self, data, queryset=None, *, language, request=None):
        """Filters `queryset`, by default the live postings in `language`.

        The country, tag and company options are those of `queryset`'s postings, and the well-formed values chosen
        (any ISO country code, any existing tag or company): one with no postings here narrows to none.
        """
        self.language = language
        if queryset is None:
            queryset = Posting.objects.live().in_language(language)
        super().__init__(data, queryset, request=request)
        chosen = {name: data.getlist(name) if data else [] for name in self.PER_LANGUAGE}
        codes = {code for code in chosen["country"] if code in countries}
        self.countries = available_countries(queryset, also=codes)
        tagged = Posting.tags.through.objects.filter(posting__in=queryset).values("tag")
        tags = Tag.objects.filter(Q(pk__in=tagged) | Q(slug__in=slugs(chosen["tag"])))
        tags = sorted(tags, key=lambda tag: fold(tag.label(language)))
        companies = Company.objects.filter(Q(pk__in=queryset.values("company")) | Q(slug__in=slugs(chosen["company"])))
        self.filters["country"].extra["choices"] = self.countries
        self.filters["tag"].extra["choices"] = [(tag.slug, tag.label(language)) for tag in tags]
        self.filters["company"].extra["choices"] = [(company.slug, company.name) for company in companies]
        self.filters["salary_currency"].extra["choices"] = currency_choices(self.exchange_rates)
        required = set(WorkingLanguage.objects.filter(posting__in=queryset).values_list("language", flat=True))
        for name in ("requires", "not_requires"):
            also = set(data.getlist(name)) if data else set()
            self.filters[name].extra["choices"] = [
                (code, label) for code, label in working_language_choices() if code in required | also
            ]

    @classmethod
    def language_neutral(cls):
        """The parameters that mean the same in every language."""
        return [name for name in cls.base_filters if name not in cls.PER_LANGUAGE]

    def filter_queryset(self, queryset):
        """The postings that match every valid parameter, in the chosen order."""
        postings = self.filtered(queryset)
        if self.ordering == Sort.RELEVANCE:
            return postings.by_relevance(self.search_text, self.language)
        return postings.newest_first()

    def filtered(self, postings, excluded=()):
        """`postings` narrowed by every parameter given a valid value, except the `excluded` ones."""
        for name, value in self.valid_data.items():
            if name not in excluded:
                postings = self.filters[name].filter(postings, value)
        return postings

    def filtered_without(self, name):
        """The postings that match every valid parameter except `name` (for its facet counts)."""
        return self.filtered(self.queryset, excluded={name})

    @property
    def valid_data(self):
        """{parameter: value} of every parameter but those given an invalid value."""
        self.form.is_valid()
        return self.form.cleaned_data

    def counts_in_other_languages(self):
        """{language: number of live postings in it that match the same filters}, for the other languages."""
        others = self.filtered(Posting.objects.live().exclude(language=self.language), excluded={"q"})
        return grouped_counts(others.search(self.search_text), "language")

    def chosen_values(self, *names):
        """{parameter: its valid values as a list} for these parameters."""
        return {
            name: [value] if isinstance(value, str) else list(value)
            for name in names
            if (value := self.valid_data.get(name))
        }

    @property
    def search_text(self):
        return self.valid_data.get("q") or ""

    @property
    def ordering(self):
        return self.valid_data.get("sort") or self.DEFAULT_SORT

    def filter_text(self, postings, name, value):
        return postings.search(value, self.language)

    def filter_country(self, postings, name, value):
        return postings.filter(Exists(WorkCountry.objects.filter(posting=OuterRef("pk"), country__in=value)))

    def filter_tag(self, postings, name, value):
        return postings.filter(Exists(Posting.tags.through.objects.filter(posting=OuterRef("pk"), tag__slug__in=value)))

    def filter_salary(self, postings, name, value):
        return postings.with_salary()

    @functools.cached_property
    def exchange_table(self):
        return ExchangeRate.objects.table()

    @property
    def exchange_rates(self):
        """{currency: units per euro} of the rates table, which the salary floor converts with."""
        return self.exchange_table[0]

    @property
    def rates_date(self):
        """The date of the exchange rates, which the listing names beside the salary floor."""
        return self.exchange_table[1]

    @property
    def default_currency(self):
        """The currency of a salary floor in this language (settings.SALARY_CURRENCY_BY_LANGUAGE), if it has a rate."""
        currency = settings.SALARY_CURRENCY_BY_LANGUAGE.get(self.language, BASE_CURRENCY)
        return currency if currency in self.exchange_rates else BASE_CURRENCY

    @property
    def floor_currency(self):
        return self.valid_data.get("salary_currency") or self.default_currency

    @property
    def floor_period(self):
        return self.valid_data.get("salary_period") or SalaryPeriod.YEAR

    @property
    def salary_floor(self):
        """(amount, currency, period) of the visitor's valid salary floor, or None."""
        amount = self.valid_data.get("salary_min")
        return None if amount is None else (amount, self.floor_currency, self.floor_period)

    def filter_salary_floor(self, postings, name, value):
        return postings.paying_at_least(*self.salary_floor, rates=self.exchange_rates)

    def unit_of_salary_floor(self, postings, name, value):
        """The currency and period are no filters: filter_salary_floor reads them."""
        return postings

    def filter_requires(self, postings, name, value):
        return postings.filter(Exists(WorkingLanguage.objects.filter(posting=OuterRef("pk"), language__in=value)))

    def filter_not_requires(self, postings, name, value):
        return postings.exclude(Exists(WorkingLanguage.objects.filter(posting=OuterRef("pk"), language__in=value)))

    def filter_flag(self, postings, name, value):
        """Only the postings whose flag (visa sponsorship, relocation assistance) is set."""
        return postings.filter(**{name: True})

    def filter_posted(self, postings, name, value):
        return postings.filter(published_at__gte=timezone.now() - timedelta(days=int(value)))

    def sort_after_filtering(self, postings, name, value):
        """The order is no filter: filter_queryset applies it, the default one included."""
        return postings


def available_countries(postings, also=()):
    """(code, translated name) of the countries these postings can be done from, and of `also`, by name."""
    codes = WorkCountry.objects.filter(posting__in=postings).values_list("country", flat=True).distinct()
    return sorted(((code, countries.name(code)) for code in {*codes, *also}), key=lambda pair: fold(pair[1]))


def slugs(values):
    """The values that are well-formed slugs, the only ones worth looking up."""
    return [value for value in values if slug_re.fullmatch(value)]


def grouped_counts(rows, field):
    return {row[field]: row["n"] for row in rows.order_by().values(field).annotate(n=Count("pk"))}


def facet_counts(filterset):
    """For every parameter, how many postings each of its options yields given the other parameters."""
    without = filterset.filtered_without
    now = timezone.now()
    posted = without("posted").aggregate(
        **{
            days: Count("pk", filter=Q(published_at__gte=now - timedelta(days=int(days))))
            for days, _label in POSTED_WITHIN
        }
    )
    return {
        "country": grouped_counts(WorkCountry.objects.filter(posting__in=without("country")), "country"),
        "workplace": grouped_counts(without("workplace"), "workplace"),
        "employment": grouped_counts(without("employment"), "employment_type"),
        "seniority": grouped_counts(without("seniority"), "seniority"),
        "tag": grouped_counts(Posting.tags.through.objects.filter(posting__in=without("tag")), "tag__slug"),
        "company": grouped_counts(without("company"), "company__slug"),
        "salary": {"1": without("salary").with_salary().count()},
        "requires": grouped_counts(WorkingLanguage.objects.filter(posting__in=without("requires")), "language"),
        "not_requires": not_requiring_counts(without("not_requires"), filterset.filters["not_requires"]),
        "visa": {"1": without("visa").filter(visa_sponsorship=True).count()},
        "relocation": {"1": without("relocation").filter(relocation=True).count()},
        "posted": posted,
    }


def not_requiring_counts(postings, languages_filter):
    """{language: how many of `postings` do not require it}, for each language the filter offers."""
    total = postings.count()
    requiring = grouped_counts(WorkingLanguage.objects.filter(posting__in=postings), "language")
    return {code: total - requiring.get(code, 0) for code, _name in languages_filter.extra["choices"]}


def facets(filterset):
    """Each parameter's options with their counts and whether the visitor chose them, for the form."""
    counts = facet_counts(filterset)
    chosen = filterset.form.data
    groups = []
    for name in counts:
        field = filterset.form.fields[name]
        selected = set(chosen.getlist(name))
        options = [
            {"value": value, "label": label, "count": counts[name].get(value, 0), "selected": value in selected}
            for value, label in field.choices
            if value
        ]
        # Choices of several values, or of one (salary disclosed), are checkboxes; the rest a select.
        checkboxes = isinstance(filterset.filters[name], django_filters.MultipleChoiceFilter) or len(options) == 1
        errors = filterset.form.errors.get(name, [])
        groups.append(
            {"name": name, "label": field.label, "checkboxes": checkboxes, "options": options, "errors": errors}
        )
    return groups


def filled(query):
    """A copy of the query without its empty values (a form sends its empty fields too)."""
    params = QueryDict(mutable=True)
    for name, values in query.lists():
        params.setlist(name, [value for value in values if value])
    return params


def without(query, name, value=None):
    """The listing's query string without `value` of parameter `name` (all its values if None), on page 1."""
    params = filled(query)
    params.setlist(name, [kept for kept in params.getlist(name) if value is not None and kept != value])
    params.pop("page", None)
    return f"?{params.urlencode()}"


# The parameter of a posting's address naming the listing the visitor came from, so that its page leads back there.
FROM_LISTING = "from"


def listing_state(query):
    """The listing parameters of `query` (its filters, order and page), without empty values or anything else."""
    params = filled(query)
    for name in set(params) - {*PostingFilter.base_filters, "page"}:
        del params[name]
    return params


def from_listing(state):
    """What links to postings carry to lead back to the listing in `state`: "?from=…", or "" for the whole listing."""
    return "?" + urlencode({FROM_LISTING: state.urlencode()}) if state else ""


def came_from(query):
    """The listing state that a posting page's query names, listing parameters only."""
    return listing_state(QueryDict(query.get(FROM_LISTING, "")))


def filter_query(query, page=None):
    """The listing's query string for `query`'s filters (without sort order), on `page` when past the first."""
    params = filled(query)
    params.pop("sort", None)
    params.pop("page", None)
    if page and page > 1:
        params["page"] = page
    return f"?{params.urlencode()}" if params else ""


def active_filters(query, filterset):
    """The visitor's valid choices, each with the link that drops it."""
    chosen = []
    if text := filterset.search_text:
        chosen.append(
            {"name": "q", "label": filterset.form.fields["q"].label, "value": text, "url": without(query, "q")}
        )
    if floor := filterset.salary_floor:
        amount, currency, period = floor
        value = f"{money(amount, currency, current_locale())} {SalaryPeriod(period).label}"
        url = without(query, "salary_min")  # the currency and period left alone filter nothing
        chosen.append(
            {"name": "salary_min", "label": filterset.form.fields["salary_min"].label, "value": value, "url": url}
        )
    choice_parameters = [
        name for name in filterset.filters if name not in {"q", "sort", "salary_min", *SALARY_FLOOR_UNITS}
    ]
    for name, values in filterset.chosen_values(*choice_parameters).items():
        field = filterset.form.fields[name]
        labels = dict(field.choices)
        for value in values:
            url = without(query, name, value)
            chosen.append({"name": name, "label": field.label, "value": labels[value], "url": url})
    return chosen


def loosening(query, filterset, chosen):
    """For an empty result: each chosen parameter that, dropped, would give results, with that count."""
    suggestions = []
    for name in dict.fromkeys(choice["name"] for choice in chosen):
        count = filterset.filtered_without(name).count()
        if count:
            values = [choice["value"] for choice in chosen if choice["name"] == name]
            label = filterset.form.fields[name].label
            suggestions.append({"label": label, "values": values, "count": count, "url": without(query, name)})
    return suggestions
