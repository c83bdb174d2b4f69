import functools
import json
import uuid
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import NamedTuple

import reversion
from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import global_settings, settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, StringAgg, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Round
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import Country, CountryField


def language_choices():
    """The posting languages: exactly the interface languages of settings.LANGUAGES."""
    return settings.LANGUAGES


@functools.cache
def current_currencies():
    """ISO 4217 codes of the currencies in use today in some territory (from CLDR)."""
    territories = get_global("territory_currencies")
    return sorted({code for territory in territories for code in get_territory_currencies(territory)})


def currency_choices(codes=None):
    """(code, "code – name in the active language") of `codes`, by default every currency in use today."""
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    return list(named_currencies(tuple(sorted(codes or current_currencies())), locale))


@functools.lru_cache(maxsize=64)
def named_currencies(codes, locale):
    """currency_choices() of `codes` in `locale`, remembered: every listing offers the same few, and Babel takes tens
    of microseconds to name one."""
    return tuple((code, f"{code} – {get_currency_name(code, locale=locale)}") for code in codes)


def working_language_choices():
    """The languages a job may require: Django's list of languages without regional variants, by translated name."""
    return list(working_languages_named_in(translation.get_language()).items())


def choice_label(field, choices):
    """A get_FOO_display() for `field` of these `choices`: the value's label, or the value if it is none of them.

    Django's own makes every choice's label hashable again on every call, translating each: a listing's cards
    show a few labels each."""

    def display(self):
        value = getattr(self, field)
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    return display


@functools.cache
def working_languages_named_in(language):
    """{code: name} of working_language_choices() in `language`, in the order of their names (a page names the
    languages of each posting: computed once)."""
    from jobs.search import fold  # jobs.search imports this module to index postings

    with translation.override(language):
        named = [(code, translation.gettext(name)) for code, name in global_settings.LANGUAGES if "-" not in code]
    return dict(sorted(named, key=lambda pair: fold(pair[1])))


class NamedCountry(NamedTuple):
    code: str
    name: str


@functools.cache
def countries_named_in(language):
    """{code: name} of every country in `language`, in the order of their names (a page names the countries of
    each posting: computed once)."""
    from jobs.search import fold  # jobs.search imports this module to index postings

    with translation.override(language):
        named = [(code, str(name)) for code, name in countries]
    return dict(sorted(named, key=lambda pair: fold(pair[1])))


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full time")
    PART_TIME = "part_time", _("Part time")
    CONTRACT = "contract", _("Contract")
    TEMPORARY = "temporary", _("Temporary")
    INTERNSHIP = "internship", _("Internship")


class Seniority(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    MID = "mid", _("Mid-level")
    SENIOR = "senior", _("Senior")
    LEAD = "lead", _("Lead")
    PRINCIPAL = "principal", _("Principal")


class Workplace(models.TextChoices):
    ONSITE = "onsite", _("On-site")
    HYBRID = "hybrid", _("Hybrid")
    REMOTE = "remote", _("Remote")


class SalaryPeriod(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")

    @property
    def per_year(self):
        """How many of this period a full-time year pays: 52 weeks of 5 days of 8 hours (see README, "Pay")."""
        return YEARLY_FACTORS[self]


YEARLY_FACTORS = {SalaryPeriod.HOUR: 2080, SalaryPeriod.DAY: 260, SalaryPeriod.MONTH: 12, SalaryPeriod.YEAR: 1}


class SalaryBasis(models.TextChoices):
    GROSS = "gross", _("gross")
    NET = "net", _("net")


class LanguageLevel(models.TextChoices):
    """The levels of the Common European Framework of Reference for Languages (CEFR)."""

    A1 = "A1", _("A1 (beginner)")
    A2 = "A2", _("A2 (elementary)")
    B1 = "B1", _("B1 (intermediate)")
    B2 = "B2", _("B2 (upper intermediate)")
    C1 = "C1", _("C1 (advanced)")
    C2 = "C2", _("C2 (proficient)")


class Status(models.TextChoices):
    """What HR decided; the effective lifecycle state also depends on the dates."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Lifecycle(models.TextChoices):
    """The effective state of a posting at a given moment."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")
    ARCHIVED = "archived", _("Archived")

    @property
    def is_public(self):
        """Job seekers may open the posting's page: it is live or closed; drafts and scheduled ones are previews."""
        return self not in {Lifecycle.DRAFT, Lifecycle.SCHEDULED}

    @property
    def is_closed(self):
        """The posting was public and takes no more applications: it expired or was archived."""
        return self in {Lifecycle.EXPIRED, Lifecycle.ARCHIVED}


# The currency the exchange rates are quoted against (the ECB's reference rates are euro rates).
BASE_CURRENCY = "EUR"


class ExchangeRateQuerySet(models.QuerySet):
    def table(self):
        """({currency: units of it per euro}, the base currency included; the rates' date, None if there are none)."""
        return rates_table(self.summary().get()["table"])

    def summary(self):
        """One row whose "table" is the rates as one text, "currency rate date" items joined by commas, that
        rates_table() reads: a subquery that another query can select beside its own values (jobs.catalogue reads
        the rates with the catalogue's state)."""
        text = models.CharField()
        item = Concat("currency", Value(" "), Cast("rate", text), Value(" "), Cast("date", text), output_field=text)
        whole = self.order_by().annotate(whole=Value(1)).values("whole")  # grouped by a constant: one row
        return whole.annotate(table=StringAgg(item, Value(","))).values("table")

    def rates(self):
        """{currency: units of it per euro}, the base currency included."""
        return self.table()[0]


def rates_table(summary):
    """ExchangeRateQuerySet.table() of the text of ExchangeRateQuerySet.summary() (None for no rates)."""
    rows = [row.split(" ") for row in summary.split(",")] if summary else []
    places = Decimal(10) ** -ExchangeRate._meta.get_field("rate").decimal_places
    rows.sort()  # in no order otherwise: SQLite before 3.44 cannot order an aggregate
    rates = {BASE_CURRENCY: Decimal(1), **{currency: Decimal(rate).quantize(places) for currency, rate, _date in rows}}
    return rates, max((date.fromisoformat(day) for _currency, _rate, day in rows), default=None)


class ExchangeRate(models.Model):
    """A reference rate: how many units of `currency` one euro buys on `date`. Refreshed by load_exchange_rates."""

    currency = models.CharField(_("currency"), max_length=3, primary_key=True)
    rate = models.DecimalField(_("units per euro"), max_digits=18, decimal_places=6)
    date = models.DateField(_("date"))

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        ordering = ["currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive")]

    def __str__(self):
        return f"{self.currency} {self.rate} ({self.date})"


