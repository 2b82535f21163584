from django import forms
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.forms.models import BaseInlineFormSet

from .models import Section, unique_anchor

STEP_ASIDE = 1_000_000


class SectionForm(forms.ModelForm):
    position = forms.IntegerField(
        min_value=0, required=False, help_text="Order in the article; blank puts it last."
    )

    class Meta:
        model = Section
        fields = ["position", "heading", "anchor", "body"]


class SectionFormSet(BaseInlineFormSet):
    """Fills blank positions (after the last) and anchors (from headings) before the
    uniqueness checks, so an editor adding sections never has to invent either."""

    def clean(self):
        kept = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra form: nothing to save
            kept.append(form)
        positions = [form.cleaned_data.get("position") for form in kept]
        next_position = max((p for p in positions if p is not None), default=-1) + 1
        taken = {form.cleaned_data.get("anchor") for form in kept} - {"", None}
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
