"""The admin login: its form, how django-axes sees an attempt, and the page of a locked-out username (settings.AXES_*)."""

import math

from axes.conf import settings
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from django.forms.utils import ErrorDict
from django.shortcuts import render

USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempted_username(request, credentials=None):
    """The username tried, cut to what axes' records hold: longer ones belong to no account anyway."""
    username = (credentials or request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username and username[:USERNAME_MAX_LENGTH]


class LoginForm(AdminAuthenticationForm):
    """The admin login form: credentials no account can have (too long, with a NUL) get the answer a wrong password gets."""

    MALFORMED = {"max_length", "null_characters_not_allowed"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the username's max_length after building the field, so its validator is missing.
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))

    def full_clean(self):
        super().full_clean()
        codes = {error.code for errors in self.errors.as_data().values() for error in errors}
        if codes & self.MALFORMED:
            self._errors = ErrorDict()
            self.add_error(None, self.get_invalid_login_error())


def locked_out(request, original_response=None, credentials=None):
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(get_cool_off(request).total_seconds() / 60),
    }
    return render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
