"""A service that stopped answering: skipped for a few seconds after each failure instead of waited on again."""

import logging
import threading
import time

logger = logging.getLogger(__name__)


class Outage:
    """Whether `service` is failing, shared by the threads of a process; its start and its end are logged once each."""

    def __init__(self, service, retry_seconds):
        self.service = service
        self.retry_seconds = retry_seconds
        self.lock = threading.Lock()
        self.retry_at = None  # monotonic time of the next try while failing, else None

    def skipping(self):
        """True for `retry_seconds` after a failure: callers answer without the service."""
        retry_at = self.retry_at
        return retry_at is not None and time.monotonic() < retry_at

    def failed(self, error):
        with self.lock:
            if self.retry_at is None:
                first_line = next(iter(str(error).strip().splitlines()), "")
                logger.warning("%s unavailable: %s: %s", self.service, type(error).__name__, first_line)
            self.retry_at = time.monotonic() + self.retry_seconds

    def succeeded(self):
        if self.retry_at is not None:
            with self.lock:
                if self.retry_at is not None:
                    logger.info("%s available again", self.service)
                    self.retry_at = None
