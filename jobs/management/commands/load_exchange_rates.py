from django.core.management.base import BaseCommand, CommandError

from jobs.rates import SHIPPED_RATES, RatesFileError, load_rates, read_rates_file


class Command(BaseCommand):
    help = (
        "Replace the exchange rates with those of an ECB reference rates CSV file (eurofxref.csv) and recompute every "
        "posting's yearly salary. A malformed file, or one lacking a currency that postings use, is refused and the "
        "rates stay as they were."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default=SHIPPED_RATES, help="The rates file; by default the one shipped with the code."
        )

    def handle(self, *args, file, **options):
        try:
            rates = read_rates_file(file)
            updated = load_rates(rates)
        except RatesFileError as problem:
            raise CommandError(f"{file}: {problem} The exchange rates were not changed.") from problem
        postings = sum(count for _currency, count in updated)
        self.stdout.write(
            f"Loaded {len(rates.rates)} exchange rates of {rates.date.isoformat()}; "
            f"recomputed the yearly salary of {postings} postings."
        )
