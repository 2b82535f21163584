import datetime
import os

import reversion
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.importer import DocumentError, import_document
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Import a plain-text document (title line, optional standfirst, headings, "
        "paragraphs) as one article with its sections, in one transaction. "
        "The article is a draft unless --publish or --published-at is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="UTF-8 text file to import")
        parser.add_argument(
            "--tags", default="", help='comma-separated tag names, e.g. "Hong Kong,Finance"'
        )
        parser.add_argument("--slug", help="the article's slug (default: made from the title)")
        parser.add_argument("--author", help="username of the author")
        parser.add_argument("--publish", action="store_true", help="publish it now")
        parser.add_argument(
            "--published-at",
            help="publish at this ISO 8601 time, e.g. 2026-01-20T09:00+08:00 (future: scheduled)",
        )

    def handle(self, *args, path, tags, slug, author, publish, published_at, **options):
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}. Nothing was imported.") from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f"Cannot read {path}: it is not UTF-8 text (byte {error.start}). "
                "Nothing was imported."
            ) from error

        status, when = Article.Status.DRAFT, None
        if published_at:
            when = parse_published_at(published_at)
            status = Article.Status.PUBLISHED
        elif publish:
            when, status = timezone.now(), Article.Status.PUBLISHED
        user = None
        if author:
            try:
                user = get_user_model().objects.get_by_natural_key(author)
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"No user named {author!r}.") from error

        tag_names = [name.strip() for name in tags.split(",") if name.strip()]
        try:
            with reversion.create_revision():  # one revision: this article alone
                reversion.set_user(user)
                reversion.set_comment(f"Created by importing {os.path.basename(path)}")
                article = import_document(
                    text, tags=tag_names, slug=slug, status=status, published_at=when, author=user
                )
        except DocumentError as error:
            raise CommandError(f"{path}: {error}. Nothing was imported.") from error
        count = article.sections.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {article.title!r} as /articles/{article.slug}/ "
                f"({count} section{'s' if count != 1 else ''}, {article.get_status_display()})."
            )
        )


def parse_published_at(value):
    try:
        when = parse_datetime(value)
    except ValueError:
        when = None
    if when is None:
        try:
            when = datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time())
        except ValueError as error:
            raise CommandError(
                f"--published-at {value!r} is not an ISO 8601 date or time "
                "(e.g. 2026-01-20 or 2026-01-20T09:00+08:00)."
            ) from error
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when
