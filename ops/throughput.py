"""Throughput under gunicorn: requests per second of public pages, each against the "fortunes" reference view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobs100k uv run python -m ops.throughput [--seconds 10]
        [--connections 16] [--rounds 3] [--redis]

Serves the database of DATABASE_URL (read only) with gunicorn and gunicorn.conf.py (2 workers) on a free port, with
production settings and the benchmark's URLconf (jobs.benchmark, the reference view of `manage.py benchmark`); the
cache is each worker's local memory, or with --redis a Redis of its own shared by both. For each page, `rounds`
times: wrk loads the fortunes view for `seconds`, then the page; each page is asked for once before (warm), and each
round goes through all the pages. Printed: the median requests per second of each; the page's as a multiple of the
reference's measured just before it, in each round, and the median of those multiples (×), which a machine whose
speed drifts between rounds moves less than a ratio of the two medians. Needs wrk (`apt-get install wrk`).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack

from ops.http import Connection, posting_paths
from ops.services import Gunicorn, Redis, manage, production_environment

REFERENCE = "/benchmark/fortunes/"
PAGES = [
    ("listing", "/en/", {}),
    ("listing, htmx fragment", "/en/", {"HX-Request": "true"}),
    ("listing, 2 filters", "/en/?workplace=remote&employment=full_time", {}),
    ("search", "/en/?q=engineer", {}),
    ("listing, deep page", "/en/?page=40", {}),
    ("company page", None, {}),
    ("posting page", None, {}),
    ("feed", "/en/feed/", {}),
]
# Browsers ask for compressed pages; the application compresses them (GZipMiddleware).
HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def wrk(base_url, path, seconds, connections, headers):
    """Requests per second that wrk measured, and how many answers were not 2xx/3xx."""
    options = [option for name, value in {**HEADERS, **headers}.items() for option in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *options, base_url + path]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), int(failed.group(1)) if failed else 0


def pages(base_url):
    posting = posting_paths(base_url)[0]
    _status, _seconds, content, _headers = Connection(base_url).get(posting)
    company = re.search(rb'href="(/en/companies/[^"/]+/)"', content)
    chosen = {"posting page": posting, "company page": company.group(1).decode() if company else None}
    return [(label, path or chosen[label], headers) for label, path, headers in PAGES if path or chosen[label]]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", action="store_true", help="a Redis of its own as the cache")
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL must name the PostgreSQL database to serve")
    with ExitStack() as stack:
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="jobboard-throughput-"))
        redis_url = ""
        if arguments.redis:
            redis = Redis(directory)
            redis.start()
            stack.callback(redis.stop)
            redis_url = redis.url
        environment = production_environment(database_url, redis_url, DJANGO_SETTINGS_MODULE="ops.benchmark_settings")
        manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
        server = Gunicorn(directory, environment)
        server.start()
        stack.callback(server.stop)
        base_url = f"http://127.0.0.1:{server.port}"
        print(
            f"gunicorn.conf.py (2 workers), cache: {'Redis' if redis_url else 'local memory'}; wrk "
            f"{arguments.connections} connections, {arguments.seconds} s a run, {arguments.rounds} rounds\n"
        )
        print("| page | requests/s | fortunes requests/s | × (median) | × each round |\n|---|---:|---:|---:|---|")
        chosen = pages(base_url)
        for _label, path, headers in chosen:
            Connection(base_url).get(path, **headers)  # warm
        # Each round visits every page: a spell of the machine running slower falls on several pages, each one of its
        # rounds, rather than on every round of one page.
        figures = [[] for _page in chosen]  # per page, a (page, reference, failed) per round
        for _round in range(arguments.rounds):
            for (_label, path, headers), measured in zip(chosen, figures, strict=True):
                reference, _ = wrk(base_url, REFERENCE, arguments.seconds, arguments.connections, {})
                page, failed = wrk(base_url, path, arguments.seconds, arguments.connections, headers)
                measured.append((page, reference, failed))
        for (label, path, _headers), measured in zip(chosen, figures, strict=True):
            page = statistics.median(figure[0] for figure in measured)
            reference = statistics.median(figure[1] for figure in measured)
            ratios = [figure[0] / figure[1] for figure in measured]
            failures = sum(figure[2] for figure in measured)
            note = f" ({failures} failed)" if failures else ""
            rounds = ", ".join(f"{ratio:.2f}" for ratio in ratios)
            print(
                f"| {label} `{path}` | {page:.0f}{note} | {reference:.0f} | {statistics.median(ratios):.2f}× | {rounds} |"
            )


if __name__ == "__main__":
    main()
