"""Logging filters: what reaches stdout, one line per event where one line says it all."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (a 4xx such as 403 Permission denied) is one line: its
    traceback only shows where Django raised it. So is a 503 while the database cannot
    be reached (articles.views.server_error): the line names the cause. Other server
    errors keep their traceback."""

    def filter(self, record):
        status = getattr(record, "status_code", 500)
        if status == 503 and record.exc_info:
            record.msg = f"{record.msg} (database unavailable: %s)"
            record.args = (*record.args, str(record.exc_info[1]).strip().splitlines()[0])
        if status < 500 or status == 503:
            record.exc_info = record.exc_text = None
        return True