def yearly_in_base(amount, currency, period, rates, rounding=ROUND_HALF_UP):
    """`amount` of `currency` per `period`, as whole euros per year at `rates`; None when it cannot be converted."""
    if amount is None or currency not in rates or not period:
        return None
    yearly = Decimal(amount) * SalaryPeriod(period).per_year / rates[currency]
    return int(yearly.to_integral_value(rounding))


def yearly_top_in_base(rate):
    """The database expression of Posting.salary_top_yearly for postings in a currency of `rate` units per euro.

    It rounds like yearly_in_base(), so that a refresh of the rates stores what saving the posting would.
    """
    factor = models.Case(
        *[models.When(salary_period=period, then=models.Value(factor)) for period, factor in YEARLY_FACTORS.items()],
        output_field=models.DecimalField(),
    )
    top = Coalesce("salary_max", "salary_min")
    return Cast(Round(top * factor / models.Value(rate, output_field=models.DecimalField())), models.BigIntegerField())


class CompanyQuerySet(models.QuerySet):
    def managed_by(self, user):
        """The companies whose postings `user` may manage: every one for a superuser, else their own."""
        if user.is_superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(members=user)


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True)
    logo_url = models.URLField(_("logo URL"), blank=True)
    city = models.CharField(_("headquarters city"), max_length=100, blank=True)
    country = CountryField(_("headquarters country"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="companies",
        blank=True,
        verbose_name=_("HR staff"),
        help_text=_("The staff who write and manage this company's postings."),
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name

    def get_absolute_url(self, language=None):
        """The company's page in `language` (default: the active language)."""
        with translation.override(language or translation.get_language()):
            return reverse("jobs:company_detail", kwargs={"slug": self.slug})

    def description_in(self, language):
        """The company's description written in `language`, or None."""
        return next((entry for entry in self.descriptions.all() if entry.language == language), None)

    def keep_description(self, language, text):
        """Keep `text` (None for none) as the company's description in `language`, read along with a posting
        (PostingQuerySet.with_company_description), for description_in(language); its other ones are not read."""
        descriptions = [CompanyDescription(company=self, language=language, text=text)] if text is not None else []
        self.__dict__.setdefault("_prefetched_objects_cache", {})["descriptions"] = descriptions


class CompanyDescription(models.Model):
    """Who a company is, written in one language for its page in that language."""

    company = models.ForeignKey(Company, models.CASCADE, related_name="descriptions", verbose_name=_("company"))
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    text = models.TextField(_("description"))

    class Meta:
        ordering = ["language"]
        verbose_name = _("description")
        verbose_name_plural = _("descriptions by language")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "language"],
                name="one_company_description_per_language",
                violation_error_message=_("The company already has a description in that language."),
            )
        ]

    def __str__(self):
        return self.get_language_display()


class Tag(models.Model):
    """A category shared by postings of every language, with a name per language."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("Name in the default language."))
    translated_names = models.JSONField(_("translated names"), default=dict, blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.label()

    def label(self, language=None):
        """The tag's name in `language` (default: the active language)."""
        language = language or translation.get_language()
        return self.translated_names.get(language) or self.name

    @staticmethod
    def label_in(language):
        """label(language) as the database computes it."""
        translated = NullIf(KT(f"translated_names__{language}"), Value(""))
        return Coalesce(translated, "name", output_field=models.CharField())


# Rules that clean() reports on their fields and that Posting.Meta.constraints hold in the database too.
SALARY_NOT_NEGATIVE = _("A salary cannot be negative.")
CURRENCY_NEEDED = _("Give the currency of the salary.")
PERIOD_NEEDED = _("Say whether the salary is per hour, day, month or year.")
EXPIRY_AFTER_PUBLISH_DATE = _("The expiry must come after the publish date.")
EXPERIENCE_RANGE = _("The maximum years of experience need a minimum that is not above them.")
OFFICE_COUNTRY_NEEDED = _("Give the office's country: only a fully remote role needs no office.")
SOME_COUNTRY_NEEDED = _("Give the countries candidates may work from, since the role has no office.")

not_negative = MinValueValidator(0, SALARY_NOT_NEGATIVE)
NO_SALARY = Q(salary_min__isnull=True, salary_max__isnull=True)
HAS_SALARY = Q(salary_min__isnull=False) | Q(salary_max__isnull=False)

ITEM_RELATIONS = ("responsibilities", "requirements", "benefits", "career_steps")
# Rows of a posting other than text items: its further offices and the languages the job requires.
DETAIL_RELATIONS = ("other_offices", "working_languages")
# Everything a posting holds in other tables, which its history, copies and page carry along.
POSTING_RELATIONS = ITEM_RELATIONS + DETAIL_RELATIONS
SIMILAR_CANDIDATES = 100
RANKED = 500  # matches of a search ranked by relevance, the newest


