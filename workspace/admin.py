"""Administration of the workspace's records: answers, comments and their history are read
here, never edited (administrators only)."""

from django.contrib import admin

from workspace.models import Answer, AnswerVersion, Comment, CommentVersion, SessionEvent

WORKSPACE_NOTE = (
    "Shown read-only. Answers and comments are written in the session's workspace, which "
    "keeps the history of every change (listed below) as the record of the session; changing "
    "them here would bypass that history."
)


HISTORY_NOTE = (
    "Shown read-only: this is the audit trail of the session's workspace. Sessions are closed "
    "and reopened in the workspace."
)


class ReadOnlyAdminMixin:
    """For model admins and inlines: the records can be viewed, never added, changed or
    deleted (which also leaves no "delete selected" action). Inlines pass `obj`, the parent."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class AnswerVersionInline(ReadOnlyInline):
    model = AnswerVersion
    fields = [
        "revision",
        "edited_by",
        "edited_at",
        "text",
        "likelihood",
        "scale",
        "direction",
        "confidence",
        "evidence",
    ]
    verbose_name = "version"
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edited_by")


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["session", "area", "question", "revision", "updated_by", "updated_at"]
    list_filter = ["session__programme", "area", "question__section__title"]
    list_select_related = ["session", "area", "question", "updated_by"]
    search_fields = ["text"]
    date_hierarchy = "updated_at"
    fieldsets = [
        (None, {"description": WORKSPACE_NOTE, "fields": ["session", "area", "question"]}),
        (
            "Answer",
            {"fields": ["text", "likelihood", "scale", "direction", "confidence", "evidence"]},
        ),
        ("Record", {"fields": ["revision", "updated_by", "updated_at"]}),
    ]
    inlines = [AnswerVersionInline]


class ReplyInline(ReadOnlyInline):
    model = Comment
    fk_name = "parent"
    fields = ["author", "text", "withdrawn_at", "revision", "created_at", "updated_at"]
    verbose_name = "reply"
    verbose_name_plural = "replies"
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class CommentVersionInline(ReadOnlyInline):
    model = CommentVersion
    fields = ["revision", "action", "kind", "status", "text", "by", "at"]
    verbose_name = "version"
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "author", "session", "area", "status", "withdrawn", "created_at"]
    list_filter = ["kind", "status", "session"]
    list_select_related = ["author", "session", "area"]
    search_fields = ["text", "author__first_name", "author__last_name", "author__username"]
    date_hierarchy = "created_at"
    fieldsets = [
        (
            None,
            {
                "description": WORKSPACE_NOTE,
                "fields": ["session", "area", "question", "parent"],
            },
        ),
        ("Comment", {"fields": ["kind", "author", "author_partner", "text"]}),
        ("Status", {"fields": ["status", "status_by", "status_at", "withdrawn_at"]}),
        ("Record", {"fields": ["revision", "created_at", "updated_at"]}),
    ]
    inlines = [ReplyInline, CommentVersionInline]

    @admin.display(description="Withdrawn", boolean=True, ordering="withdrawn_at")
    def withdrawn(self, obj):
        return obj.is_withdrawn


@admin.register(SessionEvent)
class SessionEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["session", "action", "by", "at"]
    list_filter = ["action", "session__programme"]
    list_select_related = ["session", "by"]
    search_fields = ["session__title", "note"]
    date_hierarchy = "at"
    fieldsets = [(None, {"description": HISTORY_NOTE, "fields": ["session", "action", "by", "at", "note"]})]
