"""Administration of self-evaluations: final versions and stored PDFs are read-only
(administrators only)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Length
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from challenge.admin_revision import RevisionAdminMixin
from evaluations.models import AreaSelfEvaluationBuild, DraftComment, SelfEvaluation
from evaluations.services import update_texts

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
class SelfEvaluationAdmin(RevisionAdminMixin, admin.ModelAdmin):
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
        # Only the texts, through the service the app uses: it refuses a final version (one
        # finalised while this page was being saved keeps what it was finalised with) and
        # bumps the revision, so an edit open in the app is refused as stale. `obj` was read
        # as this request began: the admin corrects what is saved now, knowingly.
        if not form.has_changed():
            return
        try:
            saved = update_texts(
                self_evaluation=obj,
                expected_revision=obj.revision,
                introduction=obj.introduction,
                conclusion=obj.conclusion,
            )
        except ValidationError as error:  # final, or changed in the app a moment ago
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.revision, obj.updated_at = saved.revision, saved.updated_at

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
        return format_html('<a href="{}">The stored PDF</a>', reverse("self_evaluation_pdf", args=[obj.pk]))


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
    readonly_fields = ["self_evaluation", "author", "author_partner", "created_at"]
    fields = ["self_evaluation", "author", "author_partner", "text", "created_at"]

    def get_queryset(self, request):
        # list_select_related joins the self-evaluation: not its PDF.
        return super().get_queryset(request).defer("self_evaluation__pdf")

    def get_object(self, request, object_id, from_field=None):
        # The change page shows the self-evaluation: join it here rather than in
        # get_queryset, where a select_related would switch off list_select_related.
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.self_evaluation = _without_pdf(SelfEvaluation.objects.select_related("area")).get(
                pk=obj.self_evaluation_id
            )
        return obj

    @admin.display(description="Comment")
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    def _final(self, obj):
        if obj is None:
            return False
        if DraftComment.self_evaluation.is_cached(obj):
            return obj.self_evaluation.is_final
        return SelfEvaluation.objects.filter(pk=obj.self_evaluation_id, status=SelfEvaluation.Status.FINAL).exists()

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
        return format_html('<a href="{}">The stored PDF</a>', reverse("area_build_pdf", args=[obj.pk]))
