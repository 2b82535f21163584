"""Write synthetic published articles into the configured database (benchmarks and
scale tests; never for a site with real readers):

    DATABASE_URL=sqlite:////tmp/big.sqlite3 .venv/bin/python -m devtools.generate --count 1000
"""

import argparse
import os
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.count < 1 or args.batch < 1:
        parser.error("--count and --batch must be at least 1.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # run as a program; within tests Django is set up already
        django.setup()
    from devtools.generator import generate

    started = time.monotonic()
    generate(args.count, args.seed, batch=args.batch)
    print(f"{args.count} articles written in {time.monotonic() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
