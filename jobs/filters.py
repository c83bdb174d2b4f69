"""The listing's filters (the query parameters of DESIGN.md) and their facet counts."""

from datetime import timedelta

import django_filters
from django.db.models import Count, Exists, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from jobs.models import Company, EmploymentType, Posting, Seniority, Tag, WorkCountry, Workplace
from jobs.search import fold

MAX_QUERY_LENGTH = 200
POSTED_WITHIN = [("1", _("Last 24 hours")), ("7", _("Last 7 days")), ("30", _("Last 30 days"))]


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    CHOICES = [(RELEVANCE, _("Relevance")), (NEWEST, _("Newest"))]


class PostingFilter(django_filters.FilterSet):
    """Filters live postings of one language; OR within a parameter, AND across parameters."""

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
    posted = django_filters.ChoiceFilter(label=_("Posted"), choices=POSTED_WITHIN, method="filter_posted")
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=Sort.CHOICES, method="keep")

    def __init__(self, data, *, language):
        self.language = language
        self.available = Posting.objects.live().in_language(language)
        super().__init__(data, queryset=self.available)
        self.countries = available_countries(self.available)
        self.tags = sorted(
            Tag.objects.filter(postings__in=self.available).distinct(), key=lambda tag: fold(tag.label(language))
        )
        self.companies = list(Company.objects.filter(postings__in=self.available).distinct())
        self.filters["country"].extra["choices"] = [(code, name) for code, name in self.countries]
        self.filters["tag"].extra["choices"] = [(tag.slug, tag.label(language)) for tag in self.tags]
        self.filters["company"].extra["choices"] = [(company.slug, company.name) for company in self.companies]

    @property
    def qs(self):
        """The matching postings; parameters with invalid values are reported on the form and ignored."""
        if not hasattr(self, "_qs"):
            self._qs = self.filtered_without(None)
        return self._qs

    def filtered_without(self, excluded):
        """The postings matching every valid parameter except `excluded` (for its facet counts)."""
        postings = self.queryset
        for name, value in self.valid_choices():
            if name != excluded:
                postings = self.filters[name].filter(postings, value)
        return postings

    def valid_choices(self):
        """(parameter, value) of every parameter the visitor gave a valid value for."""
        self.form.is_valid()
        return self.form.cleaned_data.items()

    def counts_in_other_languages(self):
        """{language: number of live postings in it that match the same filters}, for the other languages."""
        postings = Posting.objects.live().exclude(language=self.language)
        for name, value in self.valid_choices():
            if name == "q":
                postings = postings.search(value) if value else postings
            else:
                postings = self.filters[name].filter(postings, value)
        return grouped_counts(postings, "language")

    def chosen_values(self, *names):
        """{parameter: its valid values as a list} for these parameters."""
        cleaned = dict(self.valid_choices())
        return {
            name: [value] if isinstance(value, str) else list(value) for name in names if (value := cleaned.get(name))
        }

    @property
    def search_text(self):
        self.form.is_valid()
        return self.form.cleaned_data.get("q") or ""

    @property
    def ordering(self):
        self.form.is_valid()
        chosen = self.form.cleaned_data.get("sort")
        if self.search_text and chosen != Sort.NEWEST:
            return Sort.RELEVANCE
        return Sort.NEWEST

    def filter_text(self, postings, name, value):
        return postings.search(value, self.language) if value else postings

    def filter_country(self, postings, name, value):
        if not value:
            return postings
        return postings.filter(Exists(WorkCountry.objects.filter(posting=OuterRef("pk"), country__in=value)))

    def filter_tag(self, postings, name, value):
        if not value:
            return postings
        return postings.filter(Exists(Posting.tags.through.objects.filter(posting=OuterRef("pk"), tag__slug__in=value)))

    def filter_salary(self, postings, name, value):
        return postings.with_salary() if value else postings

    def filter_posted(self, postings, name, value):
        return postings.filter(published_at__gte=timezone.now() - timedelta(days=int(value))) if value else postings

    def keep(self, postings, name, value):
        """Sorting is applied by the view, after filtering."""
        return postings


def available_countries(postings):
    """(code, translated name) of the countries these postings can be done from, by name."""
    codes = WorkCountry.objects.filter(posting__in=postings).values_list("country", flat=True).distinct()
    return sorted(((code, countries.name(code)) for code in codes), key=lambda pair: fold(pair[1]))


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
        "posted": posted,
    }


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
    choice_parameters = [name for name in filterset.filters if name not in {"q", "sort"}]
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
