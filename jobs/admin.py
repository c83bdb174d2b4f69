from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _

from jobs.models import Benefit, CareerStep, Company, Posting, Requirement, Responsibility, Tag


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "website"]
    list_filter = ["country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class TagForm(forms.ModelForm):
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


class ItemInline(admin.TabularInline):
    extra = 1
    fields = ["position", "kind", "text"]


class ResponsibilityInline(ItemInline):
    model = Responsibility


class RequirementInline(ItemInline):
    model = Requirement


class BenefitInline(ItemInline):
    model = Benefit
    fields = ["position", "text"]


class CareerStepInline(ItemInline):
    model = CareerStep


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):
    inlines = [ResponsibilityInline, RequirementInline, BenefitInline, CareerStepInline]
    list_display = [
        "title",
        "company",
        "language",
        "workplace",
        "country",
        "lifecycle_display",
        "published_at",
        "valid_through",
    ]
    list_filter = ["status", "language", "workplace", "country", "employment_type", "seniority", "company"]
    list_select_related = ["company"]
    search_fields = ["title", "summary", "company__name", "city", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["company", "tags"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["company", "language", "title", "slug", "summary", "description"]}),
        (_("The job"), {"fields": ["employment_type", "seniority", "experience_years", "tags"]}),
        (_("Where"), {"fields": ["workplace", "city", "country", "eligible_countries"]}),
        (_("Salary"), {"fields": [("salary_min", "salary_max"), ("salary_currency", "salary_period")]}),
        (_("How to apply"), {"fields": ["apply_url", "apply_email"]}),
        (_("Publication"), {"fields": ["status", "published_at", "valid_through", "created_at", "updated_at"]}),
        (_("Translations"), {"fields": ["translation_group"], "classes": ["collapse"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "eligible_countries":
            kwargs["widget"] = FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("state"))
    def lifecycle_display(self, posting):
        return posting.lifecycle.label
