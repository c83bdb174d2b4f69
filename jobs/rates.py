"""Exchange rates: reading a file of the ECB's euro reference rates, and loading it into the rates table.

The format is the ECB's daily CSV (eurofxref.csv): a header row "Date, USD, JPY, …" and one row
"31 December 2024, 1.0389, 163.06, …", each rate the units of that currency one euro buys.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from jobs import catalogue
from jobs.models import BASE_CURRENCY, ExchangeRate, Posting

SHIPPED_RATES = Path(__file__).resolve().parent / "data" / "ecb-reference-rates.csv"
CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# What ExchangeRate.rate holds: 18 digits, 6 of them decimals.
MAX_RATE = Decimal(10) ** 12


class RatesFileError(ValueError):
    """A rates file that cannot be used; its message says why."""


@dataclass
class Rates:
    date: date
    rates: dict  # {currency: units per euro}


def read_rates(content):
    """The Rates of the text of an ECB reference rates CSV file; RatesFileError if it is not one."""
    rows = [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(content)) if any(cell.strip() for cell in row)
    ]
    rows = [row[:-1] if row and not row[-1] else row for row in rows]  # the ECB ends each row with a comma
    if len(rows) != 2 or not rows[0] or rows[0][0] != "Date":
        raise RatesFileError(_("Expected a header row starting with “Date” and one row of rates."))
    header, values = rows
    if len(values) != len(header):
        raise RatesFileError(
            _("The row of rates has %(values)s values for %(columns)s columns.")
            % {
                "values": len(values),
                "columns": len(header),
            }
        )
    try:
        day = datetime.strptime(values[0], "%d %B %Y").date()
    except ValueError:
        raise RatesFileError(
            _("Expected a date such as “31 December 2024”, not “%(value)s”.") % {"value": values[0]}
        ) from None
    rates = {}
    for currency, value in zip(header[1:], values[1:], strict=True):
        if not CURRENCY_CODE.fullmatch(currency) or currency == BASE_CURRENCY:
            raise RatesFileError(_("“%(code)s” is not a currency code other than EUR.") % {"code": currency})
        if currency in rates:
            raise RatesFileError(_("%(code)s is given twice.") % {"code": currency})
        rates[currency] = rate(currency, value)
    if not rates:
        raise RatesFileError(_("The file has no rates."))
    return Rates(day, rates)


def rate(currency, value):
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 < number < MAX_RATE:
        raise RatesFileError(
            _("The rate of %(code)s, “%(value)s”, is not a positive number.")
            % {
                "code": currency,
                "value": value,
            }
        )
    return number.quantize(Decimal("0.000001"))


def read_rates_file(path):
    try:
        content = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise RatesFileError(_("Cannot read %(path)s: %(problem)s") % {"path": path, "problem": problem}) from None
    return read_rates(content)


def currencies_in_use():
    """The currencies of postings' salaries that the rates table converts now."""
    rated = ExchangeRate.objects.values("currency")
    return set(
        Posting.objects.with_salary().filter(salary_currency__in=rated).values_list("salary_currency", flat=True)
    )


@transaction.atomic
def load_rates(new):
    """Replace the rates table with `new` and recompute every posting's yearly salary: [(currency, postings)].

    Refused with RatesFileError, the table kept as it was, if `new` lacks a currency that postings use.
    """
    ExchangeRate.objects.select_for_update().count()  # one refresh at a time
    if missing := sorted(currencies_in_use() - set(new.rates)):
        raise RatesFileError(
            _("The file has no rate for %(codes)s, which postings use.") % {"codes": ", ".join(missing)}
        )
    ExchangeRate.objects.all().delete()
    ExchangeRate.objects.bulk_create(
        ExchangeRate(currency=currency, rate=value, date=new.date) for currency, value in new.rates.items()
    )
    refreshed = Posting.objects.refresh_yearly_salaries(ExchangeRate.objects.rates())
    catalogue.bump()  # the listing's salary floor compares with the recomputed amounts
    return refreshed
