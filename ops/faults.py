"""Faults of the real services: Redis down and hung, PostgreSQL stopped, restarted and hung, under a steady load.

Starts its own PostgreSQL and Redis on free ports (never the machine's), gunicorn against them, and
prints, phase by phase, what visitors got (statuses, latencies), what /healthz answered and in how
long, and what the app logged. About 3 minutes:

    uv run python -m ops.faults
"""

import re
import threading
import time
from collections import Counter

from ops.http import Connection, Load, describe, visitor_mix
from ops.services import Stack

CLIENTS = 8


class HealthProbe:
    """Calls /healthz once a second, as a load balancer does, with its own 5-second timeout."""

    def __init__(self, base_url):
        self.connection = Connection(base_url, timeout=5)
        self.answers = []  # (monotonic time, status, seconds)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stopping.is_set():
            status, seconds, _content, _headers = self.connection.request(
                "GET", "/healthz", headers={"Host": "10.0.0.9"}
            )
            self.answers.append((time.monotonic(), status, seconds))
            self.stopping.wait(max(0.0, 1 - seconds))

    def between(self, start, end):
        answers = [answer for answer in self.answers if start <= answer[0] < end]
        statuses = Counter("failed" if status is None else status for _at, status, _seconds in answers)
        slowest = max((seconds for _at, _status, seconds in answers), default=0) * 1000
        return (
            " ".join(f"{status}:{count}" for status, count in sorted(statuses.items(), key=str))
            + f" (slowest {slowest:.0f} ms)"
        )


def log_counts(text):
    """What the app logged besides its request lines: outages and recoveries (once per worker process), errors."""
    return {
        "outage": len(re.findall(r'"logger": "core.outages", "message": "[^"]* unavailable', text)),
        "recovered": len(re.findall(r'"logger": "core.outages", "message": "[^"]* available again', text)),
        "ERROR lines": len(re.findall(r'"level": "ERROR"', text)),
        "tracebacks": text.count("Traceback"),
        "worker timeouts": text.count("WORKER TIMEOUT"),
    }


def main():
    with Stack() as stack:
        instance = stack.instances[0]
        base = stack.base_url
        load = Load(base, visitor_mix(base), CLIENTS).start()
        probe = HealthProbe(base)
        probe.thread.start()
        print(
            f"gunicorn on {base} ({CLIENTS} clients, listing/filters/search/posting/feed/sitemap); PostgreSQL on "
            f"{stack.postgres.port}, Redis on {stack.redis.port}\n"
        )

        def phase(name, seconds, action=None):
            log_before = instance.log_path.read_text()
            if action:
                action()
            start = time.monotonic()
            time.sleep(seconds)
            end = time.monotonic()
            log = instance.log_path.read_text()[len(log_before) :]
            counts = ", ".join(f"{count} {name}" for name, count in log_counts(log).items() if count)
            results = load.between(start, end)
            print(f"{name:<38} {describe(results, end - start)}")
            failing = [at - start for at, _kind, status, _seconds in results if status != 200]
            if failing:
                print(f"{'':<38} answers other than 200 from +{min(failing):.1f} s to +{max(failing):.1f} s")
            print(f"{'':<38} /healthz {probe.between(start, end)}; logged: {counts or 'nothing else'}")

        def french_page_while_down():
            status, _seconds, content, headers = Connection(base).get("/fr/")
            print(
                f"{'':<38} /fr/ while down: {status}, Retry-After {headers.get('Retry-After')}, "
                f"French page: {'Réessayer' in content.decode()}"
            )

        phase("baseline", 10)
        phase("Redis stopped", 15, stack.redis.stop)
        phase("Redis started again", 10, stack.redis.start)
        phase("Redis hung (SIGSTOP)", 15, stack.redis.pause)
        phase("Redis resumed (SIGCONT)", 10, stack.redis.resume)
        phase("PostgreSQL stopped", 10, stack.postgres.stop)
        french_page_while_down()
        phase("PostgreSQL started again", 10, stack.postgres.start)
        phase("PostgreSQL restarted (pg_ctl restart)", 10, stack.postgres.restart)
        phase("PostgreSQL hung (SIGSTOP, all processes)", 20, stack.postgres.pause)
        phase("PostgreSQL resumed (SIGCONT)", 10, stack.postgres.resume)
        probe.stopping.set()
        load.stop()
        print(
            f"\ngunicorn was never restarted: same arbiter process {instance.process.pid}, still running: "
            f"{instance.process.poll() is None}"
        )


if __name__ == "__main__":
    main()
