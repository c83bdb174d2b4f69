"""Forms: text input made clean, and the HR admin's posting form that refuses lost updates, ordered item formsets."""

from django import forms
from django.conf import settings
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from jobs.models import Posting
from jobs.text import clean_line, clean_text


class CleanInput:
    """For a form bound to request data: the text typed into it is made clean (jobs.text) before it is validated.

    An invisible character then never makes a value invalid. A single-line field's line breaks become spaces.
    """

    def full_clean(self):
        if self.is_bound:
            self.data = self.data.copy()
            for name, field in self.fields.items():
                key = self.add_prefix(name)
                if isinstance(field, forms.CharField) and key in self.data:
                    clean = clean_text if isinstance(field.widget, forms.Textarea) else clean_line
                    self.data.setlist(key, [clean(value) for value in self.data.getlist(key)])
        super().full_clean()


class CleanForm(CleanInput, forms.Form):
    """A form whose text is made clean."""


class CleanModelForm(CleanInput, forms.ModelForm):
    """A model form whose text is made clean: the base of every admin form that takes text."""


class PostingForm(CleanModelForm):
    """The posting form, which refuses to save over a version it was not based on.

    PostingAdmin names its fields. The form carries the version it was loaded from. Validation runs inside the admin's
    transaction and locks the posting's row, so of two saves based on the same version
    the later one waits for the earlier, then finds a new version and is refused with
    everything its author typed still on the form.
    """

    based_on_version = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["based_on_version"].initial = self.instance.version
        if "slug" in self.fields:
            self.fields["slug"].help_text = _(
                "The end of the posting's address. Until the posting is first published, a new title gives it a new "
                "slug, unless you change the slug yourself."
            )

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            current = Posting.objects.select_for_update().filter(pk=self.instance.pk).values("version").first()
            if current and current["version"] != cleaned_data.get("based_on_version"):
                raise ValidationError(self.conflict_message(), code="conflict")
        if self.retitled_before_publication() and cleaned_data.get("title"):
            cleaned_data["slug"] = self.instance.unique_slug(cleaned_data["title"])
        return cleaned_data

    def retitled_before_publication(self):
        """Whether the title of a saved posting that was never public changed, its slug left as it was.

        A translation starts as a copy with a slug made from the source's title; its translated
        title then gives it a slug of its own, for no one can have linked to it yet.
        """
        return (
            self.instance.pk is not None
            and not self.instance.has_been_public
            and "title" in self.changed_data
            and "slug" not in self.changed_data
        )

    def conflict_message(self):
        url = reverse("admin:jobs_posting_change", args=[quote(self.instance.pk)])
        latest = Version.objects.get_for_object(self.instance).select_related("revision__user").first()
        if latest is None:
            saved_by = _("Someone else has saved this posting since you opened it.")
        else:
            revision = latest.revision
            saved_by = _("%(user)s saved this posting on %(when)s, after you opened it.") % {
                "user": revision.user or _("Someone else"),
                "when": date_format(localtime(revision.date_created), "DATETIME_FORMAT"),
            }
        return format_html(
            '{} {} <a href="{}" target="_blank" rel="noopener">{}</a>',
            saved_by,
            _("Your changes are not saved yet, and theirs are kept. Compare with the current version,"),
            url,
            _("open it in a new tab, and make your changes there."),
        )


class ItemFormSet(BaseInlineFormSet):
    """A posting's ordered items: a new item whose position is left empty goes last."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False
        form.fields["position"].initial = None
        form.fields["position"].widget.attrs.update({"class": "item-position", "min": 0})

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if (form.instance.pk is not None or form.has_changed()) and form not in self.deleted_forms
        ]
        last = max((form.cleaned_data.get("position") or 0 for form in kept), default=0)
        for form in kept:
            if form.cleaned_data.get("position") is None:
                last += 1
                form.instance.position = form.cleaned_data["position"] = last


class TranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Translate into"))

    def __init__(self, *args, posting, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(
            Posting.objects.filter(translation_group=posting.translation_group).values_list("language", flat=True)
        )
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES if code not in taken]
