"""Admin edits take part in the optimistic locking of the app's forms (challenge/editing.py).

A record people edit in the app carries a `revision`. A change made in the admin bumps it, so
a form opened in the app before is refused as stale instead of silently overwriting the
administrator's change. The admin's change form carries the revision it showed, in the other
direction: saved after the record changed in the app, it is refused with a form error (the
administrator's typing stays in the form) instead of overwriting the app's edit."""

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db.models import F

SHOWN = "revision_shown"

STALE_ADMIN_MESSAGE = (
    "Someone else changed this record since you opened this page, so your changes have not been "
    "saved. Reload the page to see what is saved now, then make your changes again."
)


def has_revision(model) -> bool:
    return any(field.name == "revision" for field in model._meta.concrete_fields)


def bump(model, pks, field="revision") -> None:
    model._default_manager.filter(pk__in=pks).update(**{field: F(field) + 1})


def _with_revision_shown(form_class):
    class RevisionShownForm(form_class):
        revision_shown = forms.IntegerField(widget=forms.HiddenInput, required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.initial.setdefault(SHOWN, self.instance.revision)

        def clean(self):
            cleaned = super().clean()
            shown = cleaned.get(SHOWN)
            if shown is not None and self.instance.pk is not None:
                # Locked until the admin's save commits (the change view is atomic).
                current = (
                    type(self.instance)
                    ._default_manager.select_for_update()
                    .filter(pk=self.instance.pk)
                    .values_list("revision", flat=True)
                    .first()
                )
                if current != shown:
                    raise ValidationError(STALE_ADMIN_MESSAGE, code="stale")
            return cleaned

    RevisionShownForm.__name__ = form_class.__name__
    return RevisionShownForm


def _with_shown(fieldsets):
    """`fieldsets` with the hidden field of the revision shown, in the first one."""
    if SHOWN in flatten_fieldsets(fieldsets):
        return fieldsets
    (name, options), *rest = fieldsets
    return [(name, {**options, "fields": [*options["fields"], SHOWN]}), *rest]


def _fields_of_the_model(kwargs, fieldsets):
    """The keyword arguments of the admin's get_form or get_formset, whose model form is made
    from the fields of the fieldsets, without the revision shown (not a field of the model)."""
    if "fields" not in kwargs:  # as the admin does
        kwargs["fields"] = flatten_fieldsets(fieldsets())
    if kwargs["fields"] is not None:
        kwargs["fields"] = [name for name in kwargs["fields"] if name != SHOWN]
    return kwargs


class RevisionAdminMixin:
    """For a model admin whose record, or whose inlines' rows, carry a `revision`.

    Saving the change page with something changed bumps the record's revision (an F()
    expression: a bump made in the app meanwhile is kept), and the revision of every inline
    row changed. Saved unchanged, nothing is bumped: a form open in the app is still good.
    The change form refuses a save made after the record's revision moved on (see the module).

    `inlines_bump` names the record's field bumped when only its inlines changed: "revision"
    where the app's form of the record includes them, another counter where the app keeps
    one for them, None where their rows carry their own revisions."""

    inlines_bump = None

    def _guards_revision(self, request, obj):
        return obj is not None and has_revision(self.model) and self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return _with_shown(fieldsets) if self._guards_revision(request, obj) else fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs = _fields_of_the_model(kwargs, lambda: self.get_fieldsets(request, obj))
        form = super().get_form(request, obj, change=change, **kwargs)
        return _with_revision_shown(form) if self._guards_revision(request, obj) else form

    def save_model(self, request, obj, form, change):
        bumped = change and form.has_changed() and has_revision(self.model)
        if bumped:
            obj.revision = F("revision") + 1
        super().save_model(request, obj, form, change)
        if bumped:
            obj.refresh_from_db(fields=["revision"])

    def save_formset(self, request, form, formset, change):
        changed = [f.instance.pk for f in formset.initial_forms if f.has_changed() and f not in formset.deleted_forms]
        super().save_formset(request, form, formset, change)
        if changed and has_revision(formset.model):
            bump(formset.model, changed)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not (self.inlines_bump and change and any(formset.has_changed() for formset in formsets)):
            return
        if self.inlines_bump != "revision" or not form.has_changed():  # else save_model bumped it
            bump(self.model, [form.instance.pk], self.inlines_bump)


class RevisionInlineMixin:
    """For an inline whose rows carry a `revision` (bumped by RevisionAdminMixin on the parent's
    admin): each row's form carries the revision it showed, and a row changed in the app since
    the page was opened is refused, as on a record's own change page."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return _with_shown(fieldsets) if self.has_change_permission(request, obj) else fieldsets

    def get_formset(self, request, obj=None, **kwargs):
        kwargs = _fields_of_the_model(kwargs, lambda: self.get_fieldsets(request, obj))
        formset = super().get_formset(request, obj, **kwargs)
        if self.has_change_permission(request, obj):
            formset.form = _with_revision_shown(formset.form)
        return formset
