"""The admin for findings, improvement actions and self-evaluations.

Edits here bypass `findings.services` for what it does not check itself: the admin runs the
services' own checks (a finding's area, themes and evidence; an action's owner), records an
action's owner's organisation, and bumps the revision of what it changes (so an edit someone
has open in the app is refused as stale rather than silently overwriting this one, and the
other way round: challenge/admin_revision.py).

A self-evaluation moves through its life (circulated, final, reopened) in the app, which
renders and stores the PDF when it is finalised. A final version is the record: the admin
shows it, its comments and its PDF's size and SHA-256 read-only and never deletes it. The
stored PDF bytes are never shown or edited, and are not loaded for the lists. The builds of
the programme's area self-evaluation are shown read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from challenge.admin_revision import RevisionAdminMixin, RevisionInlineMixin
from findings.models import Action, AssuranceAudit, Finding, Resolution, ResolutionChange, Theme
from findings.services import validate_action_owner, validate_finding
from workspace.models import Answer, Comment

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


def _finding_of(action):
    """The finding an action form is for: on a finding's page, the finding being saved."""
    try:
        return action.finding
    except Action.finding.RelatedObjectDoesNotExist:
        return None


class ActionAdminForm(forms.ModelForm):
    """Checks the owner as `services.add_action` does (`services.validate_action_owner`) and
    records their organisation with the action: when it is added, and when it passes to
    someone else."""

    def clean(self):
        cleaned = super().clean()
        owner = cleaned.get("owner")
        finding = cleaned.get("finding") or _finding_of(self.instance)
        self._owner_partner = None
        if owner is not None and finding is not None:
            try:
                self._owner_partner = validate_action_owner(owner, finding.partnership_id)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def save(self, commit=True):
        action = self.instance
        changed = {"owner", "finding"} & set(self.changed_data)
        if action.owner_id and self._owner_partner is not None and (action.owner_partner_id is None or changed):
            action.owner_partner = self._owner_partner
        return super().save(commit)


class ActionInline(RevisionInlineMixin, admin.TabularInline):
    model = Action
    form = ActionAdminForm
    fields = ["description", "owner", "owner_partner", "due_date", "status"]
    readonly_fields = ["owner_partner"]
    autocomplete_fields = ["owner"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner", "owner_partner")


class FindingAdminForm(forms.ModelForm):
    """What `services.record_finding` and `update_finding` check, with their own check
    (`services.validate_finding`): the session covers the area, the themes are the session's
    programme's and the evidence comes from the finding's session and area."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        themes = self.fields.get("themes")
        if themes is not None and self.instance.session_id:
            themes.queryset = themes.queryset.filter(programme_id=self.instance.session.programme_id)

    def clean(self):
        cleaned = super().clean()
        session, area = cleaned.get("session"), cleaned.get("area")
        if session is None or area is None:
            return cleaned
        try:
            validate_finding(
                session=session,
                area=area,
                themes=cleaned.get("themes") or (),
                evidence_answers=cleaned.get("evidence_answers") or (),
                evidence_comments=cleaned.get("evidence_comments") or (),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(Finding)
class FindingAdmin(RevisionAdminMixin, admin.ModelAdmin):
    form = FindingAdminForm
    list_display = ["title", "kind", "area", "session", "action_count", "created_by", "created_at"]
    list_filter = ["kind", "area", "session__programme", "themes"]
    list_select_related = ["area", "session", "created_by"]
    search_fields = ["title", "text", "area__name", "session__title"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["session", "area", "evidence_answers", "evidence_comments"]
    filter_horizontal = ["themes"]
    readonly_fields = ["audit", "created_by", "created_at", "updated_at", "revision"]
    fieldsets = [
        (None, {"fields": ["session", "audit", "area", "kind", "title", "text", "themes"]}),
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
        return (
            super()
            .get_queryset(request)
            .annotate(action_count=Coalesce(Subquery(actions, output_field=IntegerField()), 0))
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
        super().save_model(request, obj, form, change)


@admin.register(Action)
class ActionAdmin(RevisionAdminMixin, admin.ModelAdmin):
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


class ResolutionChangeInline(admin.TabularInline):
    model = ResolutionChange
    extra = 0
    can_delete = False
    fields = ["at", "what", "by", "response", "status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Resolution)
class ResolutionAdmin(RevisionAdminMixin, admin.ModelAdmin):
    """A scrutiny meeting's resolutions and recommendations. Responses and progress are
    recorded in the app, with their history; the admin shows them."""

    list_display = ["__str__", "kind", "owner", "response_due", "response", "status"]
    list_filter = ["kind", "response", "status"]
    list_select_related = ["owner", "agenda_item"]
    search_fields = ["text", "agenda_item__title", "agenda_item__session__programme__partnership__name"]
    raw_id_fields = ["agenda_item", "owner", "created_by"]
    readonly_fields = ["revision", "responded_at", "closed_at"]
    inlines = [ResolutionChangeInline]


# --- Assurance audits ----------------------------------------------------------------------


@admin.register(AssuranceAudit)
class AssuranceAuditAdmin(RevisionAdminMixin, admin.ModelAdmin):
    """An area's assurance audits (recorded in the app by the partnership's facilitators, with
    their findings and actions); corrected here."""

    list_display = ["title", "area", "audited_on", "auditor", "sample_size", "grading"]
    list_filter = ["grading", "area__partnership"]
    list_select_related = ["area"]
    search_fields = ["title", "auditor", "area__name"]
    readonly_fields = ["created_by", "created_at", "updated_at", "revision"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
