"""The listing's filters (the query parameters of DESIGN.md) and their facet counts."""

import functools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import reduce
from operator import and_, or_
from typing import NamedTuple

import django_filters
from django.conf import settings
from django.core.validators import slug_re
from django.db import models, router
from django.db.models import BooleanField, CharField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from jobs import search
from jobs.facetindex import FacetIndex, indexes, keys_of
from jobs.forms import CleanForm
from jobs.models import (
    BASE_CURRENCY,
    HAS_SALARY,
    RANKED,
    CatalogueChange,
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
from jobs.templatetags.postings import current_locale, money, thousands

MAX_QUERY_LENGTH = 200
MAX_LOCATION_LENGTH = 100
# Above this, a salary floor is no salary in any currency the rates table converts (and the yearly amount in euros
# stays far inside PostgreSQL's bigint, even per hour).
MAX_SALARY_FLOOR = Decimal(10) ** 11
# The parameters that narrow the listing and are no facet: the database finds what they match.
NARROWING = ("q", "location", "salary_min")
# The parameters that say what the salary floor is in; alone they filter nothing.
SALARY_FLOOR_UNITS = ("salary_currency", "salary_period")
# In another language, a search's matches among more postings than this that meet the other parameters are
# counted among the newest of them, unless its words were matched there already (PostingFilter.count_matching).
PROBED = 500
# Among this many or fewer, every one is matched.
PROBED_IN_FULL = 2000
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

    Its condition narrows the listing (PostingFilter filters by it), and the facet index (jobs.facetindex) counts its
    options. A facet is one entry of FACETS beside its filter field; its kinds:
    ColumnFacet (a posting's own field), ManyFacet (rows of another table: countries, tags), OptionsFacet (named
    conditions, such as "salary disclosed" or a yes/no field).
    """

    def __init__(self, name):
        self.name = name

    def condition(self, values, now):
        """The condition for postings that have one of `values`."""
        raise NotImplementedError

    def columns(self, moment):
        """{alias: expression} that the facet index holds of each posting, read at `moment`."""
        return {}

    def related(self):
        """{name: (queryset, link to the posting, value)} of the rows of other tables that the facet index holds;
        facets counting the same rows name them alike, and the index holds them once."""
        return {}

    def matching(self, index, values, now):
        """Which postings of the facet index meet the condition at `now`."""
        raise NotImplementedError

    def tally(self, index, among, now):
        """{option: how many of the postings `among` (a boolean array over the index) it yields}."""
        raise NotImplementedError

    def less(self, tally, removed):
        """The `tally` of a set of postings less the tally `removed` of some of them, as tally() would count the rest
        (the options some of them yield)."""
        return {
            option: count - removed.get(option, 0) for option, count in tally.items() if count > removed.get(option, 0)
        }

    def option_count(self, counts, value):
        """How many postings option `value` yields, from count_facets's FacetCounts."""
        return counts.options[self.name].get(value, 0)


class ColumnFacet(Facet):
    def __init__(self, name, field):
        super().__init__(name)
        self.field = field

    def condition(self, values, now):
        return Q(**{f"{self.field}__in": values})

    def columns(self, moment):
        return {self.name: F(self.field)}

    def matching(self, index, values, now):
        return index.equal(self.name, values)

    def tally(self, index, among, now):
        return index.tally(self.name, among)


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
        return f"{self.model._meta.db_table}_{self.field}"

    def related(self):
        return {self.rows_name: (self.model.objects.all(), self.link, F(self.field))}

    def matching(self, index, values, now):
        return index.having(self.rows_name, values)

    def tally(self, index, among, now):
        return index.tally_related(self.rows_name, among)


class OptionsFacet(Facet):
    """Options that are conditions: {value: now -> Q}; a posting counts under each option it meets."""

    def __init__(self, name, options):
        super().__init__(name)
        self.options = options

    def condition(self, values, now):
        return reduce(or_, (self.options[value](now) for value in values))

    def columns(self, moment):
        return {self.option_column(value): as_boolean(meets(moment)) for value, meets in self.options.items()}

    def matching(self, index, values, now):
        return reduce(or_, (self.option_matching(index, value, now) for value in values))

    def tally(self, index, among, now):
        return {value: int((among & self.option_matching(index, value, now)).sum()) for value in self.options}

    def less(self, tally, removed):
        return {value: tally[value] - removed[value] for value in self.options}

    def option_matching(self, index, value, now):
        return index.equal(self.option_column(value), [True])

    def option_column(self, value):
        return f"{self.name}_{value}"


class PostedFacet(OptionsFacet):
    """How recently the posting was published: options of a number of days. The facet index keeps every posting's
    publish moment, so that these options, which change with the clock, need nothing read again."""

    def __init__(self, name, days):
        super().__init__(name, {str(number): posted_within(number) for number in days})

    def columns(self, moment):
        return {}

    def option_matching(self, index, value, now):
        return index.published_since(now - timedelta(days=int(value)))


class AbsentFacet(ManyFacet):
    """Values the posting must not have in rows of `model` (e.g. a language the job does not require): a posting
    counts under every value it lacks, so each count is the matching postings less those that have the value."""

    def condition(self, values, now):
        return ~super().condition(values, now)

    def matching(self, index, values, now):
        return ~super().matching(index, values, now)

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
        PostedFacet("posted", [int(value) for value, _label in POSTED_WITHIN]),
    ]
}
# What the facet index holds beside the facets: the offices' cities, which the location field suggests.
CITIES = {"cities": F("city")}
OFFICE_CITIES = {"office_cities": (Office.objects.all(), "posting", F("city"))}


