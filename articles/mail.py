"""Notifications by email, through an outbox.

`queue()` writes one row per address (models.OutgoingMail) in the transaction of the
editorial action it tells of, and sends once that transaction commits, through Django's
email framework (the console by default, SMTP from DJANGO_EMAIL_HOST; see
docs/operations.md). A mail that cannot be sent never undoes the action: its row keeps
the error and is retried from the admin ("Retry sending"), after the next editorial
action, or by `manage.py send_outbox`. No worker is needed.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingMail

# A sender that took a row and died (a killed worker) leaves it to others after this.
CLAIM_FOR = datetime.timedelta(minutes=5)
# Each commit sends at most this many, so an editor's page never waits on a backlog.
BATCH = 20
# After this many failures a row waits for a person: the admin's retry, or the command.
AUTOMATIC_ATTEMPTS = 5
ERROR_MAX_LENGTH = 2000


def queue(addresses, subject, body, article=None):
    """One outbox row for each address (blank and repeated ones dropped), written in
    the caller's transaction, and sending once it commits. The subject is made one
    line: a header cannot hold a line break (Django refuses to send it), and titles
    come from forms."""
    now = timezone.now()
    subject = one_line(subject)[:300]
    rows = [
        OutgoingMail(to=address, subject=subject, body=body, article=article, created_at=now)
        for address in dict.fromkeys(address.strip() for address in addresses)
        if address
    ]
    OutgoingMail.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(send_waiting, robust=True)
    return rows


def one_line(text):
    return " ".join(text.split())


def unsent():
    return OutgoingMail.objects.filter(sent_at__isnull=True)


def failed():
    """Unsent mail that has been tried: what the admin warns editors about."""
    return unsent().filter(attempts__gt=0)


def send_waiting(ids=None, everything=False):
    """Send unsent mail, oldest first: all of `ids` (a person asked), else a batch of
    those tried fewer than AUTOMATIC_ATTEMPTS times (all of them with `everything`).
    Each row is claimed before it is sent, so two processes never send it twice; a
    server that cannot be reached fails the whole batch at once, each row keeping the
    error. Returns (sent, failed)."""
    now = timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_FOR)
    rows = unsent().filter(free).order_by("created_at", "pk")
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    elif not everything:
        rows = rows.filter(attempts__lt=AUTOMATIC_ATTEMPTS)[:BATCH]
    # One UPDATE a row: a row another process claimed in between is left to it.
    claimed = [pk for pk in rows.values_list("pk", flat=True) if _claim(pk, free, now)]
    if not claimed:
        return 0, 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # refused, unreachable, timed out, TLS or sign-in failed
        _record_failure(claimed, error)
        return 0, len(claimed)
    sent = failures = 0
    try:
        for mail in OutgoingMail.objects.filter(pk__in=claimed).order_by("created_at", "pk"):
            message = EmailMessage(
                one_line(mail.subject), mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to],
                connection=connection,
            )  # fmt: skip
            try:
                message.send()
            except Exception as error:  # this address refused, or the server went away
                _record_failure([mail.pk], error)
                failures += 1
                continue
            OutgoingMail.objects.filter(pk=mail.pk).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="", claimed_at=None
            )
            sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # a server gone after the last mail: those sent are sent
            pass
    return sent, failures


def _claim(pk, free, now):
    return unsent().filter(free, pk=pk).update(claimed_at=now) == 1


def _record_failure(pks, error):
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    OutgoingMail.objects.filter(pk__in=pks).update(
        attempts=F("attempts") + 1, last_error=text, claimed_at=None
    )