class PostingQuerySet(models.QuerySet):
    def live(self, now=None):
        """Published postings whose publish date has come and whose expiry has not."""
        now = now or timezone.now()
        return self.live_or_scheduled(now).filter(published_at__lte=now)

    def live_or_scheduled(self, now):
        """Published postings with a publish date, live at `now` or to go live at that date, that have not expired."""
        return self.filter(status=Status.PUBLISHED, published_at__isnull=False).exclude(valid_through__lte=now)

    def in_language(self, language):
        return self.filter(language=language)

    def in_lifecycle(self, lifecycle, now=None):
        """Postings whose effective state (see Posting.lifecycle) is `lifecycle` at `now`."""
        now = now or timezone.now()
        published = self.filter(status=Status.PUBLISHED)
        match lifecycle:
            case Lifecycle.PUBLISHED:
                return self.live(now)
            case Lifecycle.SCHEDULED:
                return published.filter(Q(published_at__isnull=True) | Q(published_at__gt=now))
            case Lifecycle.EXPIRED:
                return published.filter(published_at__lte=now, valid_through__lte=now)
            case _:
                return self.filter(status=lifecycle)

    def managed_by(self, user):
        """The postings `user` may see and edit in the admin."""
        if user.is_superuser:
            return self
        return self.filter(company__in=Company.objects.managed_by(user))

    def with_salary(self):
        return self.filter(HAS_SALARY)

    def paying_at_least(self, amount, currency, period=SalaryPeriod.YEAR, rates=None):
        """Postings whose range reaches `amount` of `currency` per `period`, compared per year in euros.

        A posting matches when the top of its range (its maximum, else its minimum) is at least the floor: it could
        pay that much. Postings without a salary, or in a currency with no exchange rate, never match. `rates` are
        those of the table unless given.
        """
        # Rounded down, so that a posting of exactly the floor's amount and currency matches, however the database
        # rounded its yearly amount.
        floor = yearly_in_base(amount, currency, period, rates or ExchangeRate.objects.rates(), ROUND_FLOOR)
        if floor is None:
            return self.none()
        return self.filter(salary_top_yearly__gte=floor)

    def refresh_yearly_salaries(self, rates):
        """Recompute salary_top_yearly at `rates`, one UPDATE per currency: [(currency, postings updated)]."""
        with_salary = self.with_salary()
        updated = [
            (currency, with_salary.filter(salary_currency=currency).update(salary_top_yearly=yearly_top_in_base(rate)))
            for currency, rate in sorted(rates.items())
        ]
        with_salary.exclude(salary_currency__in=rates).update(salary_top_yearly=None)
        return updated

    def for_listing(self):
        """What a listing card shows but its tags, offices and working languages (Posting.load_details reads them);
        anything else fails loudly."""
        return self.select_related("company").defer("description").fetch_mode(models.FETCH_RAISE)

    def with_company_description(self):
        """Postings with their company and its description in the posting's language, read along (see
        Company.keep_description)."""
        text = CompanyDescription.objects.filter(company=OuterRef("company"), language=OuterRef("language"))
        return self.select_related("company").annotate(company_description=Subquery(text.values("text")[:1]))

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def with_sections(self):
        """Postings with everything their page shows: company, tags and every list of items."""
        return self.select_related("company").prefetch_related("company__descriptions", "tags", *POSTING_RELATIONS)

    def search(self, text, language=None):
        """Postings that match the words of `text` (all of them if it has no words), as jobs.search defines it.

        With no `language`, each posting is matched in its own language.
        """
        from jobs import search  # jobs.search imports this module to index postings

        return self.filter(search.matches(text, language))

    def by_relevance(self, text, language):
        """Best matches for `text` first where the database ranks them (PostgreSQL), otherwise newest first.

        Only the newest RANKED matches are ranked, and come first; the others follow them newest first. Ranking
        reads each posting's search vector, which PostgreSQL keeps out of line (TOAST): ranking every match of a
        common word read them all.
        """
        from jobs import search

        rank = search.rank(text, language)
        if rank is None:
            return self.newest_first()
        newest = self.newest_first().values("pk")[:RANKED]
        relevance = Case(When(pk__in=Subquery(newest), then=rank), default=Value(-1.0), output_field=FloatField())
        return self.alias(relevance=relevance).order_by("-relevance", "-published_at", "-pk")