def as_boolean(condition):
    return ExpressionWrapper(condition, output_field=BooleanField())


def facet_index(language, now, state):
    """The facet index (jobs.facetindex) of the postings in `language` that are live at `now` or may go live, held
    for the catalogue `state`'s version if there is one."""
    database = router.db_for_read(Posting)  # this request's, also when the index is read in the background
    version = None if state is None else state.version

    def read(since=None):
        # Built only when the index is read: most requests find it read already.
        postings = Posting.objects.using(database).live_or_scheduled(now).in_language(language)
        columns, related = dict(CITIES), dict(OFFICE_CITIES)
        for facet in FACETS.values():
            columns |= facet.columns(now)
            related |= facet.related()
        if since is None:
            return FacetIndex.read(postings, columns, related)
        changes = CatalogueChange.objects.using(database).after(since, version)
        if changes is None:
            return None, None
        changed = postings.filter(pk__in=changes.values("posting"))
        index, keys = FacetIndex.read(changed, columns, related, noted=(changes, F("posting")))
        return (None if None in keys else sorted(set(keys))), index

    return indexes.get((database, language), version, read)


def unfiltered_counts(language, now, state):
    """The facet counts of the postings in `language` live at `now`, cached under the catalogue `state` if given."""

    def count():
        index = facet_index(language, now, state)
        return count_facets(index, index.live(now), now, {})

    return count() if state is None else state.cached(count, "facets", language)


class Tally(NamedTuple):
    """How many postings: `number`, or with `at_least`, at least that many (more were not counted)."""

    number: int
    at_least: bool = False


@dataclass
class FacetCounts:
    """What count_facets counts: {parameter: {option: count}}, and how many postings match every parameter
    (`total`) or every parameter but one (`without[name]`)."""

    options: dict
    total: int
    without: dict


