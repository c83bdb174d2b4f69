"""Password spraying against the admin login while visitors browse: do public pages stay fast?

Starts its own stack (PostgreSQL, Redis, gunicorn with 2 workers x 4 threads, nginx in front), then:
visitors alone; visitors while 8 connections post wrong passwords for made-up usernames (each a
login page and a POST) straight to gunicorn, at 6 attempts a second (the app's per-address limit)
and as fast as they are answered; the same through nginx (nginx's limit first). About 2 minutes:

    uv run python -m ops.spray
"""

import random
import subprocess
import threading
import time
from collections import Counter

from ops.http import Connection, Load, describe, visitor_mix
from ops.services import Stack

SPRAYERS = 8
PHASE_SECONDS = 20


def spray(base_url, stopping, answers, number, pause):
    rng = random.Random(number)
    connection = Connection(base_url)
    while not stopping.wait(pause):
        token = connection.csrf_token("/admin/login/")
        fields = {"csrfmiddlewaretoken": token, "username": f"user{rng.randrange(10**6)}", "password": "Winter2026!"}
        status, _seconds, _content, _headers = connection.post_form("/admin/login/", fields)
        answers.append(status)


def lockout_records(stack):
    query = "SELECT count(*) FROM axes_accessattempt"
    command = ["psql", "-h", "127.0.0.1", "-p", str(stack.postgres.port), "-U", "postgres", "-tAc", query, "jobs"]
    return int(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main():
    with Stack(nginx=True) as stack:
        direct = f"http://127.0.0.1:{stack.instances[0].port}"
        visitors = Load(direct, visitor_mix(direct), clients=4).start()
        print(f"gunicorn {direct}, nginx {stack.base_url}; 4 visitors on gunicorn, {SPRAYERS} sprayers\n")

        def phase(name, target=None, per_second=None):
            pause = SPRAYERS / per_second if per_second else 0
            stopping, answers = threading.Event(), []
            sprayers = [
                threading.Thread(target=spray, args=(target, stopping, answers, n, pause), daemon=True)
                for n in range(SPRAYERS if target else 0)
            ]
            for thread in sprayers:
                thread.start()
            start = time.monotonic()
            time.sleep(PHASE_SECONDS)
            end = time.monotonic()
            stopping.set()
            for thread in sprayers:
                thread.join()
            print(f"{name:<34} visitors: {describe(visitors.between(start, end), end - start)}")
            if target:
                statuses = Counter("failed" if status is None else status for status in answers)
                print(
                    f"{'':<34} login POSTs: {len(answers)} ({len(answers) / (end - start):.1f}/s) "
                    + " ".join(f"{status}:{count}" for status, count in sorted(statuses.items(), key=str))
                    + f"; passwords checked: {statuses.get(200, 0)}; lockout records: {lockout_records(stack)}"
                )

        phase("no spraying")
        phase("spraying gunicorn, 6/s", direct, per_second=6)
        phase("spraying gunicorn, flat out", direct)
        phase("spraying through nginx, 6/s", stack.base_url, per_second=6)
        phase("spraying through nginx, flat out", stack.base_url)
        visitors.stop()


if __name__ == "__main__":
    main()
