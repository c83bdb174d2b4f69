import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.management.commands.seed_demo import seed
from jobs.models import Company, Posting
from jobs.permissions import ensure_hr_editor_group

DEMO_USERNAME = "hr-demo"


def ensure_demo_hr_user():
    """An HR editor of every demo company, given a new random password each time."""
    password = secrets.token_urlsafe(12)
    user, _created = get_user_model().objects.update_or_create(
        username=DEMO_USERNAME, defaults={"is_staff": True, "is_active": True, "email": "hr-demo@localhost"}
    )
    user.set_password(password)
    user.save()
    user.groups.set([ensure_hr_editor_group()])
    user.companies.set(Company.objects.all())
    return user, password


class Command(BaseCommand):
    help = "Run the site with demo data: migrate, load the demo postings if there are none, create an HR login, serve."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="Address and port to serve on.")

    def handle(self, *args, addrport, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not Posting.objects.exists():
            self.stdout.write(f"Loaded {seed()} demo postings.")
        user, password = ensure_demo_hr_user()
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nJob board: http://{host}/\n"
                f"Admin:     http://{host}/admin/\n"
                f"HR login:  {user.username} / {password}\n"
            )
        )
        call_command("runserver", addrport, use_reloader=False)
