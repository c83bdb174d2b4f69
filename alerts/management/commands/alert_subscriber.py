import json

from django.core.management.base import BaseCommand

from alerts import subscribers


class Command(BaseCommand):
    help = "A subscriber's job alert data by e-mail address: `export` prints it as JSON, `erase` deletes it."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")

    def handle(self, *args, action, email, **options):
        if action == "export":
            self.stdout.write(json.dumps(subscribers.export(email), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(f"{subscribers.erase(email)} alerts erased.")
