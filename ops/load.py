"""Load: 50 visitors for 60 s over a realistic mix, through nginx to one or two gunicorn instances sharing
PostgreSQL and Redis; with two, an HR edit through one instance is checked through the other at once.

Starts its own stack (demo data; --postings adds generated ones). About 2 minutes:

    uv run python -m ops.load [--instances 2] [--clients 50] [--seconds 60] [--postings 0] [--direct]

--direct sends the load straight to gunicorn (one instance), without nginx and TLS.
"""

import argparse
import re
import subprocess
import time
from collections import defaultdict

from ops.http import Connection, Load, describe, posting_paths, visitor_mix
from ops.services import CHECKOUT, Stack

ADMIN_PASSWORD = "ops-load-admin-password"


def hr_edit_is_seen_by_the_other_instance(stack):
    """Archives a live posting in the admin of instance 1 and asks instance 2 for it right away."""
    subprocess.run(
        ["python", "manage.py", "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com"],
        cwd=CHECKOUT,
        env={**stack.environment, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
        check=True,
        capture_output=True,
    )
    first, second = (f"http://127.0.0.1:{instance.port}" for instance in stack.instances[:2])
    path = posting_paths(second)[0]
    slug = path.rstrip("/").rsplit("/", 1)[1]
    query = f"SELECT id FROM jobs_posting WHERE slug = '{slug}'"
    command = ["psql", "-h", "127.0.0.1", "-p", str(stack.postgres.port), "-U", "postgres", "-tAc", query, "jobs"]
    posting_id = subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    hr = Connection(first)
    token = hr.csrf_token("/admin/login/")
    hr.post_form("/admin/login/", {"csrfmiddlewaretoken": token, "username": "ops", "password": ADMIN_PASSWORD})
    token = hr.csrf_token("/admin/jobs/posting/")
    before = Connection(second).get(path)[0]
    status, _seconds, _content, _headers = hr.post_form(
        "/admin/jobs/posting/", {"csrfmiddlewaretoken": token, "action": "archive", "_selected_action": posting_id}
    )
    archived_at = time.monotonic()
    after, _seconds, _content, _headers = Connection(second).get(path)
    print(
        f"HR edit through instance 1: archive {path} -> {status}; instance 2 answered {before} before, "
        f"{after} {1000 * (time.monotonic() - archived_at):.0f} ms after"
    )
    return after == 410


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--postings", type=int, default=0)
    parser.add_argument("--direct", action="store_true")
    options = parser.parse_args()

    with Stack(instances=options.instances, nginx=not options.direct, postings=options.postings) as stack:
        ports = ", ".join(str(instance.port) for instance in stack.instances)
        front = "" if options.direct else f"nginx {stack.base_url} -> "
        print(
            f"{front}gunicorn on {ports} (2 workers x 4 threads each); {options.clients} clients for {options.seconds} s\n"
        )
        results = Load(stack.base_url, visitor_mix(stack.base_url), options.clients, options.seconds).run()
        by_kind = defaultdict(list)
        for result in results:
            by_kind[result[1]].append(result)
        for kind, kind_results in sorted(by_kind.items()):
            print(f"{kind:<9} {describe(kind_results)}")
        print(f"{'all':<9} {describe(results, options.seconds)}")
        errors = [result for result in results if result[2] != 200]
        print(f"\nerrors (not 200): {len(errors)}")
        if options.instances > 1:
            logs = "".join(instance.log_path.read_text() for instance in stack.instances)
            served = [
                len(re.findall(r'"logger": "core.requests"', instance.log_path.read_text()))
                for instance in stack.instances
            ]
            print(f"requests logged per instance: {served}; tracebacks in logs: {logs.count('Traceback')}")
            hr_edit_is_seen_by_the_other_instance(stack)


if __name__ == "__main__":
    main()
