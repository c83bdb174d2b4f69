"""The listing's filters (the query parameters of DESIGN.md) and their facet counts."""

import functools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

import django_filters
from django.conf import settings
from django.core.validators import slug_re
from django.db import connections, models
from django.db.models import BooleanField, CharField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from jobs.forms import CleanForm
from jobs.models import (
    BASE_CURRENCY,
    HAS_SALARY,
    Company,
    EmploymentType,
    ExchangeRate,
    Office,
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
MAX_LOCATION_LENGTH = 100
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


class Facet:
    """A listing parameter whose options show how many postings each would give, given the other parameters.

    Its condition narrows the listing (PostingFilter filters by it), and the facet pass (count_facets) counts its
    options. A facet is one entry of FACETS beside its filter field; its kinds:
    ColumnFacet (a posting's own field), ManyFacet (rows of another table: countries, tags), OptionsFacet (named
    conditions, such as "salary disclosed" or a yes/no field).
    """

    def __init__(self, name):
        self.name = name

    def condition(self, values, now):
        """The condition for postings that have one of `values`."""
        raise NotImplementedError

    def columns(self, now):
        """{alias: expression} that the facet pass selects for each matching posting to count this facet by."""
        return {}

    def joined(self):
        """{name: (SQL, params)} of the rows of other tables the facet pass joins to the matching postings, as
        (owner, value) pairs; facets counting the same rows name them alike, and the pass joins them once."""
        return {}

    def counting(self, counts):
        """[(SQL, params)] of SELECTs of (facet name, option value, counts…) over the `matched` rows `m`.

        counts(name, condition) is the SQL of the counts, one per filter state, of the rows that meet `condition`
        (SQL on `m`, if any) and every parameter of the state but `name`.
        """
        raise NotImplementedError

    def option_count(self, counts, value):
        """How many postings option `value` yields, from the facet pass's FacetCounts."""
        return counts.options[self.name].get(value, 0)


class ColumnFacet(Facet):
    def __init__(self, name, field):
        super().__init__(name)
        self.field = field

    def condition(self, values, now):
        return Q(**{f"{self.field}__in": values})

    def columns(self, now):
        return {f"v_{self.name}": F(self.field)}

    def counting(self, counts):
        column = f"m.v_{self.name}"
        return [(f"SELECT %s, {column}, {counts(self.name)} FROM matched m GROUP BY {column}", [self.name])]


class ManyFacet(Facet):
    """Values held in rows of `model` that point to the posting by `link`: a posting counts under each of them."""

    def __init__(self, name, model, link, field):
        super().__init__(name)
        self.model, self.link, self.field = model, link, field

    def condition(self, values, now):
        rows = self.model.objects.filter(**{self.link: OuterRef("pk"), f"{self.field}__in": values})
        return Exists(rows)

    @property
    def rows_name(self):
        return f"rows_{self.model._meta.db_table}_{self.field}"

    def joined(self):
        rows = self.model.objects.order_by().values(owner=F(f"{self.link}_id"), value=F(self.field))
        return {self.rows_name: rows.query.sql_with_params()}

    def counting(self, counts):
        return [(f"SELECT %s, m.value, {counts(self.name)} FROM {self.rows_name} m GROUP BY m.value", [self.name])]


class OptionsFacet(Facet):
    """Options that are conditions: {value: now -> Q}; a posting counts under each option it meets."""

    def __init__(self, name, options):
        super().__init__(name)
        self.options = options

    def condition(self, values, now):
        return reduce(or_, (self.options[value](now) for value in values))

    def columns(self, now):
        return {self.option_column(value): as_boolean(meets(now)) for value, meets in self.options.items()}

    def counting(self, counts):
        return [
            (f"SELECT %s, %s, {counts(self.name, f'm.{self.option_column(value)}')} FROM matched m", [self.name, value])
            for value in self.options
        ]

    def option_column(self, value):
        return f"o_{self.name}_{value}"


class AbsentFacet(ManyFacet):
    """Values the posting must not have in rows of `model` (e.g. a language the job does not require): a posting
    counts under every value it lacks, so each count is the matching postings less those that have the value."""

    def condition(self, values, now):
        return ~super().condition(values, now)

    def counting(self, counts):
        """The postings that have each value, and all of them (as `without`): option_count subtracts."""
        return [*super().counting(counts), (f"SELECT %s, NULL, {counts(self.name)} FROM matched m", [self.name])]

    def option_count(self, counts, value):
        return counts.without[self.name] - counts.options[self.name].get(value, 0)


def posted_within(days):
    return lambda now: Q(published_at__gte=now - timedelta(days=days))


FACETS = {
    facet.name: facet
    for facet in [
        ManyFacet("country", WorkCountry, "posting", "country"),
        ColumnFacet("workplace", "workplace"),
        ColumnFacet("employment", "employment_type"),
        ColumnFacet("seniority", "seniority"),
        ManyFacet("tag", Posting.tags.through, "posting", "tag__slug"),
        ColumnFacet("company", "company__slug"),
        OptionsFacet("salary", {"1": lambda now: HAS_SALARY}),
        ManyFacet("requires", WorkingLanguage, "posting", "language"),
        AbsentFacet("not_requires", WorkingLanguage, "posting", "language"),
        OptionsFacet("visa", {"1": lambda now: Q(visa_sponsorship=True)}),
        OptionsFacet("relocation", {"1": lambda now: Q(relocation=True)}),
        OptionsFacet("posted", {value: posted_within(int(value)) for value, _label in POSTED_WITHIN}),
    ]
}


def as_boolean(condition):
    return ExpressionWrapper(condition, output_field=BooleanField())


@dataclass
class FacetCounts:
    """The facet pass's answer: {parameter: {option: count}}, and how many postings match every parameter
    (`total`) or every parameter but one (`without[name]`, for the chosen ones)."""

    options: dict
    total: int
    without: dict


def count_facets(postings, now, *states):
    """The counts of every facet over `postings` in each filter state, in one query: a FacetCounts per state.

    A state is (narrowed, chosen): `chosen` is {facet name: values} of the chosen facet parameters, and `narrowed`
    the postings that the parameters that are no facet keep (a queryset), or None if there are none. The postings
    are matched once, each carrying a column per state and chosen parameter saying whether it meets it, and each
    facet is counted, per state, over the rows that meet every other parameter of the state. The rows of other
    tables (countries, tags, working languages) are joined to the matching postings once per table.
    """
    meets = {}  # whether a posting meets each parameter of each state
    ctes = []
    for index, (narrowed, chosen) in enumerate(states):
        if narrowed is not None:
            # Planned on their own (MATERIALIZED): as a subquery of the matching, PostgreSQL read every search
            # vector of the table instead of the search index.
            sql, params = narrowed.order_by().values("pk").query.sql_with_params()
            ctes.append((f"narrowed{index} AS MATERIALIZED ({sql})", params))
            meets[f"s{index}_"] = as_boolean(Q(pk__in=RawSQL(f"SELECT pk FROM narrowed{index}", [])))
        for name, values in chosen.items():
            meets[f"s{index}_{name}"] = as_boolean(FACETS[name].condition(values, now))
    columns, joined = dict(meets), {}
    for facet in FACETS.values():
        columns |= facet.columns(now)
        joined |= facet.joined()
    matched_sql, matched_params = postings.order_by().values("pk", **columns).query.sql_with_params()

    def counts(excluded, condition=None):
        """The SQL of a count per state of the rows meeting `condition` and every parameter of the state but
        `excluded`."""
        sql = []
        for index, (narrowed, chosen) in enumerate(states):
            meeting = [f"m.s{index}_{name}" for name in chosen if name != excluded]
            meeting += [f"m.s{index}_"] * (narrowed is not None) + [condition] * (condition is not None)
            sql.append(f"COUNT(CASE WHEN {' AND '.join(meeting)} THEN 1 END)" if meeting else "COUNT(*)")
        return ", ".join(sql)

    selects = [(f"SELECT '', NULL, {counts(None)} FROM matched m", [])]
    for name in dict.fromkeys(name for _narrowed, chosen in states for name in chosen):
        selects.append((f"SELECT %s, NULL, {counts(name)} FROM matched m", [name]))
    for facet in FACETS.values():
        selects += facet.counting(counts)
    ctes.append((f"matched AS ({matched_sql})", matched_params))
    # The rows of another table carry the value and, of their posting, only what the counts read.
    carried = ", ".join(["r.value", *(f"m.{alias}" for alias in meets)])
    ctes += [
        (f"{name} AS (SELECT {carried} FROM matched m JOIN ({sql}) r ON r.owner = m.pk)", params)
        for name, (sql, params) in joined.items()
    ]
    sql = "WITH " + ", ".join(cte for cte, _params in ctes) + " " + " UNION ALL ".join(s for s, _params in selects)
    params = [param for _sql, sql_params in [*ctes, *selects] for param in sql_params]
    answers = [FacetCounts({name: {} for name in FACETS}, 0, {}) for _state in states]
    with connections[postings.db].cursor() as cursor:
        cursor.execute(sql, params)
        for name, value, *row in cursor.fetchall():
            for answer, count in zip(answers, row, strict=True):
                if not name:
                    answer.total = count
                elif value is None:
                    answer.without[name] = count
                else:
                    answer.options[name][value] = count
    return answers


class PostingFilter(django_filters.FilterSet):
    """Filters live postings of one language; OR within a parameter, AND across parameters.

    Parameters with malformed values are reported on the form and ignored; the others still filter. The facet
    parameters (FACETS) filter by their facet's condition.
    """

    # Parameters whose options are what the listing's language has live postings for.
    PER_LANGUAGE = ("country", "tag", "company")
    # Best matches first when searching; with no words to rank by, that is newest first.
    DEFAULT_SORT = Sort.RELEVANCE
    MAX_SALARY_FLOOR = MAX_SALARY_FLOOR

    q = django_filters.CharFilter(label=_("Keywords"), method="filter_text", max_length=MAX_QUERY_LENGTH, strip=True)
    location = django_filters.CharFilter(
        label=_("Location"), method="filter_location", max_length=MAX_LOCATION_LENGTH, strip=True
    )
    country = django_filters.MultipleChoiceFilter(label=_("Country"), method="filter_facet")
    workplace = django_filters.MultipleChoiceFilter(
        label=_("Workplace"), choices=Workplace.choices, method="filter_facet"
    )
    employment = django_filters.MultipleChoiceFilter(
        label=_("Employment type"), choices=EmploymentType.choices, method="filter_facet"
    )
    seniority = django_filters.MultipleChoiceFilter(
        label=_("Seniority"), choices=Seniority.choices, method="filter_facet"
    )
    tag = django_filters.MultipleChoiceFilter(label=_("Category"), method="filter_facet")
    company = django_filters.ChoiceFilter(label=_("Company"), method="filter_facet")
    salary = django_filters.ChoiceFilter(
        label=_("Salary"), choices=[("1", _("Salary disclosed"))], method="filter_facet"
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
    requires = django_filters.MultipleChoiceFilter(label=_("Language required"), method="filter_facet")
    not_requires = django_filters.MultipleChoiceFilter(label=_("Language not required"), method="filter_facet")
    visa = django_filters.ChoiceFilter(label=_("Visa"), choices=[("1", _("Visa sponsorship"))], method="filter_facet")
    relocation = django_filters.ChoiceFilter(
        label=_("Relocation"), choices=[("1", _("Relocation assistance"))], method="filter_facet"
    )
    posted = django_filters.ChoiceFilter(label=_("Posted"), choices=POSTED_WITHIN, method="filter_facet")
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=Sort.choices, method="sort_after_filtering")

    class Meta:
        form = CleanForm

    def __init__(self, data, queryset=None, *, language, request=None, state=None):
        """Filters `queryset`, by default the live postings in `language`.

        The country, tag and company options are those of `queryset`'s postings, and the well-formed values chosen
        (any ISO country code, any existing tag or company): one with no postings here narrows to none. `state`
        (jobs.catalogue) caches the default queryset's options and the facet counts, and gives the exchange rates.
        """
        self.language = language
        self.now = timezone.now()
        self.state = state
        self.own_queryset = queryset is not None
        if queryset is None:
            queryset = Posting.objects.live(self.now).in_language(language)
        super().__init__(data, queryset, request=request)
        self.filters["salary_currency"].extra["choices"] = currency_choices(self.exchange_rates)
        counts = self.cached(lambda: None, "facets", self.language, "", {}, keep=lambda counts: counts is not None)
        if counts is None:
            # Whether a value is valid does not depend on the options (see choices): offering the well-formed chosen
            # values (tags and companies not looked up yet) is enough to read the parameters, and the unfiltered
            # pass then counts with them too; the tags and companies are looked up with its options.
            self.offer(data, {"country": {}, "tag": {}, "company": {}, "requires": {}}, looked_up=False)
            counts = self.counted_with_parameters()
        self.unfiltered_counts = counts
        self.offer(data, counts.options)
        if hasattr(self, "counted") and not self.offered(self.chosen_values("tag", "company")):
            # A chosen tag or company that does not exist was read as valid: read the parameters again (it is then
            # reported and ignored), and count with them on their own.
            del self._form, self.counted
            self.offer(data, counts.options)

    def offer(self, data, options, looked_up=True):
        """Sets the choices of the country, tag, company and working language parameters: the `options` (those of the
        unfiltered facet pass) and the chosen values that are well-formed; unless `looked_up` is false, only the tags
        and companies that exist, by name."""
        chosen = {name: data.getlist(name) if data else [] for name in (*self.PER_LANGUAGE, "requires", "not_requires")}
        choices = self.choices(chosen, options, looked_up)
        for name in ("requires", "not_requires"):
            wanted = set(options["requires"]) | set(chosen[name])
            choices[name] = [(code, label) for code, label in working_language_choices() if code in wanted]
        for name, field_choices in choices.items():
            self.form.fields[name].choices = field_choices

    def offered(self, values):
        """Whether each of these {parameter: values} is one of the parameter's choices."""
        return all(
            value in {choice for choice, _label in self.form.fields[name].choices}
            for name, chosen in values.items()
            for value in chosen
        )

    def choices(self, chosen, options, looked_up=True):
        """{parameter: choices} of the country, tag and company parameters: the values in `options` (those of the
        unfiltered facet pass) and the well-formed `chosen` ones, by name (see named for `looked_up`)."""
        available = (
            self.cached(lambda: self.named(options), "choices", self.language)
            if any(options.values())
            else self.named(options)
        )
        wanted = {name: set(slugs(chosen[name])) - set(available[name]) for name in ("tag", "company")}
        extra = self.named({"country": [code for code in chosen["country"] if code in countries], **wanted}, looked_up)
        return {
            name: sorted((available[name] | extra[name]).items(), key=lambda pair: fold(pair[1]))
            for name in self.PER_LANGUAGE
        }

    def named(self, values, looked_up=True):
        """{parameter: {value: name}} for these {parameter: values} of the country, tag and company parameters;
        tags and companies are named in one query, if any, which leaves out those that do not exist (unless
        `looked_up` is false: then each is named by its slug)."""
        names = {"country": {code: countries.name(code) for code in values["country"]}, "tag": {}, "company": {}}
        if not looked_up:
            return names | {name: {slug: slug for slug in values[name]} for name in ("tag", "company")}
        tags = Tag.objects.filter(slug__in=values["tag"]).values_list(
            Value("tag", output_field=CharField()), "slug", Tag.label_in(self.language)
        )
        companies = Company.objects.filter(slug__in=values["company"]).values_list(
            Value("company", output_field=CharField()), "slug", "name"
        )
        if values["tag"] or values["company"]:
            for name, slug, label in tags.order_by().union(companies.order_by(), all=True):
                names[name][slug] = label
        return names

    def counted_with_parameters(self):
        """The facet pass without parameters, cached; with parameters, the pass with them is counted in the same
        query and kept for facet_counts (whose cache entry is then most likely missing too)."""
        if self.parameters:
            narrowed = self.filtered(self.queryset, excluded=FACETS) if set(self.parameters) - set(FACETS) else None
            state = (narrowed, self.chosen_values(*FACETS))
            unfiltered, self.counted = count_facets(self.queryset, self.now, (None, {}), state)
        else:
            [unfiltered] = count_facets(self.queryset, self.now, (None, {}))
        return self.cached(lambda: unfiltered, "facets", self.language, "", {})

    def cached(self, compute, *parts, keep=None):
        """compute(), cached under the catalogue state if the filterset has one, for its default queryset (with
        `keep`, only a result keep(result) approves)."""
        if self.state is None or self.own_queryset:
            return compute()
        return self.state.cached(compute, *parts, keep=keep)

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

    @property
    def valid_data(self):
        """{parameter: value} of every parameter but those given an invalid value."""
        self.form.is_valid()
        return self.form.cleaned_data

    def facet_counts(self):
        """The facet pass over this filterset's postings (FacetCounts), cached with the catalogue state."""
        if not self.parameters:
            return self.unfiltered_counts
        return self.cached(self.count_filtered, "facets", self.language, self.parameters)

    def count_filtered(self):
        """The facet pass with the parameters: kept from the unfiltered one, or counted over the postings that the
        parameters that are no facet keep."""
        if hasattr(self, "counted"):
            return self.counted
        postings = self.filtered(self.queryset, excluded=FACETS)
        return count_facets(postings, self.now, (None, self.chosen_values(*FACETS)))[0]

    def counts_in_other_languages(self):
        """{language: number of live postings in it that match the same filters}, for the other languages."""
        others = self.filtered(Posting.objects.live(self.now).exclude(language=self.language), excluded={"q"})
        return self.cached(
            lambda: grouped_counts(others.search(self.search_text), "language"),
            "elsewhere",
            self.language,
            self.parameters,
        )

    @property
    def parameters(self):
        """{parameter: values} of every valid parameter but the order: what the matching postings depend on."""
        return self.chosen_values(*(name for name in self.filters if name != "sort"))

    def count_without(self, name):
        """How many postings match every parameter but `name` (the facet pass counts this for facets)."""
        return self.filtered(self.queryset, excluded={name}).count()

    def chosen_values(self, *names):
        """{parameter: its valid values as a list} for these parameters."""
        return {
            name: sorted(value) if isinstance(value, list | tuple | set) else [value]
            for name in names
            if (value := self.valid_data.get(name)) not in (None, "", [])
        }

    @property
    def search_text(self):
        return self.valid_data.get("q") or ""

    @property
    def ordering(self):
        return self.valid_data.get("sort") or self.DEFAULT_SORT

    def filter_text(self, postings, name, value):
        return postings.search(value, self.language)

    @functools.cached_property
    def office_cities(self):
        """The cities of the filterset's postings' offices (cached per language for the default queryset)."""
        return self.cached(lambda: office_cities(self.queryset), "cities", self.language)

    def places(self):
        """What the location field suggests: the countries that the postings can be done from, by name, and the
        cities of their offices, alphabetically."""
        names = {countries.name(code) for code in self.unfiltered_counts.options["country"]}
        return sorted(names | set(self.office_cities), key=fold)

    @functools.cached_property
    def place(self):
        """The Location that the visitor's valid location text names, or None."""
        text = self.valid_data.get("location")
        if not text:
            return None
        key = fold(text)
        return Location(text, [city for city in self.office_cities if fold(city) == key], countries_named(text))

    def filter_location(self, postings, name, value):
        return postings.filter(self.place.condition())

    def filter_facet(self, postings, name, value):
        return postings.filter(FACETS[name].condition([value] if isinstance(value, str) else value, self.now))

    @functools.cached_property
    def exchange_table(self):
        """ExchangeRate.objects.table(), as the catalogue state read it if the filterset has one."""
        if self.state is not None and self.state.exchange_table is not None:
            return self.state.exchange_table
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

    def sort_after_filtering(self, postings, name, value):
        """The order is no filter: filter_queryset applies it, the default one included."""
        return postings


@dataclass(frozen=True)
class Location:
    """What a location typed into the search bar names: the offices' cities spelt so, and the countries so named."""

    text: str
    cities: list
    countries: set

    @property
    def name(self):
        """The place as the listing names it: the city as HR spell it, else the country in the page's language, else
        the text as typed."""
        if self.cities:
            return self.cities[0]
        if len(self.countries) == 1:
            return countries.name(next(iter(self.countries)))
        return self.text

    def condition(self):
        """Postings with an office (main or other) in one of the cities, or that can be done from one of the
        countries; a place that names neither matches nothing."""
        parts = []
        if self.cities:
            offices = Office.objects.filter(posting=OuterRef("pk"), city__in=self.cities)
            parts += [Q(city__in=self.cities), Q(Exists(offices))]
        if self.countries:
            parts.append(Q(Exists(WorkCountry.objects.filter(posting=OuterRef("pk"), country__in=self.countries))))
        return reduce(or_, parts) if parts else Q(Value(False, output_field=BooleanField()))


@functools.cache
def country_names(language):
    """{folded country name in `language`: ISO code} of every country."""
    with translation.override(language):
        return {fold(name): code for code, name in countries}


def countries_named(text):
    """The countries that `text` names: by ISO 3166-1 code (alpha-2 or alpha-3), or by name in any of the site's
    languages (so that a location keeps its meaning through the language switcher), letter case and accents aside."""
    key = fold(text)
    named = {names[key] for code, _name in settings.LANGUAGES if key in (names := country_names(code))}
    if text.isalpha() and len(text) in (2, 3) and (code := countries.alpha2(text)):
        named.add(code)
    return named


def office_cities(postings):
    """The cities of the postings' offices, the main one and the others, each spelling once, alphabetically."""
    main = postings.exclude(city="").order_by().values_list("city")
    others = Office.objects.filter(posting__in=postings).exclude(city="").order_by().values_list("city")
    # The union unordered too: it would otherwise be ordered as postings are, by columns it does not select.
    return sorted({city for (city,) in main.union(others).order_by()}, key=fold)


def slugs(values):
    """The values that are well-formed slugs, the only ones worth looking up."""
    return [value for value in values if slug_re.fullmatch(value)]


def grouped_counts(rows, field):
    return {row[field]: row["n"] for row in rows.order_by().values(field).annotate(n=Count("pk"))}


def facets(filterset, counts):
    """Each parameter's options with their `counts` and whether the visitor chose them, for the form."""
    chosen = filterset.form.data
    groups = []
    for name, facet in FACETS.items():
        field = filterset.form.fields[name]
        selected = set(chosen.getlist(name))
        options = [
            {"value": value, "label": label, "count": facet.option_count(counts, value), "selected": value in selected}
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


LISTING_PARAMETERS = frozenset({*PostingFilter.base_filters, "page"})


def listing_state(query):
    """The listing parameters of `query` (its filters, order and page), without empty values or anything else."""
    params = filled(query)
    for name in set(params) - LISTING_PARAMETERS:
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
    if place := filterset.place:
        label, url = filterset.form.fields["location"].label, without(query, "location")
        chosen.append({"name": "location", "label": label, "value": place.name, "url": url})
    if floor := filterset.salary_floor:
        amount, currency, period = floor
        value = f"{money(amount, currency, current_locale())} {SalaryPeriod(period).label}"
        url = without(query, "salary_min")  # the currency and period left alone filter nothing
        chosen.append(
            {"name": "salary_min", "label": filterset.form.fields["salary_min"].label, "value": value, "url": url}
        )
    choice_parameters = [
        name for name in filterset.filters if name not in {"q", "location", "sort", "salary_min", *SALARY_FLOOR_UNITS}
    ]
    for name, values in filterset.chosen_values(*choice_parameters).items():
        field = filterset.form.fields[name]
        labels = dict(field.choices)
        for value in values:
            url = without(query, name, value)
            chosen.append({"name": name, "label": field.label, "value": labels[value], "url": url})
    return chosen


def loosening(query, filterset, chosen, counts):
    """For an empty result: each chosen parameter that, dropped, would give results, with that count."""
    suggestions = []
    for name in dict.fromkeys(choice["name"] for choice in chosen):
        count = counts.without[name] if name in FACETS else filterset.count_without(name)
        if count:
            values = [choice["value"] for choice in chosen if choice["name"] == name]
            label = filterset.form.fields[name].label
            suggestions.append({"label": label, "values": values, "count": count, "url": without(query, name)})
    return suggestions
