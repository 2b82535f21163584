from django.core.management.base import BaseCommand, CommandError

from articles import mail


class Command(BaseCommand):
    help = (
        "Send the review notifications not sent yet (the outbox), those that failed "
        "before included. Exits with an error if some still cannot be sent."
    )

    def handle(self, *args, **options):
        sent, failed = mail.send_waiting(everything=True)
        self.stdout.write(f"Sent {sent} email{'s' if sent != 1 else ''}.")
        if failed:
            error = mail.failed().exclude(last_error="").values_list("last_error", flat=True)
            raise CommandError(
                f"{failed} could not be sent ({error.first()}); they stay in the outbox."
            )
