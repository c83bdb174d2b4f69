import functools

from babel import Locale
from babel.numbers import format_currency, get_currency_symbol
from django import template
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobs.models import Requirement, SalaryBasis, SalaryPeriod, Workplace

register = template.Library()


# CLDR's minimumGroupingDigits where it is 2 (Babel does not carry it): Spanish writes 4000 but 40.000.
MINIMUM_GROUPING_DIGITS = {"es": 2, "pl": 2, "pt_PT": 2}


@functools.lru_cache(maxsize=4096)
def money(amount, currency, locale):
    """An amount in the locale's currency format as CLDR writes it, without decimals when it is whole; remembered,
    as salaries repeat (round figures) and Babel takes tens of microseconds to format one.

    Two CLDR rules that Babel leaves out: the minimum grouping digits ("4000 US$" in Spanish), and the
    currency spacing that puts a no-break space between a symbol made of letters and the number ("CHF 105,000").
    """
    pattern = locale.currency_formats["standard"].pattern
    if amount == amount.to_integral_value():
        pattern = pattern.replace(".00", "")
    grouped = abs(amount) >= 10 ** (2 + MINIMUM_GROUPING_DIGITS.get(str(locale), 1))
    text = format_currency(
        amount, currency, format=pattern, locale=locale, currency_digits=False, group_separator=grouped
    )
    symbol = get_currency_symbol(currency, locale)
    if pattern.startswith("¤") and symbol[-1].isalpha() and text.startswith(symbol):
        text = f"{symbol}\u00a0{text.removeprefix(symbol)}"
    return text


def current_locale():
    return locale_of(translation.get_language() or "en")


@functools.cache
def locale_of(language):
    """Babel's locale of a language code (parsing it anew took a tenth of a millisecond)."""
    return Locale.parse(translation.to_locale(language))


@register.filter
def machine_readable(moment):
    """A moment as a <time> element's datetime attribute gives it, in the site's time zone:
    "2026-11-28T09:30:00+01:00". Ten times quicker than the date filter, which reads a format string on every call."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


@register.filter
def posted(moment):
    """When a posting was published, by calendar day in the site's time zone: "Posted today", "Posted 3 days ago".

    Counted in days between dates, not in 24-hour spans: a posting from last night was posted yesterday.
    """
    days = (timezone.localdate() - timezone.localdate(moment)).days
    if days <= 0:
        return _("Posted today")
    if days == 1:
        return _("Posted yesterday")
    return ngettext("Posted %(days)s day ago", "Posted %(days)s days ago", days) % {"days": days}


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


@register.simple_tag
def pay_details(posting):
    """What a posting's page says about its pay besides the range: gross or net, bonus, equity, allowances, agreement."""
    locale = current_locale()
    details = [SalaryBasis(posting.salary_basis).label.capitalize()] if posting.has_salary else []
    if posting.bonus_percent:
        details.append(_("Target bonus: %(percent)s%% of the salary") % {"percent": posting.bonus_percent})
    if posting.equity:
        details.append(_("Equity (shares or stock options)"))
    if posting.allowances and posting.salary_currency:
        amount = money(posting.allowances, posting.salary_currency, locale)
        details.append(_("Allowances: %(amount)s per year") % {"amount": amount})
    if posting.collective_agreement:
        details.append(_("Collective agreement: %(agreement)s") % {"agreement": posting.collective_agreement})
    return details


def grouped(items, field, choices):
    """[(choice, its items)] for the `choices` that some of `items` have as `field`, items in HR's order."""
    groups = {}
    for item in items:
        groups.setdefault(getattr(item, field), []).append(item)
    return [(choice, groups[choice]) for choice in choices if choice in groups]


@register.filter
def by_kind(items):
    """Items grouped by kind (a member of their Kind choices), kinds in the order the choices declare them."""
    items = list(items)
    return grouped(items, "kind", type(items[0]).Kind) if items else []


@register.filter
def by_priority(requirements):
    """Requirements grouped by priority: what is required, then what is nice to have."""
    return grouped(requirements, "priority", Requirement.Priority)


@register.simple_tag
def experience_range(posting):
    """The years of experience the posting asks for: "8+ years of experience", "8–12 years of experience"."""
    low, high = posting.experience_years, posting.experience_years_max
    if not low and not high:
        return ""
    if high is not None and high != low:
        return ngettext("%(low)s–%(high)s year of experience", "%(low)s–%(high)s years of experience", high) % {
            "low": low,
            "high": high,
        }
    return ngettext("%(years)s+ year of experience", "%(years)s+ years of experience", low) % {"years": low}


@register.filter
def thousands(count):
    """A number with its thousands grouped as the active language writes them: "24,939", "24 939", "24.939"."""
    return formats.number_format(count, force_grouping=True)


@register.simple_tag
def results_heading(count, filterset):
    """What the listing shows, as one translatable phrase: "12 jobs", "12 remote jobs in Germany matching “python”".

    The place is the location typed, else the one country chosen.
    """
    chosen = filterset.chosen_values("workplace", "country")
    remote = chosen.get("workplace") == [Workplace.REMOTE]
    countries = chosen.get("country", [])
    if filterset.place:
        place = filterset.place.name
    elif len(countries) == 1:
        place = dict(filterset.form.fields["country"].choices)[countries[0]]
    else:
        place = ""
    words = filterset.search_text
    values = {"count": thousands(count), "place": place, "words": words}
    match (remote, bool(place), bool(words)):
        case (False, False, False):
            phrase = ngettext("%(count)s job", "%(count)s jobs", count)
        case (True, False, False):
            phrase = ngettext("%(count)s remote job", "%(count)s remote jobs", count)
        case (False, True, False):
            phrase = ngettext("%(count)s job in %(place)s", "%(count)s jobs in %(place)s", count)
        case (True, True, False):
            phrase = ngettext("%(count)s remote job in %(place)s", "%(count)s remote jobs in %(place)s", count)
        case (False, False, True):
            phrase = ngettext("%(count)s job matching “%(words)s”", "%(count)s jobs matching “%(words)s”", count)
        case (True, False, True):
            phrase = ngettext(
                "%(count)s remote job matching “%(words)s”", "%(count)s remote jobs matching “%(words)s”", count
            )
        case (False, True, True):
            phrase = ngettext(
                "%(count)s job in %(place)s matching “%(words)s”",
                "%(count)s jobs in %(place)s matching “%(words)s”",
                count,
            )
        case _:
            phrase = ngettext(
                "%(count)s remote job in %(place)s matching “%(words)s”",
                "%(count)s remote jobs in %(place)s matching “%(words)s”",
                count,
            )
    return phrase % values
