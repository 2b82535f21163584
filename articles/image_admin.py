"""The image library in the admin: upload, describe, find, see where each is used.

Registered from articles/admin.py. An upload is checked and cleaned by
articles/images.py before anything is stored; its renditions are made at once, and
made again only when the focal point moves. An image that an article leads with
cannot be deleted (PROTECT); the refusal lists those articles, and the articles whose
sections show it."""

from django import forms
from django.contrib import admin
from django.db import IntegrityError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import images, roles
from .markdown import render_markdown
from .models import Article, ArticleDraft, Image


class ImageForm(forms.ModelForm):
    upload = forms.FileField(
        label="Image file",
        help_text="JPEG, PNG, WebP, AVIF or GIF. Location and camera details are removed.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,"
                                                         "image/avif,image/gif"}),
    )  # fmt: skip

    class Meta:
        model = Image
        fields = ["alt_text", "decorative", "caption", "credit", "focal_x", "focal_y"]
        widgets = {
            "alt_text": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "caption": forms.Textarea(attrs={"rows": 2}),
            "focal_x": forms.NumberInput(attrs={"min": 0, "max": 1, "step": 0.05}),
            "focal_y": forms.NumberInput(attrs={"min": 0, "max": 1, "step": 0.05}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared = None
        if self.instance.pk:
            del self.fields["upload"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > images.max_bytes():  # refused before it is read into memory
            limit = images.max_bytes() / 1e6
            raise forms.ValidationError(
                f"The file is {upload.size / 1e6:.1f} MB; images may be at most {limit:g} MB."
            )
        try:
            upload.seek(0)  # read again when the form is shown again (add_view)
            self.prepared = images.prepare(upload.read())
        except images.ImageRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        same = Image.objects.filter(sha256=self.prepared.sha256).first()
        if same is not None:
            url = reverse("admin:articles_image_change", args=[same.pk])
            raise forms.ValidationError(
                format_html(
                    'This picture is already in the library: <a href="{}">{}</a>.', url, same
                )
            )
        return upload

    def _update_errors(self, errors):
        """Alt text refused by its own field (too long) reaches the model's check as
        empty: its "describe the image" would contradict the length error, so only
        the field's error is shown."""
        if self.has_error("alt_text") and hasattr(errors, "error_dict"):
            errors.error_dict.pop("alt_text", None)
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        for name in ("focal_x", "focal_y"):
            value = cleaned.get(name)
            if value is not None and not 0 <= value <= 1:
                self.add_error(name, "Between 0 (left or top edge) and 1 (right or bottom).")
        return cleaned


def used_by_articles(image_ids):
    """id → articles that show the image: as lead image, or in a section's Markdown,
    live or in their draft changes."""
    found = {pk: {} for pk in image_ids}
    for article in Article.objects.filter(lead_image__in=image_ids).only(
        "pk", "title", "lead_image"
    ):
        found[article.lead_image_id][article.pk] = article
    for pk in image_ids:
        # The stored HTML, not the Markdown: every way of writing the image in Markdown
        # (`![x](image:5)`, `![x](<image:5>)`, a reference `[p]: image:5`) ends as this.
        shown = Article.objects.filter(sections__body_html__contains=f'src="image:{int(pk)}"')
        for article in shown.distinct().only("pk", "title", "lead_image"):
            found[pk].setdefault(article.pk, article)
    # Draft changes of live articles (form data, one row per article with pending
    # changes): deleting their image would publish them without it, unannounced.
    drafts = ArticleDraft.objects.select_related("article")
    for draft in drafts.only("data", "article__title", "article__lead_image"):
        data = draft.data if isinstance(draft.data, dict) else {}
        leads = set(data.get("lead_image") or [])
        bodies = [
            str(value)
            for name, values in data.items()
            if name.startswith("sections-") and name.endswith("-body") and isinstance(values, list)
            for value in values
        ]
        shown = images.referenced_ids(render_markdown(body) for body in bodies if "image:" in body)
        for pk in image_ids:
            if str(pk) in leads or pk in shown:
                found[pk].setdefault(draft.article.pk, draft.article)
    return {pk: list(articles.values()) for pk, articles in found.items()}


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "label", "credit", "size", "lead_count", "uploaded_at"]
    list_display_links = ["label"]  # the thumbnail (alt="") is no link without a name
    search_fields = ["alt_text", "caption", "credit"]
    list_filter = ["decorative", "format"]
    readonly_fields = ["preview", "markdown", "dimensions", "used_by"]
    list_per_page = 40
    ordering = ["-uploaded_at", "-pk"]  # Meta.ordering is dropped with an annotated Count

    def get_fieldsets(self, request, obj=None):
        description = ["alt_text", "decorative", "caption", "credit"]
        if obj is None:
            return [(None, {"fields": ["upload", *description]}),
                    ("Focal point", {"fields": ["focal_x", "focal_y"],
                                     "description": "Crops keep this point in view."})]  # fmt: skip
        return [
            (None, {"fields": ["preview", "markdown", "dimensions", *description]}),
            ("Focal point", {"fields": ["focal_x", "focal_y"],
                             "description": "Crops keep this point in view."}),
            ("Used by", {"fields": ["used_by"]}),
        ]  # fmt: skip

    def add_view(self, request, form_url="", extra_context=None):
        """Two editors adding the same picture at once: the second insert breaks the
        unique sha256 (the form's check ran before the first was committed; on
        PostgreSQL, measured: 500). The form is then shown again, and its check now
        says the picture is already in the library, the fields as typed."""
        try:
            return super().add_view(request, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
            for upload in request.FILES.values():
                upload.seek(0)
            return super().add_view(request, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        """Authors change the images they uploaded; the others they see read-only."""
        return roles.can_change_image(request.user, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_count=Count("lead_of"))

    def save_form(self, request, form, change):
        """A new image is made from the checked upload: original and renditions stored."""
        if change:
            return super().save_form(request, form, change)
        fields = {name: form.cleaned_data[name] for name in ImageForm.Meta.fields}
        image = images.ingest(form.prepared, **fields)
        image.uploaded_by = request.user
        form.save_m2m = lambda: None  # an image has no many-to-many fields
        return image

    def save_model(self, request, obj, form, change):
        if change and {"focal_x", "focal_y"} & set(form.changed_data):
            images.recrop(obj)  # new crops under new names; pages move to them
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        """Deleting is refused while an article shows the image, naming each article."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        shown = used_by_articles([image.pk for image in objs])
        for image in objs:
            for article in shown[image.pk]:
                if article.lead_image_id == image.pk:
                    continue  # PROTECT already names it
                entry = format_html(
                    'Article: <a href="{}">{}</a> shows {}',
                    reverse("admin:articles_article_change", args=[article.pk]),
                    article.title,
                    image,
                )
                protected.append(entry)
        return deleted, counts, perms, protected

    @admin.display(description="Image")
    def thumbnail(self, image):
        chosen = images.picture(image, "card")
        if chosen is None:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="120" height="80" class="image-thumbnail" loading="lazy">',
            chosen["src"],
        )

    @admin.display(description="Alt text or caption", ordering="alt_text")
    def label(self, image):
        return image.alt_text or image.caption or "(decorative)"

    @admin.display(description="Size")
    def size(self, image):
        return f"{image.width} × {image.height}"

    @admin.display(description="Lead image of", ordering="lead_count")
    def lead_count(self, image):
        count = image.lead_count
        return f"{count} article{'s' if count != 1 else ''}" if count else "—"

    @admin.display(description="Preview")
    def preview(self, image):
        chosen = images.picture(image)
        if chosen is None:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}" class="image-preview">',
            chosen["src"],
            image.alt,
            400,
            round(400 * chosen["height"] / chosen["width"]),
        )

    @admin.display(description="In a section")
    def markdown(self, image):
        return format_html(
            "<code>![{}](image:{})</code><br>Paste this into a section's body: the page "
            "draws it as a figure with the caption and credit.",
            image.alt_text,
            image.pk,
        )

    @admin.display(description="Original")
    def dimensions(self, image):
        return f"{image.width} × {image.height} {image.format.upper()}"

    @admin.display(description="Articles")
    def used_by(self, image):
        articles = used_by_articles([image.pk])[image.pk]
        if not articles:
            return "No article shows this image."
        return format_html_join(
            "",
            '<a href="{}">{}</a><br>',
            (
                (reverse("admin:articles_article_change", args=[article.pk]), article.title)
                for article in articles
            ),
        )
