"""Request ids: one per request, on every log line and in the X-Request-ID header.

Imported by the logging configuration, so it must not import models.
"""

import contextvars
import logging
import re
import uuid

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give each request an id (the proxy's X-Request-ID if sane, else a new one),
    send it back in the response and put it on every log line of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = assign(request.META.get("HTTP_X_REQUEST_ID", ""))
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


def assign(incoming):
    """This request's id: the proxy's X-Request-ID if sane, else a new one; on every log
    line from here on. Not reset on the way out: Django logs 4xx/5xx responses after the
    middleware chain returns. The next request on this thread sets its own id."""
    request_id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    REQUEST_ID.set(request_id)
    return request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True
