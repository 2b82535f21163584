"""Logging filters: what reaches stdout, one line per event where one line says it all."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (a 4xx such as 403 Permission denied) is one line: its
    traceback only shows where Django raised it. Server errors keep theirs."""

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = record.exc_text = None
        return True