@reversion.register(follow=POSTING_RELATIONS)
class Posting(models.Model):
    company = models.ForeignKey(Company, models.PROTECT, related_name="postings", verbose_name=_("company"))
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    translation_group = models.UUIDField(
        _("translation group"),
        default=uuid.uuid4,
        help_text=_("Postings that share this value are the same job in different languages."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.TextField(_("summary"), help_text=_("One paragraph that defines the role."))
    description = models.TextField(_("description"), blank=True)

    employment_type = models.CharField(_("employment type"), max_length=20, choices=EmploymentType)
    seniority = models.CharField(_("seniority"), max_length=20, choices=Seniority)
    workplace = models.CharField(_("workplace"), max_length=20, choices=Workplace)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(
        _("country"),
        blank=True,
        help_text=_("Where the (main) office is. A fully remote role needs no office."),
    )
    eligible_countries = CountryField(
        _("eligible countries"),
        multiple=True,
        blank=True,
        help_text=_("For remote roles: the countries candidates may work from."),
    )

    salary_min = models.DecimalField(
        _("salary minimum"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[not_negative]
    )
    salary_max = models.DecimalField(
        _("salary maximum"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[not_negative]
    )
    salary_currency = models.CharField(_("currency"), max_length=3, choices=currency_choices, blank=True)
    salary_period = models.CharField(_("salary period"), max_length=10, choices=SalaryPeriod, blank=True)
    salary_basis = models.CharField(
        _("gross or net"),
        max_length=5,
        choices=SalaryBasis,
        default=SalaryBasis.GROSS,
        help_text=_("Whether the amounts are before (gross) or after (net) tax and social contributions."),
    )
    bonus_percent = models.PositiveSmallIntegerField(
        _("bonus"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1000)],
        help_text=_("The target yearly bonus, as a percentage of the salary."),
    )
    equity = models.BooleanField(_("equity"), default=False, help_text=_("The pay includes shares or stock options."))
    allowances = models.DecimalField(
        _("allowances per year"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[not_negative],
        help_text=_(
            "Allowances on top of the salary (meals, transport, housing…), per year, in the salary's currency."
        ),
    )
    collective_agreement = models.CharField(
        _("collective agreement"),
        max_length=200,
        blank=True,
        help_text=_("The collective agreement that sets the pay, if one does, e.g. “TV-L E13”."),
    )
    # The top of the range per year in euros (BASE_CURRENCY), which the listing's salary floor compares: kept by
    # save() and Posting.objects.refresh_yearly_salaries(); None without a salary or an exchange rate.
    salary_top_yearly = models.PositiveBigIntegerField(editable=False, null=True)
    experience_years = models.PositiveSmallIntegerField(_("minimum years of experience"), null=True, blank=True)
    experience_years_max = models.PositiveSmallIntegerField(
        _("maximum years of experience"),
        null=True,
        blank=True,
        help_text=_("Only for a range, such as 8–12 years; leave empty for “8+ years”."),
    )

    visa_sponsorship = models.BooleanField(
        _("visa sponsorship"), default=False, help_text=_("The company sponsors a work visa if one is needed.")
    )
    relocation = models.BooleanField(
        _("relocation assistance"), default=False, help_text=_("The company helps the person hired to move.")
    )

    tags = models.ManyToManyField(Tag, related_name="postings", blank=True, verbose_name=_("tags"))
    apply_url = models.URLField(_("application URL"), max_length=500, blank=True)
    apply_email = models.EmailField(_("application e-mail"), blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(_("publish date"), null=True, blank=True, db_index=True)
    valid_through = models.DateTimeField(_("valid through"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.UUIDField(
        _("version"),
        default=uuid.uuid4,
        editable=False,
        help_text=_("Changes on every save, so that an edit based on an older version can be refused."),
    )

    objects = PostingQuerySet.as_manager()

    get_employment_type_display = choice_label("employment_type", EmploymentType)
    get_seniority_display = choice_label("seniority", Seniority)
    get_workplace_display = choice_label("workplace", Workplace)
    get_salary_basis_display = choice_label("salary_basis", SalaryBasis)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"],
                name="one_posting_per_language_in_group",
                violation_error_message=_("This job already has a posting in that language."),
            ),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=models.F("salary_max")),
                name="salary_min_not_above_max",
                violation_error_message=_("The salary minimum cannot be above the maximum."),
            ),
            # Also checked by field validators and clean(), which name the field; these hold for bulk writes too.
            models.CheckConstraint(
                condition=(Q(salary_min__isnull=True) | Q(salary_min__gte=0))
                & (Q(salary_max__isnull=True) | Q(salary_max__gte=0)),
                name="salary_not_negative",
                violation_error_message=SALARY_NOT_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=NO_SALARY | ~Q(salary_currency=""),
                name="salary_has_currency",
                violation_error_message=CURRENCY_NEEDED,
            ),
            models.CheckConstraint(
                condition=NO_SALARY | ~Q(salary_period=""),
                name="salary_has_period",
                violation_error_message=PERIOD_NEEDED,
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | Q(valid_through__isnull=True)
                | Q(valid_through__gt=models.F("published_at")),
                name="expiry_after_publish_date",
                violation_error_message=EXPIRY_AFTER_PUBLISH_DATE,
            ),
            models.CheckConstraint(
                condition=Q(workplace=Workplace.REMOTE) | ~Q(country=""),
                name="office_country_unless_remote",
                violation_error_message=OFFICE_COUNTRY_NEEDED,
            ),
            models.CheckConstraint(
                condition=~Q(country="") | ~Q(eligible_countries=""),
                name="some_country",
                violation_error_message=SOME_COUNTRY_NEEDED,
            ),
            models.CheckConstraint(
                condition=Q(experience_years_max__isnull=True)
                | Q(experience_years__isnull=False, experience_years__lte=models.F("experience_years_max")),
                name="experience_range",
                violation_error_message=EXPERIENCE_RANGE,
            ),
        ]
        indexes = [
            # The listing's pages and facet counts read published postings of one language from this index alone
            # (PostgreSQL), newest first without a sort. "Live" also depends on the clock, which an index condition
            # cannot name: the condition holds the status, and the dates are read from the index's columns.
            # Language leads instead of one index per language, so that adding a language needs no migration.
            # A salary floor (jobs.filters) needs a column of its own: the yearly salary in one currency, set on save,
            # and an index (language, that column) under the same condition, so that "at least X" is a range scan.
            models.Index(
                fields=["language", "-published_at", "-id"],
                include=[
                    "valid_through",
                    "workplace",
                    "employment_type",
                    "seniority",
                    "company",
                    "salary_min",
                    "salary_max",
                    "visa_sponsorship",
                    "relocation",
                ],
                condition=Q(status=Status.PUBLISHED),
                name="posting_live_idx",
            ),
            # The salary floor: a range scan over the published postings of one language that have a yearly salary.
            models.Index(
                fields=["language", "salary_top_yearly"],
                condition=Q(status=Status.PUBLISHED, salary_top_yearly__isnull=False),
                name="posting_salary_floor_idx",
            ),
            # The admin's country filter reads the countries in use from this index (jobs.admin.distinct_values).
            models.Index(fields=["country"], name="posting_country_idx"),
            # The admin's filters by language, workplace, employment type and seniority: two of them that few
            # postings share are found by combining their indexes (at a million postings, "lead" and "contract" in
            # none: 50 to 80 ms, where reading the table took 330). Small, for columns of a few values (7 MB each at
            # a million). PostgreSQL's planner learns how often the values go together from statistics of the four
            # columns (migration 0016): taking them for independent, it expected 26,265 English "lead" postings
            # where there was one, and read the whole table in date order for a page of them (3.5 s).
            models.Index(fields=["language"], name="posting_language_idx"),
            models.Index(fields=["workplace"], name="posting_workplace_idx"),
            models.Index(fields=["employment_type"], name="posting_employment_idx"),
            models.Index(fields=["seniority"], name="posting_seniority_idx"),
            # The admin's state filter finds drafts, archived and expired postings here, however few they are.
            models.Index(fields=["status", "valid_through"], name="posting_state_idx"),
            # The postings sitemap's lastmod: when a live posting last changed, read from the end of this index.
            models.Index(fields=["updated_at"], name="posting_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.version = uuid.uuid4()
        self.salary_top_yearly = self.yearly_top_in_base(ExchangeRate.objects.rates())
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.sync_work_countries()
            self.share_pay()

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("jobs:posting_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        if self.has_salary and not self.salary_currency:
            errors["salary_currency"] = CURRENCY_NEEDED
        if self.has_salary and not self.salary_period:
            errors["salary_period"] = PERIOD_NEEDED
        publishing = self.status == Status.PUBLISHED
        published_at = self.published_at or (timezone.now() if publishing else None)
        if self.valid_through and published_at and self.valid_through <= published_at:
            errors["valid_through"] = EXPIRY_AFTER_PUBLISH_DATE
        if not self.country and not self.is_remote:
            errors["country"] = OFFICE_COUNTRY_NEEDED
        elif not self.country and not self.eligible_countries:
            errors["eligible_countries"] = SOME_COUNTRY_NEEDED
        if self.experience_years_max is not None and not (
            self.experience_years is not None and self.experience_years <= self.experience_years_max
        ):
            errors["experience_years_max"] = EXPERIENCE_RANGE
        if publishing and self.salary_min is None and (countries := self.pay_required_in()):
            errors["salary_min"] = pay_required_message(countries)
        if publishing and not (self.apply_url or self.apply_email):
            errors["apply_url"] = _("Give an application URL or e-mail address before publishing.")
        if self.company_id and self.other_companies_translations().exists():
            errors["translation_group"] = _("This translation group is another company's job.")
        if errors:
            raise ValidationError(errors)

    def other_companies_translations(self):
        return (
            Posting.objects.filter(translation_group=self.translation_group)
            .exclude(pk=self.pk)
            .exclude(company_id=self.company_id)
        )

    def copy(self, **changes):
        """A new draft of this posting with its items and tags, changed by `changes`."""
        fields = {
            field.attname: getattr(self, field.attname)
            for field in self._meta.concrete_fields
            if field.editable and not field.primary_key
        }
        fields |= {
            "slug": "",
            "status": Status.DRAFT,
            "published_at": None,
            "valid_through": None,
            "translation_group": uuid.uuid4(),
            **changes,
        }
        with transaction.atomic():
            duplicate = Posting.objects.create(**fields)
            duplicate.tags.set(self.tags.all())
            for related in POSTING_RELATIONS:
                rows = getattr(self, related).all()
                rows.model.objects.bulk_create(row.copy(posting_id=duplicate.pk) for row in rows)
            duplicate.sync_work_countries()
        return duplicate

    def extend_expiry(self, days=30, now=None):
        """Push the expiry date `days` further, counted from `now` if it has passed or was never set."""
        now = now or timezone.now()
        self.valid_through = max(self.valid_through or now, now) + timedelta(days=days)

    def archive(self):
        """Take the posting off the site for good (a closed posting's page stays, answering 410)."""
        self.status = Status.ARCHIVED

    def publish_now(self, now=None):
        """Make the posting live from `now` on, unless it already is."""
        if self.lifecycle != Lifecycle.PUBLISHED:
            self.status = Status.PUBLISHED
            self.published_at = now or timezone.now()

    def unique_slug(self, title=None):
        """A slug made from `title` (by default the posting's) that no other posting has."""
        base = slugify(title or self.title)[:200] or "posting"
        slug, n = base, 1
        while Posting.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def yearly_top_in_base(self, rates):
        """The top of the salary range (its maximum, else its minimum) per year in euros at `rates`."""
        top = self.salary_max if self.salary_max is not None else self.salary_min
        return yearly_in_base(top, self.salary_currency, self.salary_period, rates)

    def pay_required_in(self):
        """The countries of work_country_codes() where a published ad must state its pay (PAY_REQUIRED_COUNTRIES)."""
        return sorted(self.work_country_codes() & set(settings.PAY_REQUIRED_COUNTRIES))

    def share_pay(self):
        """Give the postings of the same translation group this one's pay: it is edited once, for every language.

        They get a new version too, so that a form opened on one of them before cannot save the old pay back.
        """
        pay = {name: getattr(self, name) for name in SHARED_PAY_FIELDS}
        same_pay = Q(
            *[Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value}) for name, value in pay.items()]
        )
        from jobs import catalogue  # jobs.catalogue imports the models

        others = Posting.objects.filter(translation_group=self.translation_group).exclude(pk=self.pk).exclude(same_pay)
        keys = list(others.values_list("pk", flat=True))
        if keys:
            Posting.objects.filter(pk__in=keys).update(**pay, version=uuid.uuid4())
            catalogue.bump(keys)  # an update sends no signals

    def offices(self, others=None):
        """Where the job's offices are: the main one (the posting's city and country) first, then the others.

        `others` stands for the posting's other offices when they are not (yet) its rows.
        """
        main = [Office(city=self.city, country=self.country)] if self.country else []
        if others is None:
            others = self.other_offices.all() if self.pk else []
        return [*main, *others]

    def place_summary(self):
        """Where the job is done, in a line: "Remote · France, Germany", or "Paris, France; Lyon, France · Hybrid"."""
        if self.is_remote:
            parts = [self.get_workplace_display(), ", ".join(country.name for country in self.work_countries_by_name())]
        else:
            parts = [self.offices_line(), self.get_workplace_display()]
        return " · ".join(parts)

    def offices_line(self):
        """The offices() in a line, "Paris, France; Lyon, France"; empty if there are none (a remote role's may)."""
        return "; ".join(
            f"{office.city}, {office.country.name}" if office.city else office.country.name for office in self.offices()
        )

    def work_country_codes(self, other_offices=None):
        """The countries the job can be done from: where candidates may live for remote roles, else the offices'."""
        if self.is_remote and self.eligible_countries:
            return {country.code for country in self.eligible_countries}
        return {office.country.code for office in self.offices(other_offices)}

    def work_countries_by_name(self):
        """The countries of work_country_codes() (NamedCountry), by name in the active language."""
        codes = self.work_country_codes()
        return [
            NamedCountry(code, name)
            for code, name in countries_named_in(translation.get_language()).items()
            if code in codes
        ]

    def sync_work_countries(self):
        """Store work_country_codes() as the posting's WorkCountry rows; called again after its offices change."""
        WorkCountry.objects.filter(posting=self).delete()
        WorkCountry.objects.bulk_create(
            WorkCountry(posting=self, country=code) for code in sorted(self.work_country_codes())
        )

    @property
    def lifecycle(self):
        now = timezone.now()
        if self.status != Status.PUBLISHED:
            return Lifecycle(self.status)
        if self.published_at is None or self.published_at > now:
            return Lifecycle.SCHEDULED
        if self.valid_through and self.valid_through <= now:
            return Lifecycle.EXPIRED
        return Lifecycle.PUBLISHED

    @property
    def has_been_public(self):
        """Whether the posting's page may have been seen: its publish date has come at some point."""
        return self.published_at is not None and self.published_at <= timezone.now()

    @functools.cached_property
    def translation_source(self):
        """The job's first posting, with its items, which the others translate; None for that posting itself."""
        if self.pk is None:
            return None
        first = (
            Posting.objects.filter(translation_group=self.translation_group)
            .order_by("created_at", "pk")
            .with_sections()
            .first()
        )
        return first if first is not None and first.pk != self.pk else None

    @staticmethod
    def load_sections(postings):
        """Read every list of items of `postings` in one query, as with_sections() would have prefetched them.

        Each item is made as the ORM makes what it reads (Model.from_db, its fields in order), its posting set:
        a feed reads a thousand items, which made with keyword arguments took twice as long."""
        columns = ["id", "posting_id", "position", "text", "kind", "priority"]
        keys = [posting.pk for posting in postings]
        by_key = {posting.pk: posting for posting in postings}
        items = {key: {related: [] for related in ITEM_RELATIONS} for key in by_key}
        if keys:
            parts, made = [], {}
            for related in ITEM_RELATIONS:
                model = getattr(Posting, related).rel.related_model
                names = [field.attname for field in model._meta.concrete_fields]
                values = [F(name) if name in names else Value(None, models.CharField()) for name in columns]
                parts.append(model.objects.filter(posting__in=keys).order_by().values_list(Value(related), *values))
                made[related] = (model, names, [columns.index(name) for name in names], model.posting.field)
            rows = parts[0].union(*parts[1:], all=True).order_by()
            for related, *values in rows:
                model, names, positions, posting_field = made[related]
                item = model.from_db(rows.db, names, [values[position] for position in positions])
                owner = by_key[item.posting_id]
                posting_field.set_cached_value(item, owner)
                items[owner.pk][related].append(item)
        for posting in postings:
            # Where prefetch_related() keeps what it read, so that posting.responsibilities.all() and the like read it.
            cache = posting.__dict__.setdefault("_prefetched_objects_cache", {})
            for related, rows in items[posting.pk].items():
                cache[related] = sorted(rows, key=lambda item: (item.position, item.pk))

    @staticmethod
    def load_details(postings):
        """Read the tags, other offices and working languages of `postings` in one query, as
        prefetch_related("tags", *DETAIL_RELATIONS) would have prefetched them; of those that do not have them yet."""
        postings = [
            posting
            for posting in postings
            if not {"tags", *DETAIL_RELATIONS} <= posting.__dict__.get("_prefetched_objects_cache", {}).keys()
        ]
        keys = [posting.pk for posting in postings]
        text = models.CharField()
        tags = Posting.tags.through.objects.filter(posting__in=keys).values_list(
            Value("tags", text), "posting", "tag", "tag__slug", "tag__name", Cast("tag__translated_names", text)
        )
        offices = Office.objects.filter(posting__in=keys).values_list(
            Value("other_offices", text), "posting", "id", "city", "country", Value(None, text)
        )
        languages = WorkingLanguage.objects.filter(posting__in=keys).values_list(
            Value("working_languages", text), "posting", "id", "language", "level", Value(None, text)
        )
        rows = {posting.pk: {"tags": [], **{related: [] for related in DETAIL_RELATIONS}} for posting in postings}
        if keys:
            for related, posting, key, first, second, third in tags.order_by().union(
                offices.order_by(), languages.order_by(), all=True
            ):
                rows[posting][related].append((key, first, second, third))
        for posting in postings:
            found = rows[posting.pk]
            # Where prefetch_related() keeps what it read, so that posting.tags.all() and the like read it.
            cache = posting.__dict__.setdefault("_prefetched_objects_cache", {})
            cache["tags"] = sorted(
                (
                    Tag(id=key, slug=slug, name=name, translated_names=json.loads(names))
                    for key, slug, name, names in found["tags"]
                ),
                key=lambda tag: tag.slug,
            )
            cache["other_offices"] = [
                Office(id=key, posting=posting, city=city, country=country)
                for key, city, country, _none in sorted(found["other_offices"])
            ]
            cache["working_languages"] = [
                WorkingLanguage(id=key, posting=posting, language=language, level=level)
                for key, language, level, _none in sorted(found["working_languages"])
            ]

    def translations(self):
        """The same job's live postings in other languages."""
        return (
            Posting.objects.live()
            .filter(translation_group=self.translation_group)
            .exclude(pk=self.pk)
            .order_by("language")
        )

    def similar(self, limit=3):
        """Live postings in the same language that share the most tags with this one, among the newest
        SIMILAR_CANDIDATES that share any (so that a popular tag does not make every posting page count them all)."""
        tags = Posting.tags.through.objects.filter(posting=self.pk).values("tag")
        sharing = Posting.tags.through.objects.filter(posting=OuterRef("pk"), tag__in=tags)
        candidates = (
            Posting.objects.live()
            .in_language(self.language)
            .exclude(pk=self.pk)
            .filter(Exists(sharing))
            .newest_first()
            .values("pk")[:SIMILAR_CANDIDATES]
        )
        shared = sharing.order_by().values("posting").annotate(n=models.Count("pk")).values("n")
        return (
            Posting.objects.filter(pk__in=candidates)
            .annotate(shared_tags=Subquery(shared))
            .order_by("-shared_tags", "-published_at", "-pk")
            .select_related("company")
            .defer("description")[:limit]
        )

    @property
    def has_salary(self):
        return self.salary_min is not None or self.salary_max is not None

    @property
    def is_remote(self):
        return self.workplace == Workplace.REMOTE

    def readiness_gaps(self):
        """What a good posting has and this one still lacks: {gap: what to add, for HR}."""
        gaps = {}
        if self.salary_min is None and (countries := self.pay_required_in()):
            gaps["salary"] = pay_required_message(countries)
        elif not self.has_salary:
            gaps["salary"] = _("A salary range: postings that show one get more applications.")
        elif self.salary_top_yearly is None:
            gaps["exchange_rate"] = _(
                "An exchange rate for %(currency)s: without one, visitors who filter by minimum salary do not see "
                "this posting."
            ) % {"currency": self.salary_currency}
        if not self.valid_through:
            gaps["expiry"] = _("An expiry date (valid through), so the posting closes by itself.")
        for related, message in [
            ("responsibilities", _("Responsibilities: what the person will do.")),
            ("requirements", _("Requirements: what candidates need to bring.")),
            ("benefits", _("Benefits: what the company offers.")),
        ]:
            if not getattr(self, related).exists():
                gaps[related] = message
        if self.is_remote and not self.eligible_countries:
            gaps["eligible_countries"] = _("The countries candidates may work from, for this remote role.")
        if not Posting.objects.filter(translation_group=self.translation_group).exclude(pk=self.pk).exists():
            gaps["translation"] = _("A translation.")
        return gaps


# What the postings of a translation group share: the pay, edited once and shown in every language.
SHARED_PAY_FIELDS = (
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "salary_basis",
    "bonus_percent",
    "equity",
    "allowances",
    "collective_agreement",
    "salary_top_yearly",
)


def pay_required_message(countries):
    names = ", ".join(str(Country(code).name) for code in countries)
    return _(
        "Job ads for %(countries)s must state the pay (EU pay transparency directive): give at least the salary "
        "minimum before publishing."
    ) % {"countries": names}


class SearchEntry(models.Model):
    """What a search matches a posting by, kept current by jobs.search.reindex(): its words folded (SQLite searches
    them) and, on PostgreSQL, their weighted vector, GIN-indexed (migration 0012).

    A table of its own, whose rows PostgreSQL keeps narrow (the text and the vector out of line): the keys of all
    the postings a common word matches are read from a few hundred pages, not from the postings' wide rows (at
    100,000 postings, 736 pages instead of 12,762 for "engineer").
    """

    posting = models.OneToOneField(Posting, models.CASCADE, primary_key=True, related_name="search_entry")
    language = models.CharField(max_length=10)
    document = models.TextField(blank=True, default="")
    vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self):
        return str(self.posting)


class FullText(models.Model):
    """A posting's full text as HTML (jobs.fulltext), written by jobs.search.reindex() with its search entry, from
    the same sections: the feed reads fifty of them rather than making them from a thousand items.

    A table of its own: a column of the search entries, even out of line, widened the rows that a common word's
    search reads by a third (12,347 pages instead of 9,347 at 1,000,000 postings).
    """

    posting = models.OneToOneField(Posting, models.CASCADE, primary_key=True, related_name="full_text")
    html = models.TextField()

    class Meta:
        verbose_name = _("full text")
        verbose_name_plural = _("full texts")

    def __str__(self):
        return str(self.posting)


class PostingWords(models.Func):
    """The words of a posting's title, summary, city and slug as the admin's search finds them (PostgreSQL): their
    text upper-cased (as Django's icontains compares) and split at SEPARATORS, without runs of more than 255
    characters between two (longer than an index entry may be; no title, city or slug is that long). A search term
    without a separator is in one of those columns, upper-cased, if and only if it is in one of these words: it
    cannot span two. Hyphens separate too: a slug is unique, and whole, each would be a word that holds the words of
    its title, which the words that hold a title's word would then count by the thousand.

    A function of the database's (migration 0017), GIN-indexed."""

    SEPARATORS = " -\t\n\r"
    function = "jobs_posting_words"

    def __init__(self):
        super().__init__(F("title"), F("summary"), F("city"), F("slug"), output_field=ArrayField(models.TextField()))


class PostingWord(models.Model):
    """A word that a posting's title, summary, city or slug holds or held (PostingWords), on PostgreSQL: a trigger
    adds the words of every posting written that the table does not hold yet (migration 0017); none is removed,
    and a word no posting holds any more finds none. Not unique, so that adding a word locks nothing (two
    transactions adding the same new word at once add it twice). Trigram-indexed: the admin's search finds the words that hold a term here, among a few hundred
    thousand short words, then the postings through the index of their words, without reading a posting that does
    not hold one (jobs.admin.PostingAdmin.own_columns_holding)."""

    word = models.TextField()

    class Meta:
        verbose_name = _("posting word")
        verbose_name_plural = _("posting words")
        indexes = [models.Index(fields=["word"], name="posting_word_idx")]

    def __str__(self):
        return self.word


class DailyStatistics(models.Model):
    """How often a posting's page was viewed and its apply buttons clicked on one day (UTC).

    Counted by jobs.statistics; nothing about the visitors is kept.
    """

    # The unique constraint's index, which starts with the posting, serves lookups by posting and days.
    posting = models.ForeignKey(
        Posting, models.CASCADE, related_name="daily_statistics", db_index=False, verbose_name=_("posting")
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("page views"), default=0)
    apply_clicks = models.PositiveIntegerField(_("apply clicks"), default=0)

    class Meta:
        ordering = ["posting", "day"]
        verbose_name = _("daily statistics")
        verbose_name_plural = _("daily statistics")
        constraints = [models.UniqueConstraint(fields=["posting", "day"], name="one_statistics_row_per_day")]

    def __str__(self):
        return f"{self.posting_id} {self.day}"


class WorkCountry(models.Model):
    """Where a posting can be done from, kept in step with the posting for filtering and counting."""

    # The unique constraint's index, which starts with the posting, serves lookups by posting.
    posting = models.ForeignKey(Posting, models.CASCADE, related_name="work_countries", db_index=False)
    country = CountryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["posting", "country"], name="unique_work_country")]
        indexes = [models.Index(fields=["country", "posting"], name="work_country_idx")]

    def __str__(self):
        return str(self.country.name)


class PostingRow(models.Model):
    """A row that belongs to one posting and is copied with it."""

    posting = models.ForeignKey(Posting, models.CASCADE, verbose_name=_("posting"))

    class Meta:
        abstract = True

    def copy(self, **changes):
        """An unsaved copy of this row, changed by `changes`."""
        fields = {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}
        fields |= {"id": None, **changes}
        return type(self)(**fields)


@reversion.register()
class Office(PostingRow):
    """One of a posting's offices besides its main one (the posting's own city and country)."""

    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))

    class Meta(PostingRow.Meta):
        ordering = ["pk"]
        verbose_name = _("other office")
        verbose_name_plural = _("other offices")
        default_related_name = "other_offices"

    def __str__(self):
        return f"{self.city}, {self.country.name}" if self.city else str(self.country.name)


