"""Forms: text input made clean, the HR admin's posting form that refuses lost updates, ordered item formsets, and a
list of checkboxes to choose from many."""

from django import forms
from django.conf import settings
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from jobs.locking import Busy, first_locked
from jobs.models import Posting
from jobs.richtext import split_items
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


class FilteredCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes in a box that scrolls, the chosen ones first, with a filter box above them (with JavaScript).

    For the admin's many-choice fields instead of its autocomplete widget, with which nothing can be chosen without
    JavaScript, and its filter_horizontal one, a Ctrl-click list without it; in both, axe finds controls without
    a name or with a prohibited one.
    """

    template_name = "jobs/widgets/filtered_checkboxes.html"

    class Media:
        js = ["jobs/admin/filtered_checkboxes.js"]
        css = {"all": ["jobs/admin/filtered_checkboxes.css"]}

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        return sorted(groups, key=lambda group: not any(option["selected"] for option in group[1]))


BUSY = _("Someone else is saving this posting at this moment. Your changes are not saved yet: save again in a moment.")


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
            try:
                current = first_locked(Posting.objects.filter(pk=self.instance.pk).values("version"))
            except Busy:
                raise ValidationError(BUSY, code="busy") from None
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


def items_from(text, template):
    """Unsaved copies of the item `template`, one per entry of the pasted `text` (jobs.richtext.split_items)."""
    return [template.copy(text=entry) for entry in split_items(text)]


def validation_errors(items, first_number=1):
    """The reasons `items` cannot be saved, each naming its item ("Item 3: …"); none if all can."""
    errors = []
    for number, item in enumerate(items, start=first_number):
        try:
            item.full_clean(exclude=["posting", "position"])
        except ValidationError as error:
            errors.append(
                gettext("Item %(number)s: %(reasons)s") % {"number": number, "reasons": " ".join(error.messages)}
            )
    return errors


class ItemPasteForm(CleanForm):
    """Lists pasted into one section of a posting: a box per kind of item (and per priority, where items have one)."""

    MAX_ITEMS = 100

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.boxes = {}
        for values, label in self.kinds(model):
            name = "-".join(values.values()) or "items"
            self.boxes[name] = values
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            )

    @staticmethod
    def kinds(model):
        """[({item field: value}, label)] of each box; a required item's box is named by its kind alone."""
        if not hasattr(model, "kind"):
            return [({}, capfirst(model._meta.verbose_name_plural))]
        kinds = model._meta.get_field("kind").choices
        if not hasattr(model, "priority"):
            return [({"kind": kind}, capfirst(label)) for kind, label in kinds]
        priorities = model._meta.get_field("priority")
        return [
            (
                {"kind": kind} if priority == priorities.default else {"kind": kind, "priority": priority},
                capfirst(label) if priority == priorities.default else f"{capfirst(label)} ({priority_label.lower()})",
            )
            for priority, priority_label in priorities.choices
            for kind, label in kinds
        ]

    def clean(self):
        cleaned_data = super().clean()
        self.items = []
        for name, text in list(cleaned_data.items()):
            items = items_from(text, self.model(**self.boxes[name]))
            for error in validation_errors(items):
                self.add_error(name, error)
            self.items.extend(items)
        if len(self.items) > self.MAX_ITEMS:
            raise ValidationError(
                ngettext(
                    "Paste at most %(max)d item at a time (these are %(count)d).",
                    "Paste at most %(max)d items at a time (these are %(count)d).",
                    self.MAX_ITEMS,
                )
                % {"max": self.MAX_ITEMS, "count": len(self.items)}
            )
        return cleaned_data


class ItemFormSet(BaseInlineFormSet):
    """A posting's ordered items: a new item whose position is left empty goes last.

    A row that receives several lines becomes one item per line, in its place; lists pasted into the paste form
    (when the inline lets the user add items: `accepts_paste`) are added after the last item.
    """

    accepts_paste = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paste_form = (
            ItemPasteForm(self.data if self.is_bound else None, prefix=f"{self.prefix}-paste", model=self.model)
            if self.accepts_paste
            else None
        )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False
        form.fields["position"].initial = None
        form.fields["position"].widget.attrs.update({"class": "item-position", "min": 0})
        if "DELETE" in form.fields:
            # The table's "Delete?" column header, said on each row's box too.
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete?")

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
        for form in kept:
            if "text" in form.changed_data and form.cleaned_data.get("text"):
                self.split(form)
        if self.paste_form is not None and not self.paste_form.is_valid():
            raise ValidationError(_("Some pasted items cannot be added: see below the table."), code="paste")

    def split(self, form):
        """Keep the first entry of the row's text in the row; the others become `form.more_items`."""
        first, *form.more_items = items_from(form.cleaned_data["text"], form.instance)
        form.instance.text = form.cleaned_data["text"] = first.text
        for error in validation_errors(form.more_items, first_number=2):
            form.add_error("text", error)

    def save(self, commit=True):
        saved = super().save(commit)
        following = {form.instance.pk: form.more_items for form in self.forms if getattr(form, "more_items", None)}
        pasted = self.paste_form.items if self.paste_form else []
        if following or pasted:
            self.place(following, pasted)
        return saved

    def place(self, following, pasted):
        """Save the new items `following` their row and `pasted` after the last, numbering every item 1, 2, 3…"""
        order = []
        for item in self.model.objects.filter(posting=self.instance):
            order += [item, *following.get(item.pk, [])]
        for position, item in enumerate([*order, *pasted], start=1):
            if item.pk is None:
                item.posting, item.position = self.instance, position
                item.save()
                self.new_objects.append(item)
            elif item.position != position:
                item.position = position
                item.save(update_fields=["position"])


class TranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Translate into"))

    def __init__(self, *args, posting, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(
            Posting.objects.filter(translation_group=posting.translation_group).values_list("language", flat=True)
        )
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES if code not in taken]