def count_facets(index, among, now, chosen, whole=None):
    """The counts of every facet over the postings `among` (a boolean array over the facet `index`) that meet the
    `chosen` facet parameters ({facet name: values}): each facet is counted over those that meet every other one.

    With `whole`, (postings, their FacetCounts without parameters) for a set that holds `among`, a facet counted
    over more than half of that set is counted as the whole's counts less those of the rest of it: a common search
    word matches most postings, and counting the few it does not costs a fraction."""
    meeting = {name: FACETS[name].matching(index, values, now) for name, values in chosen.items()}

    def meeting_all_but(excluded):
        return reduce(and_, (found for name, found in meeting.items() if name != excluded), among)

    counts = FacetCounts({}, int(meeting_all_but(None).sum()), {})
    for name, facet in FACETS.items():
        others = meeting_all_but(name)
        counts.without[name] = int(others.sum())
        if whole is not None and counts.without[name] > whole[1].total / 2:
            rest = facet.tally(index, whole[0] & ~others, now)
            counts.options[name] = facet.less(whole[1].options[name], rest)
        else:
            counts.options[name] = facet.tally(index, others, now)
    return counts


def matching(index, among, now, chosen):
    """Which postings of `among` (a boolean array over the facet `index`) meet every `chosen` facet parameter."""
    return reduce(and_, (FACETS[name].matching(index, values, now) for name, values in chosen.items()), among)


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
        if self.own_queryset:
            self.unfiltered_counts = count_facets(self.index, self.among, self.now, {})
        else:
            self.unfiltered_counts = unfiltered_counts(self.language, self.now, self.state)
        self.offer(data, self.unfiltered_counts.options)

    def offer(self, data, options):
        """Sets the choices of the country, tag, company and working language parameters: the `options` (the
        unfiltered counts') and the chosen values that are well-formed, of tags and companies those that exist."""
        chosen = {name: data.getlist(name) if data else [] for name in (*self.PER_LANGUAGE, "requires", "not_requires")}
        choices = self.choices(chosen, options)
        for name in ("requires", "not_requires"):
            wanted = set(options["requires"]) | set(chosen[name])
            choices[name] = [(code, label) for code, label in working_language_choices() if code in wanted]
        for name, field_choices in choices.items():
            self.form.fields[name].choices = field_choices

    def choices(self, chosen, options):
        """{parameter: choices} of the country, tag and company parameters: the values in `options` (the unfiltered
        counts') and the well-formed `chosen` ones, by name."""
        available = (
            self.cached(lambda: self.named(options), "choices", self.language)
            if any(options.values())
            else self.named(options)
        )
        wanted = {name: set(slugs(chosen[name])) - set(available[name]) for name in ("tag", "company")}
        extra = self.named({"country": [code for code in chosen["country"] if code in countries], **wanted})
        return {
            name: sorted((available[name] | extra[name]).items(), key=lambda pair: fold(pair[1]))
            for name in self.PER_LANGUAGE
        }

    def named(self, values):
        """{parameter: {value: name}} for these {parameter: values} of the country, tag and company parameters;
        tags and companies are named in one query, if any, which leaves out those that do not exist."""
        names = {"country": {code: countries.name(code) for code in values["country"]}, "tag": {}, "company": {}}
        if not (values["tag"] or values["company"]):
            return names
        tags = Tag.objects.filter(slug__in=values["tag"]).values_list(
            Value("tag", output_field=CharField()), "slug", Tag.label_in(self.language)
        )
        companies = Company.objects.filter(slug__in=values["company"]).values_list(
            Value("company", output_field=CharField()), "slug", "name"
        )
        for name, slug, label in tags.order_by().union(companies.order_by(), all=True):
            names[name][slug] = label
        return names

    @functools.cached_property
    def index(self):
        """The facet index of the filterset's language (jobs.facetindex)."""
        return facet_index(self.language, self.now, self.state)

    @functools.cached_property
    def among(self):
        """Which postings of the facet index the filterset counts: those live now, of its queryset if it has its own."""
        live = self.index.live(self.now)
        if self.own_queryset:
            live &= self.index.among(keys_of(self.queryset))
        return live

    def cached(self, compute, *parts):
        """compute(), cached under the catalogue state if the filterset has one, for its default queryset."""
        if self.state is None or self.own_queryset:
            return compute()
        return self.state.cached(compute, *parts)

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
        """The facet counts of this filterset's postings (FacetCounts), cached with the catalogue state."""
        if not self.parameters:
            return self.unfiltered_counts
        return self.cached(self.count_filtered, "facets", self.language, self.parameters)

    @functools.cached_property
    def narrowed(self):
        """Which postings of the facet index the filterset counts and meet the parameters that are no facet: the
        search words, the location, the salary floor. The database matches each once per catalogue version: the
        index remembers which of its postings do."""
        return self.narrowed_but(None)

    def narrowed_but(self, excluded):
        """What `narrowed` holds, without narrowing parameter `excluded`."""
        among = self.among
        for name, value in self.valid_data.items():
            if name in NARROWING and name != excluded and value not in (None, ""):
                keys = functools.partial(self.narrowing_keys, name, value)
                among = among & self.index.remembered(self.narrowing_key(name, value), keys)
        return among

    def narrowing_keys(self, name, value):
        """The keys of the postings in the filterset's language, live or to be, that meet `value` of narrowing
        parameter `name`. Search words are matched in the search entries alone: the index knows which are live."""
        if name == "q":
            return search.matching_keys(value, self.language)
        candidates = Posting.objects.live_or_scheduled(self.now).in_language(self.language)
        return keys_of(self.filters[name].filter(candidates, value))

    def narrowing_key(self, name, value):
        """What a facet index remembers the postings that meet `value` of narrowing parameter `name` under."""
        return (name, value, *self.meaning(name))

    def meaning(self, name):
        """What narrowing parameter `name` matches by, beside its value: a salary floor's unit, the spellings of the
        cities and the countries a location names (the cities those of the live postings now)."""
        if name == "salary_min":
            return (self.floor_currency, self.floor_period)
        if name == "location":
            return (tuple(self.place.cities), tuple(sorted(self.place.countries)))
        return ()

    def count_filtered(self):
        """The facet counts with the parameters."""
        whole = (self.among, self.unfiltered_counts)
        return count_facets(self.index, self.narrowed, self.now, self.chosen_values(*FACETS), whole)

    @property
    def ranked(self):
        """Whether the database orders the matching postings (by relevance to the search words), not the index."""
        return self.ordering == Sort.RELEVANCE and search.rank(self.search_text, self.language) is not None

    def newest_keys(self):
        """The keys of the matching postings newest first, as the facet index holds them."""
        return self.index.keys[matching(self.index, self.narrowed, self.now, self.chosen_values(*FACETS))]

    def keys(self, start, stop):
        """The keys of the matching postings from `start` to `stop` in the listing's order, from the facet index,
        which holds them newest first. Ranked by relevance, the newest RANKED come first in the order the database
        ranks them (as Posting.objects.by_relevance orders the matches): it reads their search entries alone."""
        ordered = self.newest_keys()
        if not self.ranked or start >= RANKED:
            return ordered[start:stop].tolist()
        ranked = search.ranked(ordered[:RANKED].tolist(), self.search_text, self.language)
        return [*ranked, *ordered[RANKED:stop].tolist()][start:stop]

    def counts_in_other_languages(self):
        """{language: Tally of the live postings in it that match the same filters}, for the other languages:
        counted in each language's facet index, the search words matched in each posting's own language (see
        count_matching())."""
        others = [code for code, _name in settings.LANGUAGES if code != self.language]

        def count():
            keys = None
            if set(self.parameters) - {"q", *FACETS}:
                live = Posting.objects.live(self.now).filter(language__in=others)
                keys = keys_of(self.filtered(live, excluded={"q", *FACETS}))
            chosen, counts, unmatched = self.chosen_values(*FACETS), {}, {}
            for code in others:
                index = facet_index(code, self.now, self.state)
                among = index.live(self.now) if keys is None else index.live(self.now) & index.among(keys)
                among = matching(index, among, self.now, chosen)
                if not (search.has_words(self.search_text) and among.any()):
                    counts[code] = Tally(int(among.sum()))
                elif (tally := self.count_matching(index, code, among)) is not None:
                    counts[code] = tally
                else:
                    unmatched[code] = (index, among)
            if unmatched:
                matches = search.matching_keys_by_language(self.search_text, list(unmatched))
                key = self.narrowing_key("q", self.search_text)
                for code, (index, among) in unmatched.items():
                    matched = index.remembered(key, functools.partial(matches.__getitem__, code))
                    counts[code] = Tally(int((among & matched).sum()))
            return counts

        return self.cached(count, "elsewhere", self.language, self.parameters)

    def count_matching(self, index, language, among):
        """A Tally of the postings `among` (some, in `language`'s facet `index`) that match the search words, or
        None if it takes matching the words in every posting of the language.

        Where the words were matched in that language already, by its own listing or by this, the index remembers
        the matches. Otherwise, where they are PROBED_IN_FULL or fewer, the postings `among` are matched by key
        (search.matching_among()), and that is the count: at 1,000,040 postings, the 1,881 English part-time
        postings of a company in 13 to 24 ms, none of them senior, where the 167,000 English matches of "senior"
        took 240. Where they are more, the newest PROBED are: if some match, the tally is "at least" their number,
        to its first digit. Only where none do are the words matched in every posting of the language, the
        languages where that is so in one query (counts_in_other_languages), and the matches remembered: a common
        word's are the most costly to read, and the newest postings meeting the other parameters find some.
        """
        if (matched := index.recalled(self.narrowing_key("q", self.search_text))) is not None:
            return Tally(int((among & matched).sum()))
        candidates = int(among.sum())
        probed = index.newest_keys(among, PROBED_IN_FULL if candidates <= PROBED_IN_FULL else PROBED)
        found = len(search.matching_among(self.search_text, language, probed))
        if len(probed) == candidates:
            return Tally(found)
        if found:
            scale = 10 ** (len(str(found)) - 1)
            return Tally(found // scale * scale, at_least=True)
        return None

    @property
    def parameters(self):
        """{parameter: values} of every valid parameter but the order: what the matching postings depend on."""
        return self.chosen_values(*(name for name in self.filters if name != "sort"))

    def count_without(self, name):
        """How many postings match every parameter but narrowing parameter `name`, counted in the facet index (the
        facet counts hold this for facets)."""
        return int(matching(self.index, self.narrowed_but(name), self.now, self.chosen_values(*FACETS)).sum())

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
        return self.cached(lambda: office_cities(self.index, self.among), "cities", self.language)

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


def office_cities(index, among):
    """The cities of the offices of the postings `among` (a boolean array over the facet `index`), the main one and
    the others, each spelling once, alphabetically."""
    cities = {*index.tally("cities", among), *index.tally_related("office_cities", among)} - {""}
    return sorted(cities, key=fold)


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
        choices = [(value, label) for value, label in field.choices if value]
        # Choices of several values, or of one (salary disclosed), are checkboxes; the rest a select.
        checkboxes = isinstance(filterset.filters[name], django_filters.MultipleChoiceFilter) or len(choices) == 1
        options = [
            facet_option(name, value, label, facet.option_count(counts, value), value in selected, checkboxes)
            for value, label in choices
        ]
        errors = filterset.form.errors.get(name, [])
        groups.append(
            {"name": name, "label": field.label, "checkboxes": checkboxes, "options": options, "errors": errors}
        )
    return groups


def facet_option(name, value, label, count, selected, checkbox):
    """An option of facet `name` as the form shows it, its words made here rather than in the template (a listing
    shows a hundred options): a checkbox's count as a screen reader hears it ("(1,234 jobs)"), a select's option
    with its count ("Germany (1,234 jobs)")."""
    shown = thousands(count)
    if checkbox:
        text = ngettext("(%(shown)s job)", "(%(shown)s jobs)", count) % {"shown": shown}
    else:
        text = ngettext("%(label)s (%(shown)s job)", "%(label)s (%(shown)s jobs)", count) % {
            "label": label,
            "shown": shown,
        }
    return {
        "id": f"f-{name}-{value}",
        "value": value,
        "label": label,
        "count": count,
        "shown": shown,
        "text": text,
        "selected": selected,
    }


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
