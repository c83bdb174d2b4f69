from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.demo import ensure_demo_hr_user, seed
from jobs.models import Posting


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
