from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Frequency, Subscription, normalized_email


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.DAILY, widget=forms.RadioSelect
    )

    def clean_email(self):
        return normalized_email(self.cleaned_data["email"])


class ManageForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["frequency", "paused"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": _("How often"), "paused": _("Pause this alert")}
