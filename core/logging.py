"""What every log record says about the request it was logged in."""

import logging
from contextvars import ContextVar

request_id = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being served (core.middleware.RequestLogMiddleware), if any, to each record."""

    def filter(self, record):
        if (current := request_id.get()) is not None:
            record.request_id = current
        return True
