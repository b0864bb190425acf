"""The admin for findings, improvement actions and self-evaluations.

Edits here bypass `findings.services` for what it does not check itself: the admin checks
that a finding's evidence comes from its session and area and its themes from its programme,
records an action's owner's organisation, and bumps a finding's or self-evaluation's
revision (so an edit someone has open in the app is refused as stale rather than silently
overwriting this one).

A self-evaluation moves through its life (circulated, final, reopened) in the app, which
renders and stores the PDF when it is finalised. A final version is the record: the admin
shows it, its comments and its PDF's size and SHA-256 read-only and never deletes it. The
stored PDF bytes are never shown or edited, and are not loaded for the lists. The builds of
the programme's area self-evaluation are shown read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Length
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from sessions.models import Answer, Comment

from .models import Action, AreaSelfEvaluationBuild, DraftComment, Finding, SelfEvaluation, Theme

FINAL_NOTE = (
    "Final: this version is the record. Its PDF was stored when it was finalised and every "
    "download returns exactly those bytes, so it is shown read-only and cannot be deleted. "
    "To change it, reopen it in the app, which starts the next version."
)
OPEN_NOTE = (
    "Not final: the introduction and conclusion can be corrected here. It is circulated, "
    "finalised and reopened in the app, which renders and stores the PDF when it is finalised."
)
BUILD_NOTE = (
    "Shown read-only: builds are requested from the programme's documents page and run in the "
    "background, which stores the PDF they make."
)


def _pdf_size(obj):
    size = getattr(obj, "pdf_size", None)
    if size is None:
        return "No PDF stored"
    return f"{filesizeformat(size)} ({size:,} bytes)"


def _without_pdf(queryset):
    """The PDF's size, never its bytes: lists and pages need not load them."""
    return queryset.defer("pdf").annotate(pdf_size=Length("pdf"))


