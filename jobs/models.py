import functools
import uuid
from datetime import timedelta

import reversion
from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField


def language_choices():
    """The posting languages: exactly the interface languages of settings.LANGUAGES."""
    return settings.LANGUAGES


@functools.cache
def current_currencies():
    """ISO 4217 codes of the currencies in use today in some territory (from CLDR)."""
    territories = get_global("territory_currencies")
    return sorted({code for territory in territories for code in get_territory_currencies(territory)})


def currency_choices():
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    return [(code, f"{code} – {get_currency_name(code, locale=locale)}") for code in current_currencies()]


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
SIMILAR_CANDIDATES = 100
RANKED = 500  # matches of a search ranked by relevance, the newest


class PostingQuerySet(models.QuerySet):
    def live(self, now=None):
        """Published postings whose publish date has come and whose expiry has not."""
        now = now or timezone.now()
        return self.filter(status=Status.PUBLISHED, published_at__lte=now).exclude(valid_through__lte=now)

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

    def for_listing(self):
        """What a listing card shows, in a fixed number of queries; anything else fails loudly."""
        return (
            self.select_related("company")
            .prefetch_related("tags")
            .defer("description", "search_document", "search_vector")
            .fetch_mode(models.FETCH_RAISE)
        )

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def with_sections(self):
        """Postings with everything their page shows: company, tags and every list of items."""
        return self.select_related("company").prefetch_related("tags", *ITEM_RELATIONS)

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


@reversion.register(follow=ITEM_RELATIONS, exclude=["search_document", "search_vector"])
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
        _("country"), blank=True, help_text=_("Where the office is. A fully remote role needs no office.")
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
    experience_years = models.PositiveSmallIntegerField(_("minimum years of experience"), null=True, blank=True)
    experience_years_max = models.PositiveSmallIntegerField(
        _("maximum years of experience"),
        null=True,
        blank=True,
        help_text=_("Only for a range, such as 8–12 years; leave empty for “8+ years”."),
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

    # Kept current by jobs.search.reindex(); the GIN index on search_vector exists on PostgreSQL only.
    search_document = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(editable=False, null=True)

    objects = PostingQuerySet.as_manager()

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
                ],
                condition=Q(status=Status.PUBLISHED),
                name="posting_live_idx",
            ),
            # The admin's country filter reads the countries in use from this index (jobs.admin.distinct_values).
            models.Index(fields=["country"], name="posting_country_idx"),
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
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.sync_work_countries()

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
            for related in ITEM_RELATIONS:
                items = getattr(self, related).all()
                items.model.objects.bulk_create(item.copy(posting_id=duplicate.pk) for item in items)
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

    def work_country_codes(self):
        """The countries the job can be done from: where candidates may live for remote roles, else the office's."""
        if self.is_remote and self.eligible_countries:
            return {country.code for country in self.eligible_countries}
        return {self.country.code} if self.country else set()

    def work_countries_by_name(self):
        """The countries of work_country_codes(), by name in the active language."""
        from jobs.search import fold  # jobs.search imports this module to index postings

        return sorted((Country(code) for code in self.work_country_codes()), key=lambda country: fold(country.name))

    def sync_work_countries(self):
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

    def load_sections(self):
        """Read every list of items of the posting in one query, as with_sections() would have prefetched them."""
        columns = ["id", "position", "text", "kind", "priority"]
        parts = []
        for related in ITEM_RELATIONS:
            model = getattr(Posting, related).rel.related_model
            names = {field.name for field in model._meta.concrete_fields}
            values = [F(name) if name in names else Value(None, models.CharField()) for name in columns]
            rows = model.objects.filter(posting=self).order_by().values_list(Value(related), *values)
            parts.append(rows)
        items = {related: [] for related in ITEM_RELATIONS}
        for related, *values in parts[0].union(*parts[1:], all=True).order_by():
            model = getattr(Posting, related).rel.related_model
            fields = {name: value for name, value in zip(columns, values, strict=True) if value is not None}
            items[related].append(model(posting=self, **fields))
        # Where prefetch_related() keeps what it read, so that posting.responsibilities.all() and the like read it.
        cache = self.__dict__.setdefault("_prefetched_objects_cache", {})
        for related, rows in items.items():
            cache[related] = sorted(rows, key=lambda item: (item.position, item.pk))

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
            .defer("description", "search_document", "search_vector")[:limit]
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
        if not self.has_salary:
            gaps["salary"] = _("A salary range: postings that show one get more applications.")
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


class PostingItem(models.Model):
    """One entry of a posting's ordered list (responsibilities, requirements, …)."""

    posting = models.ForeignKey(Posting, models.CASCADE, verbose_name=_("posting"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text

    def copy(self, **changes):
        """An unsaved copy of this item, changed by `changes`."""
        fields = {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}
        fields |= {"id": None, **changes}
        return type(self)(**fields)


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
