"""Instructions per cold request: the work of the application's own process for a page, counted by valgrind's
callgrind, the same from run to run where times are not (a shared machine lends its cores to others).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobs100k uv run python -m ops.instructions [--requests 6]
        [--kinds listing,search,filters]

For each kind of page, a process with production settings runs under callgrind (about a minute a kind; needs
valgrind: `apt-get install valgrind`): it serves each of the kind's pages once, to compile the templates and read
the facet index of the language, then, counted, `requests` pages of the kind that no request asked for (the
unfiltered listing with the cache emptied before each). The database's work is another process's and is not
counted: what is counted is Python's, the templates', the ORM's, the driver's. Printed: millions of instructions
per request, for comparing two versions of the code on the same database.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ops.services import CHECKOUT, production_environment

KINDS = ("listing", "search", "filters")
LANGUAGE = "fr"


def pages(kind, catalogue, requests):
    """The paths of `requests` cold pages of `kind`, and whether the cache is emptied before each."""
    values = catalogue.filters[LANGUAGE]
    if kind == "listing":
        return [f"/{LANGUAGE}/"] * requests, True
    if kind == "search":
        words = catalogue.common_words[LANGUAGE] + catalogue.rare_words[LANGUAGE]
        return [f"/{LANGUAGE}/?q={word}" for word in words[1 : requests + 1]], False
    pairs = [(name, value) for name in ("employment", "workplace", "seniority") for value in values[name]]
    return [
        f"/{LANGUAGE}/?{name}={value}&country={country}"
        for (name, value), country in zip(pairs[1:], values["country"][1:], strict=False)
    ][:requests], False


def serve(kind, requests, sync):
    """In the counted process: warm up, say so, wait to be counted, then serve the kind's pages."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from jobs.benchmark import Catalogue

    client = Client(HTTP_HOST="127.0.0.1")
    paths, emptied = pages(kind, Catalogue.read(), requests + 1)
    if len(paths) <= requests:
        sys.exit(f"Too few {kind} pages in this database.")
    client.get(paths[0], secure=True)  # the warm-up's, not counted
    cache.clear()
    (sync / "ready").touch()
    while not (sync / "go").exists():
        time.sleep(0.05)
    for path in paths[1:]:
        if emptied:
            cache.clear()
        response = client.get(path, secure=True)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}")


def count(kind, requests, database_url):
    """Millions of instructions per request of `kind`."""
    with tempfile.TemporaryDirectory() as directory:
        sync, output = Path(directory), Path(directory) / "callgrind.out"
        environment = production_environment(
            database_url, "", PYTHONHASHSEED="0", DJANGO_SETTINGS_MODULE="config.settings"
        )
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={output}"]
        command += [
            sys.executable,
            "-m",
            "ops.instructions",
            "--serve",
            kind,
            "--requests",
            str(requests),
            "--sync",
            directory,
        ]
        process = subprocess.Popen(command, cwd=CHECKOUT, env=environment, stderr=subprocess.PIPE, text=True)
        while not (sync / "ready").exists():
            if process.poll() is not None:
                sys.exit(process.stderr.read())
            time.sleep(0.5)
        subprocess.run(["callgrind_control", "--instr=on", str(process.pid)], check=True, capture_output=True)
        (sync / "go").touch()
        _output, errors = process.communicate()
        if process.returncode:
            sys.exit(errors)
        totals = [line for line in errors.splitlines() if "Collected :" in line]
        return int(totals[-1].split()[-1]) / requests / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=6)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--sync", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        return serve(options.serve, options.requests, options.sync)
    for kind in options.kinds.split(","):
        figure = count(kind, options.requests, os.environ["DATABASE_URL"])
        print(f"{kind:10} {figure:7.1f} M instructions per request", flush=True)


if __name__ == "__main__":
    main()