@reversion.register()
class WorkingLanguage(PostingRow):
    """A language the job requires, at a level of the CEFR; not the language the posting is written in."""

    language = models.CharField(_("language"), max_length=10, choices=working_language_choices)
    level = models.CharField(_("level"), max_length=2, choices=LanguageLevel)

    class Meta(PostingRow.Meta):
        ordering = ["pk"]
        verbose_name = _("working language")
        verbose_name_plural = _("working languages")
        default_related_name = "working_languages"
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "language"],
                name="one_level_per_working_language",
                violation_error_message=_("This language is already required."),
            )
        ]
        indexes = [models.Index(fields=["language", "posting"], name="working_language_idx")]

    def __str__(self):
        return f"{self.get_language_display()} {self.level}"

    def get_language_display(self):
        # Django's own flattens the long list of choices again on every call: a listing page makes dozens.
        return working_languages_named_in(translation.get_language()).get(self.language, self.language)


class PostingItem(PostingRow):
    """One entry of a posting's ordered list (responsibilities, requirements, …)."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


@reversion.register()
class Responsibility(PostingItem):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.PRIMARY)

    class Meta(PostingItem.Meta):
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        default_related_name = "responsibilities"


@reversion.register()
class Requirement(PostingItem):
    """Something candidates bring: its type (what it is) and its priority (whether it is a must)."""

    class Kind(models.TextChoices):
        """The types of requirement, in the order a posting's page shows them."""

        QUALIFICATION = "qualification", _("Qualification")
        EXPERIENCE = "experience", _("Experience")
        EDUCATION = "education", _("Education")
        TECHNICAL_SKILL = "technical_skill", _("Technical skill")
        SOFT_SKILL = "soft_skill", _("Soft skill")
        LANGUAGE = "language", _("Language")

        @property
        def heading(self):
            """The title of this type's requirements on a posting's page."""
            kind = type(self)
            return {
                kind.QUALIFICATION: _("Qualifications"),
                kind.EXPERIENCE: _("Experience"),
                kind.EDUCATION: _("Education"),
                kind.TECHNICAL_SKILL: _("Technical skills"),
                kind.SOFT_SKILL: _("Soft skills"),
                kind.LANGUAGE: _("Languages"),
            }[self]

    class Priority(models.TextChoices):
        REQUIRED = "required", _("Required")
        PREFERRED = "preferred", _("Nice to have")

    kind = models.CharField(_("type"), max_length=20, choices=Kind, default=Kind.QUALIFICATION)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority, default=Priority.REQUIRED)

    class Meta(PostingItem.Meta):
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        default_related_name = "requirements"


