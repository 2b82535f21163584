import time

from django.core.management.base import BaseCommand, CommandError

from articles.generator import generate


class Command(BaseCommand):
    help = (
        "Write N synthetic published articles (3-8 sections, 2-6 long-tail tags, some "
        "Chinese) for benchmarks and scale tests. Not for a site with real readers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, count, seed, batch, **options):
        if count < 1 or batch < 1:
            raise CommandError("--count and --batch must be at least 1.")
        started = time.monotonic()

        def progress(done):
            if options["verbosity"] > 1 or done == count:
                rate = done / (time.monotonic() - started)
                self.stdout.write(f"{done} articles written ({rate:,.0f}/s)")

        generate(count, seed, batch=batch, progress=progress)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
