"""A database that is down or hung fails requests fast.

The server's statement_timeout ends slow queries, but only a server that still runs can enforce it,
and psycopg has no client-side limit of its own. So while a request runs, every query it sends is
watched; one still unanswered past its deadline gets its connection's socket shut down, and psycopg
raises an OperationalError (a 503 page, core.middleware.DatabaseUnavailableMiddleware).

Such a query, or a failure that a new connection confirms, means the database is out: for the next
second the process answers 503 at once (`outage`) rather than have every request wait for the
timeouts again.
"""

import functools
import socket
import threading
import time
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections

from core.outages import Outage

outage = Outage("Database", retry_seconds=1)


def database_answers():
    """Whether the database takes a new connection and answers, within the connect timeout even when it hung."""
    checker = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with checker.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Error as error:
        outage.failed(error)
        return False
    finally:
        checker.close()
    outage.succeeded()
    return True


class QueryWatchdog:
    """Shuts down the socket of any watched query older than `seconds`, checking every `interval` seconds."""

    def __init__(self, seconds, interval=0.25):
        self.seconds = seconds
        self.interval = interval
        self.running = {}  # a token per query in flight: (deadline, socket file descriptor)
        self.lock = threading.Lock()
        self.thread = None

    def __call__(self, execute, sql, params, many, context):
        """An execute wrapper (connection.execute_wrapper): the query runs under watch."""
        token = object()
        with self.lock:
            self.running[token] = (time.monotonic() + self.seconds, context["connection"].connection.fileno())
            if self.thread is None:
                self.thread = threading.Thread(target=self.watch, name="query-watchdog", daemon=True)
                self.thread.start()
        try:
            return execute(sql, params, many, context)
        finally:
            with self.lock:
                del self.running[token]

    def watch(self):
        while True:
            time.sleep(self.interval)
            now = time.monotonic()
            # Under the lock a watched query has not returned, so its connection, and its descriptor, are still open.
            with self.lock:
                for deadline, descriptor in self.running.values():
                    if now > deadline:
                        with socket.fromfd(descriptor, socket.AF_INET, socket.SOCK_STREAM) as stuck:
                            stuck.shutdown(socket.SHUT_RDWR)
                        outage.failed(TimeoutError(f"a query got no answer within {self.seconds:g} s"))


@contextmanager
def watched(watchdog):
    """The block's PostgreSQL queries on this thread's connections run under `watchdog` (None: unwatched)."""
    with ExitStack() as stack:
        if watchdog is not None:
            for connection in connections.all():
                if connection.vendor == "postgresql":
                    stack.enter_context(connection.execute_wrapper(watchdog))
        yield


def deadline_watchdog():
    """A watchdog of queries at settings.DATABASE_QUERY_DEADLINE (None without a deadline)."""
    deadline = settings.DATABASE_QUERY_DEADLINE
    return QueryWatchdog(deadline) if deadline else None


# The watchdog of the queries that the site's own threads make outside requests.
background_watchdog = functools.cache(deadline_watchdog)