# What each kind of requirement became when type and priority were separated: (kind, priority). The data
# migration 0003 and the import of version 1 files both read it.
FORMER_REQUIREMENT_KINDS = {
    "must_have": ("qualification", "required"),
    "nice_to_have": ("qualification", "preferred"),
    "qualification": ("qualification", "required"),
    "hard_skill": ("technical_skill", "required"),
    "soft_skill": ("soft_skill", "required"),
    "education": ("education", "required"),
    "experience": ("experience", "required"),
}


@reversion.register()
class Benefit(PostingItem):
    class Meta(PostingItem.Meta):
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        default_related_name = "benefits"


@reversion.register()
class CareerStep(PostingItem):
    class Kind(models.TextChoices):
        FROM = "from", _("Typically comes from")
        TO = "to", _("Leads to")
        LATERAL = "lateral", _("Lateral move")

        @property
        def heading(self):
            """The title of the roles of this kind on a posting's page."""
            return _("Lateral moves") if self == type(self).LATERAL else self.label

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    text = models.CharField(_("role"), max_length=200)

    class Meta(PostingItem.Meta):
        verbose_name = _("career step")
        verbose_name_plural = _("career path")
        default_related_name = "career_steps"


class CatalogueVersion(models.Model):
    """One row counting the changes to what the public pages show; jobs.catalogue keys cached results by it.

    It lives in the database rather than in the cache so that every process reads the same number, and a change
    made while the cache server was down still invalidates what it held before.
    """

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="one_catalogue_version")]

    def __str__(self):
        return str(self.number)


class CatalogueChangeQuerySet(models.QuerySet):
    def after(self, older, newer):
        """The changes after version `older`, up to `newer`; None if they are no longer all kept."""
        if older < newer - CatalogueChange.KEPT:
            return None
        return self.filter(version__gt=older, version__lte=newer)


class CatalogueChange(models.Model):
    """A catalogue version and a posting its change touched (None: possibly any posting), so that what was read for
    an older version (jobs.facetindex) can be brought up to date by reading again only the postings changed since.
    A version without a row touched no posting (a new company, say).

    A posting's key rather than a foreign key: the change that deleted a posting is kept too. The changes of the
    newest KEPT versions are kept (jobs.catalogue.bump deletes older ones).
    """

    KEPT = 1000

    version = models.PositiveBigIntegerField(db_index=True)
    posting = models.BigIntegerField(null=True)

    objects = CatalogueChangeQuerySet.as_manager()

    def __str__(self):
        return f"{self.version}: {self.posting}"
