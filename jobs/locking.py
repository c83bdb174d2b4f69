"""Row locks that wait for a colleague's save a few seconds at most.

A save holds its posting's row lock until it commits. A second save of the same posting waits for it; should
the first take longer than LOCK_WAIT, the second gives up with Busy rather than run into the statement
timeout, which would answer 503 and throw away what its author typed: the caller says "being saved, try
again" and keeps the form.
"""

from django.db import OperationalError, connections, transaction

LOCK_WAIT = 3  # seconds, under the statement timeout (DJANGO_DB_STATEMENT_TIMEOUT, 5 s by default)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout passes


class Busy(Exception):
    """The row stayed locked by another transaction for LOCK_WAIT seconds."""


def first_locked(queryset):
    """The first row of `queryset` (select_for_update), or Busy after LOCK_WAIT seconds of waiting for it. Call it
    inside the transaction the lock is for: the lock lasts until that transaction ends."""
    connection = connections[queryset.db]
    waits = connection.vendor == "postgresql"  # SQLite serialises every write: there is no row lock to wait for
    try:
        # A savepoint: a lock wait given up leaves the caller's transaction usable, and takes its setting with it.
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            if waits:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{LOCK_WAIT * 1000:.0f}ms"])
            row = queryset.select_for_update().first()
            if waits:
                cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise Busy from error
        raise
    return row
