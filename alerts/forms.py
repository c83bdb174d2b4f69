from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Frequency, Subscription, normalized_email


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.DAILY, widget=forms.RadioSelect
    )

    def __init__(self, *args, query, **kwargs):
        super().__init__(*args, **kwargs)
        self.query = query

    def clean_email(self):
        return normalized_email(self.cleaned_data["email"])

    def clean(self):
        if len(self.query) > Subscription._meta.get_field("query").max_length:
            raise forms.ValidationError(_("These filters are too many to keep as an alert. Please choose fewer."))
        return super().clean()


class ManageForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["frequency", "paused"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": _("How often"), "paused": _("Pause this alert")}
