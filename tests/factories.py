from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from jobs import models
from jobs.permissions import ensure_hr_editor_group
from jobs.search import reindex


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Company
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    website = factory.LazyAttribute(lambda company: f"https://{company.slug}.example")
    city = "Berlin"
    country = "DE"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tag
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.LazyAttribute(lambda tag: tag.slug.replace("-", " ").capitalize())


class PostingFactory(factory.django.DjangoModelFactory):
    """A live, complete posting (published a day ago, open for a month)."""

    class Meta:
        model = models.Posting
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    language = "en"
    title = factory.Sequence(lambda n: f"Backend engineer {n}")
    summary = "Build and run the services behind our product with a small, friendly team."
    description = "We are a product company of forty people.\n\nYou will join the platform team."
    employment_type = models.EmploymentType.FULL_TIME
    seniority = models.Seniority.SENIOR
    workplace = models.Workplace.HYBRID
    city = "Berlin"
    country = "DE"
    salary_min = 70000
    salary_max = 90000
    salary_currency = "EUR"
    salary_period = models.SalaryPeriod.YEAR
    experience_years = 3
    apply_url = "https://example.com/apply"
    status = models.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_through = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    class Params:
        draft = factory.Trait(status=models.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=3)))
        expired = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=60)),
            valid_through=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        archived = factory.Trait(status=models.Status.ARCHIVED)
        remote = factory.Trait(workplace=models.Workplace.REMOTE, eligible_countries=["DE", "FR", "ES"])
        # Without the salary and expiry a good posting has.
        unfinished = factory.Trait(
            salary_min=None, salary_max=None, salary_currency="", salary_period="", valid_through=None
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        """Give the posting a realistic set of items unless items=False."""
        if not create:
            return
        if extracted is False:
            reindex([self.pk])
            return
        models.Responsibility.objects.bulk_create(
            models.Responsibility(posting=self, position=n, text=f"Responsibility {n}") for n in range(1, 5)
        )
        kinds = [
            models.Requirement.Kind.QUALIFICATION,
            models.Requirement.Kind.TECHNICAL_SKILL,
            models.Requirement.Kind.SOFT_SKILL,
        ]
        models.Requirement.objects.bulk_create(
            models.Requirement(posting=self, position=n, kind=kinds[n % 3], text=f"Requirement {n}")
            for n in range(1, 6)
        )
        models.Benefit.objects.bulk_create(
            models.Benefit(posting=self, position=n, text=f"Benefit {n}") for n in range(1, 4)
        )
        models.CareerStep.objects.bulk_create(
            [
                models.CareerStep(posting=self, position=1, kind=models.CareerStep.Kind.FROM, text="Backend developer"),
                models.CareerStep(posting=self, position=2, kind=models.CareerStep.Kind.TO, text="Staff engineer"),
            ]
        )
        reindex([self.pk])


class UserFactory(factory.django.DjangoModelFactory):
    """A user; give raw_password="…" for one who logs in with a password (hashing it is slow)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    class Params:
        raw_password = None

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.LazyAttribute(lambda user: make_password(user.raw_password))


class HREditorFactory(UserFactory):
    """Staff in the HR editor group, HR of the companies given as companies=[…]."""

    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(ensure_hr_editor_group())

    @factory.post_generation
    def companies(self, create, extracted, **kwargs):
        if create and extracted:
            self.companies.set(extracted)


def add_items(posting, model, *entries):
    """Items of `model` for `posting`, in this order; an entry is a text, or (kind, text). The posting is indexed
    again, as it is once a transaction that adds them commits."""
    for position, entry in enumerate(entries, start=1):
        kind, text = entry if isinstance(entry, tuple) else (None, entry)
        model.objects.create(posting=posting, position=position, text=text, **({"kind": kind} if kind else {}))
    reindex([posting.pk])
