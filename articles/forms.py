import re

from django import forms
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from . import limits
from .language import detect_language
from .models import (
    RESERVED_ANCHORS,
    Article,
    ArticleDraft,
    Section,
    check_tag_names,
    unique_anchor,
)

STEP_ASIDE = 1_000_000
SUBMITTED_SECTION_TEXT = re.compile(r"sections-(\d+)-(?:heading|body)")


class ArticleForm(forms.ModelForm):
    """The admin's article form. Refuses a save based on an outdated copy of the article.

    The form carries the article's `edit_token` from when it was opened; every save
    changes the token, so a mismatch means someone else saved in between. Sections
    and tags are saved with the same submission, so they are covered too.
    """

    opened_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Checks before publishing (articles/checks.py) that this submission has not yet
    # been confirmed past ("Publish anyway"): set by the admin when it publishes.
    publish_warnings = ()
    # False while restoring a version: that form was opened over the live article.
    matches_draft = True

    class Meta:
        model = Article
        fields = [
            *["title", "slug", "standfirst", "language", "lead_image", "tags"],
            *["status", "published_at", "expires_at", "author", "translation_of"],
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_token"].initial = self.instance.edit_token
        if "language" in self.fields:
            language = self.fields["language"]
            language.required = False
            language.choices = [("", "Find from the text"), *Article.Language.choices]
            if not self.instance.pk:
                language.initial = ""

    def clean_language(self):
        """Left blank, the language of the title, standfirst and sections as submitted."""
        language = self.cleaned_data["language"]
        if language:
            return language
        texts = [self.cleaned_data.get("title", ""), self.cleaned_data.get("standfirst", "")]
        for name, value in self.data.items():
            match = SUBMITTED_SECTION_TEXT.fullmatch(name)
            if match and not self.data.get(f"sections-{match[1]}-DELETE"):
                texts.append(value)
        return detect_language(*texts)

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        check_tag_names(tags)
        return tags

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        limits.check_date(published_at)
        return published_at

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        limits.check_date(expires_at)
        return expires_at

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self.check_not_changed_since_opened(cleaned.get("opened_token"))
        if self.publish_warnings and not self.data.get("publish_anyway"):
            raise ValidationError(
                "Not published yet: look at the checks below, then tick “Publish anyway” "
                "if it should go out as it is.",
                code="checks",
            )
        if (
            "published_at" in self.fields
            and cleaned.get("status") == Article.Status.PUBLISHED
            and not cleaned.get("published_at")
        ):
            cleaned["published_at"] = timezone.now()
            self.instance.published_at = cleaned["published_at"]
        self.check_expiry_after_publication(cleaned)
        return cleaned

    def check_expiry_after_publication(self, cleaned):
        """The form's word for the CHECK constraint `article_expires_after_publication`."""
        published_at, expires_at = cleaned.get("published_at"), cleaned.get("expires_at")
        if published_at and expires_at and expires_at <= published_at:
            when = formats.date_format(timezone.localtime(published_at), "j M Y H:i:s")
            self.add_error(
                "expires_at",
                ValidationError(
                    f"The article would leave the site before it appears: choose a time "
                    f"after its publication ({when}), or leave “Live until” blank.",
                    code="expires_before_publication",
                ),
            )

    def check_not_changed_since_opened(self, token):
        """While an article has draft changes, the form edits them: the draft's token
        is the one to match, and its last editor the one to name."""
        current = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            return
        draft = None
        if self.matches_draft:
            draft = ArticleDraft.objects.filter(article=current).select_related("edited_by")
            draft = draft.first()
        expected = draft.token if draft else current.edit_token
        if token == expected:
            return
        editor = draft.edited_by if draft else current.last_edited_by
        at = draft.updated_at if draft else current.updated_at
        who = "Someone"
        if editor:
            who = editor.get_full_name() or editor.get_username()
        when = formats.date_format(timezone.localtime(at), "j M Y H:i:s")
        raise ValidationError(
            format_html(
                "{} changed this article at {}, after you opened it, so your changes were "
                'not saved. <a href="{}">Open the latest version</a> and make your changes '
                "again; what you typed is still below to copy from.",
                who,
                when,
                reverse("admin:articles_article_change", args=[self.instance.pk]),
            ),
            code="conflict",
        )


class SectionForm(forms.ModelForm):
    position = forms.IntegerField(
        min_value=0,
        max_value=STEP_ASIDE - 1,
        required=False,
        help_text="Order in the article; blank puts it last.",
    )

    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField"}),
        help_text=(
            "Markdown: *italic*, **bold**, [a link](https://example.org), "
            "# a subheading, - a list item, > a quotation. A blank line starts a new "
            "paragraph. “Preview” shows it as readers will see it."
        ),
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        limits.check_section_body(body)
        return body

    def clean_anchor(self):
        anchor = self.cleaned_data["anchor"]
        if anchor in RESERVED_ANCHORS:
            raise ValidationError(f"“{anchor}” is used by the page itself; choose another anchor.")
        return anchor

    class Meta:
        model = Section
        fields = ["position", "heading", "anchor", "body"]


class SectionFormSet(BaseInlineFormSet):
    """Fills blank positions (after the last) and anchors (from headings) before the
    uniqueness checks, so an editor adding sections never has to invent either, and
    refuses a position or anchor that a section missing from the form already holds."""

    def clean(self):
        kept = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra form: nothing to save
            kept.append(form)
        # Sections of this article that the submitted forms do not cover (a stale or
        # forged form): they keep their places, so nothing may collide with them.
        others = []
        if self.instance.pk:
            shown = [form.instance.pk for form in self.initial_forms if form.instance.pk]
            others = list(
                Section.objects.filter(article=self.instance)
                .exclude(pk__in=shown)
                .values_list("position", "anchor")
            )
        held = {position for position, _ in others}
        positions = [form.cleaned_data.get("position") for form in kept] + list(held)
        next_position = max((p for p in positions if p is not None), default=-1) + 1
        taken = {form.cleaned_data.get("anchor") for form in kept} - {"", None}
        taken |= {anchor for _, anchor in others}
        for form in kept:
            data = form.cleaned_data
            if data.get("position") in held:
                form.add_error("position", "Another section of this article has this position.")
            if data.get("anchor") and data["anchor"] in {anchor for _, anchor in others}:
                form.add_error("anchor", "Another section of this article has this anchor.")
        for form in kept:
            data = form.cleaned_data
            if data.get("position") is None:
                data["position"] = form.instance.position = next_position
                next_position += 1
            if not data.get("anchor"):
                anchor = unique_anchor(data.get("heading", ""), taken)
                data["anchor"] = form.instance.anchor = anchor
                taken.add(anchor)
        super().clean()


def save_sections(formset):
    """Save a section formset whose rows may swap positions or anchors.

    Rows are saved one at a time and (article, position) and (article, anchor) are
    unique, rows that move or go first step aside to values no final row uses.
    """
    deleted = formset.deleted_forms
    moved = [
        form.instance.pk
        for form in formset.initial_forms
        if form in deleted or {"position", "anchor"} & set(form.changed_data)
    ]
    Section.objects.filter(pk__in=moved).update(
        position=F("position") + STEP_ASIDE,
        anchor=Concat(Value("moving-"), Cast("pk", CharField())),
    )
    return formset.save()


class TagMergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep this tag",
        help_text="Every article tagged with any selected tag ends up with this one.",
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        from taggit.models import Tag

        self.fields["keep"].queryset = Tag.objects.filter(pk__in=[tag.pk for tag in tags])
        self.fields["keep"].initial = tags[0].pk


class StaffUserChangeForm(UserChangeForm):
    """The admin's user form, with its two dates held to the same range."""

    def clean_last_login(self):
        limits.check_date(self.cleaned_data["last_login"])
        return self.cleaned_data["last_login"]

    def clean_date_joined(self):
        limits.check_date(self.cleaned_data["date_joined"])
        return self.cleaned_data["date_joined"]
