#!/usr/bin/env python
import os
import sys

# Commands only development uses run in debug mode unless told otherwise; everything else
# (migrate, collectstatic, check, the servers of production) fails closed.
DEVELOPMENT_COMMANDS = {
    "demo",
    "runserver",
    "seed_demo",
    "generate_postings",
    "makemigrations",
    "makemessages",
    "compilemessages",
}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if DEVELOPMENT_COMMANDS.intersection(sys.argv[1:2]):
        os.environ.setdefault("DJANGO_DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
