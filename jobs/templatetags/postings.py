from babel import Locale
from babel.dates import format_timedelta
from babel.numbers import format_currency, get_currency_symbol
from django import template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jobs.models import SalaryPeriod

register = template.Library()


def money(amount, currency, locale):
    """An amount in the locale's currency format, without decimals when it is whole."""
    pattern = locale.currency_formats["standard"].pattern
    if amount == amount.to_integral_value():
        pattern = pattern.replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def current_locale():
    return Locale.parse(translation.to_locale(translation.get_language() or "en"))


@register.filter
def ago(moment):
    """How long ago `moment` was, in words of the active language: "3 days ago", "il y a 3 jours"."""
    return format_timedelta(moment - timezone.now(), add_direction=True, locale=current_locale())


@register.simple_tag
def salary_range(posting):
    """A posting's salary, e.g. "€75,000–€95,000 per year" or "75 000–95 000 € par an"."""
    if not posting.has_salary:
        return ""
    locale = current_locale()
    low, high = posting.salary_min, posting.salary_max
    currency = posting.salary_currency
    if low is not None and high is not None and low != high:
        low_text = money(low, currency, locale)
        if not locale.currency_formats["standard"].pattern.startswith("¤"):
            # A trailing symbol is said once for the range: "75 000–95 000 €".
            low_text = low_text.replace(get_currency_symbol(currency, locale), "").strip()
        amount = f"{low_text}–{money(high, currency, locale)}"
    elif low is not None and high is not None:
        amount = money(low, currency, locale)
    elif low is not None:
        amount = _("from %(amount)s") % {"amount": money(low, currency, locale)}
    else:
        amount = _("up to %(amount)s") % {"amount": money(high, currency, locale)}
    period = SalaryPeriod(posting.salary_period).label if posting.salary_period else ""
    return f"{amount} {period}".strip()


@register.filter
def by_kind(items):
    """Items grouped by kind, kinds in the order they first appear, items in HR's order."""
    groups = {}
    for item in items:
        groups.setdefault(item.get_kind_display(), []).append(item)
    return groups.items()