# --- Themes ------------------------------------------------------------------------------


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "finding_count"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    search_fields = ["name", "description", "programme__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(finding_count=Count("findings"))

    @admin.display(description="Findings", ordering="finding_count")
    def finding_count(self, obj):
        return obj.finding_count


# --- Findings and actions ------------------------------------------------------------------


class ActionAdminForm(forms.ModelForm):
    """Records the owner's organisation with the action, as `services.add_action` does: when
    the action is added, and when it passes to someone else."""

    def clean_owner(self):
        owner = self.cleaned_data.get("owner")
        if owner is not None and owner.partner_id is None:
            raise ValidationError("The owner must belong to a partner organisation.")
        return owner

    def save(self, commit=True):
        action = self.instance
        if action.owner_id and (action.owner_partner_id is None or "owner" in self.changed_data):
            action.owner_partner_id = action.owner.partner_id
        return super().save(commit)


class ActionInline(admin.TabularInline):
    model = Action
    form = ActionAdminForm
    fields = ["description", "owner", "owner_partner", "due_date", "status"]
    readonly_fields = ["owner_partner"]
    autocomplete_fields = ["owner"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner", "owner_partner")


class FindingAdminForm(forms.ModelForm):
    """What `services.record_finding` and `update_finding` check: the evidence comes from the
    finding's session and area. And the themes are the session's programme's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        themes = self.fields.get("themes")
        if themes is not None and self.instance.session_id:
            themes.queryset = themes.queryset.filter(
                programme_id=self.instance.session.programme_id
            )

    def clean(self):
        cleaned = super().clean()
        session, area = cleaned.get("session"), cleaned.get("area")
        if session is None or area is None:
            return cleaned
        if not session.areas.filter(pk=area.pk).exists():
            self.add_error("area", "The session does not cover this area.")
        for name in ["evidence_answers", "evidence_comments"]:
            chosen = cleaned.get(name)
            if chosen and any(e.session_id != session.pk or e.area_id != area.pk for e in chosen):
                self.add_error(name, "Evidence must come from this session and area.")
        themes = cleaned.get("themes")
        if themes and any(t.programme_id != session.programme_id for t in themes):
            self.add_error("themes", "Themes must be the session's programme's.")
        return cleaned


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    form = FindingAdminForm
    list_display = ["title", "kind", "area", "session", "action_count", "created_by", "created_at"]
    list_filter = ["kind", "area", "session__programme", "themes"]
    list_select_related = ["area", "session", "created_by"]
    search_fields = ["title", "text", "area__name", "session__title"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["session", "area", "evidence_answers", "evidence_comments"]
    filter_horizontal = ["themes"]
    readonly_fields = ["created_by", "created_at", "updated_at", "revision"]
    fieldsets = [
        (None, {"fields": ["session", "area", "kind", "title", "text", "themes"]}),
        ("Evidence", {"fields": ["evidence_answers", "evidence_comments"]}),
        ("Record", {"fields": ["created_by", "created_at", "updated_at", "revision"]}),
    ]
    inlines = [ActionInline]

    def get_queryset(self, request):
        # A subquery rather than Count("actions"): no GROUP BY for the filters and the date
        # hierarchy to work around.
        actions = (
            Action.objects.filter(finding=OuterRef("pk"))
            .order_by()
            .values("finding")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(
            action_count=Coalesce(Subquery(actions, output_field=IntegerField()), 0)
        )

    @admin.display(description="Actions", ordering="action_count")
    def action_count(self, obj):
        return obj.action_count

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # The querysets also give the selected evidence's labels (autocomplete) and the
        # themes' without a query per item.
        if db_field.name == "evidence_answers":
            kwargs["queryset"] = Answer.objects.select_related("area", "question")
        elif db_field.name == "evidence_comments":
            kwargs["queryset"] = Comment.objects.select_related("author")
        elif db_field.name == "themes":
            kwargs["queryset"] = Theme.objects.select_related("programme")
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "themes":
            field.label_from_instance = lambda t: f"{t.name} ({t.programme})"
        return field

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif form.has_changed():
            obj.revision += 1
        super().save_model(request, obj, form, change)


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    form = ActionAdminForm
    list_display = ["__str__", "finding", "owner", "owner_partner", "due_date", "status", "overdue"]
    list_filter = ["status", "owner_partner", "finding__area", "finding__session__programme"]
    list_select_related = ["finding", "owner", "owner_partner"]
    search_fields = [
        "description",
        "finding__title",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    ]
    date_hierarchy = "due_date"
    autocomplete_fields = ["finding", "owner"]
    readonly_fields = ["owner_partner", "created_at", "updated_at"]
    fields = [
        "finding",
        "description",
        "owner",
        "owner_partner",
        "due_date",
        "status",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue(timezone.localdate())


# --- Self-evaluations ----------------------------------------------------------------------


def _is_final_self_evaluation(self_evaluation) -> bool:
    return self_evaluation is not None and self_evaluation.is_final


class DraftCommentInline(admin.TabularInline):
    """Partners write comments in the app; on a final version they are part of the record."""

    model = DraftComment
    fields = ["author", "text", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    # `obj` is the self-evaluation whose change page this is.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return not _is_final_self_evaluation(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_final_self_evaluation(obj) and super().has_delete_permission(request, obj)


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(admin.ModelAdmin):
    list_display = [
        "area",
        "programme",
        "version",
        "status",
        "circulated_at",
        "finalised_at",
        "finalised_by",
        "pdf_size",
    ]
    list_filter = ["status", "programme", "area"]
    list_select_related = ["area", "programme", "finalised_by"]
    search_fields = ["area__name", "programme__name", "introduction", "conclusion"]
    readonly_fields = [
        "record_note",
        "programme",
        "area",
        "version",
        "status",
        "circulated_at",
        "circulated_by",
        "circulated_to",
        "finalised_at",
        "finalised_by",
        "pdf_size",
        "pdf_sha256",
        "pdf_link",
        "revision",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["record_note", "programme", "area", "version", "status"]}),
        ("Texts", {"fields": ["introduction", "conclusion"]}),
        (
            "Life",
            {
                "fields": [
                    "circulated_at",
                    "circulated_by",
                    "circulated_to",
                    "finalised_at",
                    "finalised_by",
                ]
            },
        ),
        ("Stored PDF", {"fields": ["pdf_size", "pdf_sha256", "pdf_link"]}),
        ("Record", {"fields": ["revision", "created_at", "updated_at"]}),
    ]
    inlines = [DraftCommentInline]

    def get_queryset(self, request):
        return _without_pdf(super().get_queryset(request))

    # Versions are started in the app (the first one when the area's page is opened, later
    # ones by reopening a final one).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return not _is_final_self_evaluation(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_final_self_evaluation(obj) and super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        final = [f"{obj} (final: it is the record)" for obj in objs if obj.is_final]
        return deleted, counts, perms_needed, [*protected, *final]

    def save_model(self, request, obj, form, change):
        # Only the texts, and only while it is not final: a version finalised while this page
        # was open keeps what it was finalised with.
        if not form.has_changed():
            return
        with transaction.atomic():
            current = (
                SelfEvaluation.objects.select_for_update()
                .only("status", "revision")
                .get(pk=obj.pk)
            )
            if current.is_final:
                raise PermissionDenied("This version is final.")
            obj.revision = current.revision + 1
            obj.save(update_fields=["introduction", "conclusion", "revision", "updated_at"])

    @admin.display(description="Can it change?")
    def record_note(self, obj):
        return FINAL_NOTE if obj.is_final else OPEN_NOTE

    @admin.display(description="PDF size", ordering="pdf_size")
    def pdf_size(self, obj):
        return _pdf_size(obj)

    @admin.display(description="Download")
    def pdf_link(self, obj):
        if not obj.is_final:
            return "–"
        return format_html(
            '<a href="{}">The stored PDF</a>', reverse("self_evaluation_pdf", args=[obj.pk])
        )


@admin.register(DraftComment)
class DraftCommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author", "self_evaluation", "created_at"]
    list_filter = [
        "self_evaluation__status",
        "self_evaluation__programme",
        "self_evaluation__area",
    ]
    list_select_related = ["author", "self_evaluation__area"]
    search_fields = [
        "text",
        "author__first_name",
        "author__last_name",
        "author__username",
        "self_evaluation__area__name",
    ]
    date_hierarchy = "created_at"
    readonly_fields = ["self_evaluation", "author", "created_at"]
    fields = ["self_evaluation", "author", "text", "created_at"]

    def get_queryset(self, request):
        # list_select_related joins the self-evaluation: not its PDF.
        return super().get_queryset(request).defer("self_evaluation__pdf")

    def get_object(self, request, object_id, from_field=None):
        # The change page shows the self-evaluation: join it here rather than in
        # get_queryset, where a select_related would switch off list_select_related.
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.self_evaluation = _without_pdf(
                SelfEvaluation.objects.select_related("area")
            ).get(pk=obj.self_evaluation_id)
        return obj

    @admin.display(description="Comment")
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    def _final(self, obj):
        if obj is None:
            return False
        if DraftComment.self_evaluation.is_cached(obj):
            return obj.self_evaluation.is_final
        return SelfEvaluation.objects.filter(
            pk=obj.self_evaluation_id, status=SelfEvaluation.Status.FINAL
        ).exists()

    # Partners write comments in the app.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return not self._final(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._final(obj) and super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        final = [f"{obj.text[:40]} (on a final version)" for obj in objs if self._final(obj)]
        return deleted, counts, perms_needed, [*protected, *final]


@admin.register(AreaSelfEvaluationBuild)
class AreaSelfEvaluationBuildAdmin(admin.ModelAdmin):
    list_display = [
        "programme",
        "status",
        "progress",
        "requested_by",
        "requested_at",
        "finished_at",
        "pdf_size",
    ]
    list_filter = ["status", "programme"]
    list_select_related = ["programme", "requested_by"]
    search_fields = ["programme__name", "step", "error"]
    date_hierarchy = "requested_at"
    readonly_fields = [
        "programme",
        "requested_by",
        "requested_at",
        "status",
        "progress",
        "step",
        "finished_at",
        "error",
        "pdf_size",
        "pdf_sha256",
        "pdf_link",
    ]
    fieldsets = [
        (
            None,
            {
                "description": BUILD_NOTE,
                "fields": ["programme", "requested_by", "requested_at"],
            },
        ),
        ("Progress", {"fields": ["status", "progress", "step", "finished_at", "error"]}),
        ("Stored PDF", {"fields": ["pdf_size", "pdf_sha256", "pdf_link"]}),
    ]

    def get_queryset(self, request):
        return _without_pdf(super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="PDF size", ordering="pdf_size")
    def pdf_size(self, obj):
        return _pdf_size(obj)

    @admin.display(description="Download")
    def pdf_link(self, obj):
        if obj.status != AreaSelfEvaluationBuild.Status.READY or obj.pdf_size is None:
            return "–"
        return format_html(
            '<a href="{}">The stored PDF</a>', reverse("area_build_pdf", args=[obj.pk])
        )
