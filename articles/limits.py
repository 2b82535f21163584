"""How far what editors and imports store may go: each limit written once here and
checked by the admin's forms, the changelist's filters and the importer alike."""

import datetime

from django.core.exceptions import ValidationError

# Publication dates an editor can mean. Outside them a date is a typing mistake, and
# near the ends of Python's calendar (years 1 and 9999) converting it to UTC overflows.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)
# A section body is at most this many characters (about 30,000 words); rendering one
# of them, whatever it holds, takes well under a second (bench/markdown_worst_case.py).
SECTION_BODY_MAX_LENGTH = 200_000


def _long_date(day):
    return f"{day.day} {day:%B} {day.year}"


def date_in_range(value):
    """Whether `value` (a date or datetime, as written) falls within the range."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def check_date(value):
    """Raise ValidationError unless `value` (a date, a datetime or None) is in range."""
    if value is None or date_in_range(value):
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    raise ValidationError(
        f"Choose a date between {_long_date(EARLIEST_DATE)} and {_long_date(LATEST_DATE)}; "
        f"{day.isoformat()} is not.",
        code="date_out_of_range",
    )


def check_section_body(body):
    """Raise ValidationError if a section body is longer than the limit."""
    if len(body) > SECTION_BODY_MAX_LENGTH:
        raise ValidationError(
            f"A section has at most {SECTION_BODY_MAX_LENGTH:,} characters; "
            f"this one has {len(body):,}. Split it into several sections.",
            code="section_too_long",
        )


# A review comment (articles/review.py) is a note to a colleague: a few paragraphs.
REVIEW_COMMENT_MAX_LENGTH = 5_000


def check_review_comment(comment):
    """Raise ValidationError if a review comment is longer than the limit."""
    if len(comment) > REVIEW_COMMENT_MAX_LENGTH:
        raise ValidationError(
            f"A review comment has at most {REVIEW_COMMENT_MAX_LENGTH:,} characters; "
            f"this one has {len(comment):,}.",
            code="comment_too_long",
        )
