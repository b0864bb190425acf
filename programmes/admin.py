"""The admin for partnerships and their standing data (superusers only: see
challenge/admin_site.py).

Question sets are the one subtle part: once a session has used a version, it is frozen
(see `QuestionSet.is_frozen`). The admin shows a frozen set, its sections and its questions
read-only, and offers an action that copies a set into a new version to edit instead. An
edit of a set's sections or questions bumps the set's revision, which the app's editor of the
set checks; other records' revisions are handled by challenge/admin_revision.py."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from challenge.admin_revision import RevisionAdminMixin, RevisionInlineMixin, bump
from challenge.logos import LogoField
from programmes import partnership_logos
from programmes.models import (
    FROZEN_MESSAGE,
    CabinetPortfolio,
    FocusTopic,
    Membership,
    Milestone,
    Partner,
    Partnership,
    Programme,
    Question,
    QuestionSet,
    ScrutinyPanel,
    Section,
    SignOnProvider,
    ThematicArea,
    User,
)
from programmes.services import copy_standard_question_sets, new_question_set_version
from programmes.sign_on_forms import SignOnProviderForm


def _is_frozen(question_set) -> bool:
    """`question_set.is_frozen`, remembered on the instance for the rest of the request: the
    admin asks several times per page (the form, each inline, each permission)."""
    if question_set is None:
        return False
    cached = getattr(question_set, "_admin_is_frozen", None)
    if cached is None:
        cached = question_set._admin_is_frozen = question_set.is_frozen
    return cached


def _editable_sections():
    """Sections of a question set not frozen yet: where a question may be put."""
    return Section.objects.filter(question_set__in=QuestionSet.objects.editable()).select_related("question_set")


def _editable_question_sets():
    return QuestionSet.objects.editable()


class FrozenQuestionSetMixin:
    """For the admins of question sets, sections and questions: an object whose question set
    a session uses is shown read-only and cannot be deleted, even by "Delete selected"."""

    @staticmethod
    def _question_set_of(obj):
        """The question set `obj` belongs to; the admins of sets and questions say otherwise."""
        return obj.question_set if getattr(obj, "question_set_id", None) else None

    def _is_frozen_obj(self, obj):
        return obj is not None and _is_frozen(self._question_set_of(obj))

    def has_change_permission(self, request, obj=None):
        return not self._is_frozen_obj(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_frozen_obj(obj) and super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        frozen = [f"{obj} (frozen: sessions use it)" for obj in objs if self._is_frozen_obj(obj)]
        return deleted, counts, perms_needed, [*protected, *frozen]

    @admin.display(description="Can it change?")
    def frozen_note(self, obj):
        question_set = self._question_set_of(obj) if obj is not None else None
        if question_set is None or question_set.pk is None:
            return "Yes: a new question set can be edited until a session uses it."
        if _is_frozen(question_set):
            return format_html(
                "<strong>No, frozen: sessions use this version.</strong> {} Select it in the "
                "list of question sets and choose the action “Make a new version to edit”.",
                FROZEN_MESSAGE,
            )
        return "Yes: no session uses this version yet. Once one does, it is frozen."


class QuestionSetPartAdminMixin:
    """For the admins of sections and questions: the app's editor of a question set guards its
    sections and questions with the set's revision (programmes/question_sets.py), so adding,
    changing or deleting one here bumps it, and an editor opened before is refused as stale.
    `question_set_path` leads from the part to its set's id."""

    question_set_path = None

    def _question_set_ids(self, pks):
        return set(self.model._default_manager.filter(pk__in=pks).values_list(self.question_set_path, flat=True))

    def save_model(self, request, obj, form, change):
        before = self._question_set_ids([obj.pk]) if change else set()  # it may move to another set
        super().save_model(request, obj, form, change)
        obj._admin_question_set_ids = before | self._question_set_ids([obj.pk])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change or form.has_changed() or any(formset.has_changed() for formset in formsets):
            bump(QuestionSet, form.instance._admin_question_set_ids)

    def delete_model(self, request, obj):
        question_set_ids = self._question_set_ids([obj.pk])
        super().delete_model(request, obj)
        bump(QuestionSet, question_set_ids)

    def delete_queryset(self, request, queryset):
        question_set_ids = set(queryset.values_list(self.question_set_path, flat=True))
        super().delete_queryset(request, queryset)
        bump(QuestionSet, question_set_ids)


# --- Partnerships, partners and people -------------------------------------------------------


def _partner_label(partner):
    return f"{partner.name} ({partner.partnership.name})"


def _partner_field(field):
    """A choice of partner organisation that names each one's partnership: the same body may
    be a partner in two partnerships."""
    field.queryset = field.queryset.select_related("partnership")
    field.label_from_instance = _partner_label
    return field


class PartnerInline(RevisionInlineMixin, admin.TabularInline):
    model = Partner
    fields = ["name", "short_name", "kind", "contact_email"]
    extra = 0
    show_change_link = True


class PartnershipForm(forms.ModelForm):
    """A partnership, with its logo to upload (or remove): the same field and the same writes
    as the partnership's own logo page (challenge.logos.LogoField, programmes.partnership_logos)."""

    logo_file = LogoField(required=False)
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = Partnership
        fields = ["name", "slug", "description"]


@admin.register(Partnership)
class PartnershipAdmin(RevisionAdminMixin, admin.ModelAdmin):  # its partners' revisions
    form = PartnershipForm
    list_display = ["name", "slug", "partner_count", "member_count", "created_at"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "logo_file", "remove_logo"]
    inlines = [PartnerInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # as `create_partnership` does: its own copy of the standard question sets
            copy_standard_question_sets(obj)
        logo = form.cleaned_data.get("logo_file")
        if logo:
            partnership_logos.set_logo(obj, data=logo.data)
        elif form.cleaned_data.get("remove_logo"):
            partnership_logos.remove_logo(obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                partner_count=Count("partners", distinct=True),
                member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True),
            )
        )

    @admin.display(description="Partners", ordering="partner_count")
    def partner_count(self, obj):
        return obj.partner_count

    @admin.display(description="Active members", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(Partner)
class PartnerAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "partnership", "kind", "contact_email", "people_count"]
    list_filter = ["partnership", "kind"]
    list_select_related = ["partnership"]
    search_fields = ["name", "short_name", "partnership__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("memberships"))

    @admin.display(description="People", ordering="people_count")
    def people_count(self, obj):
        return obj.people_count


class MembershipInline(RevisionInlineMixin, admin.TabularInline):
    """A person's memberships on their own page: their organisation and roles in each
    partnership (`Membership.clean` checks the organisation is one of the partnership's)."""

    model = Membership
    fields = ["partnership", "partner", "is_facilitator", "is_officer", "is_active"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partnership", "partner__partnership")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _partner_field(field) if db_field.name == "partner" else field


@admin.register(Membership)
class MembershipAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["person", "partnership", "partner", "is_facilitator", "is_officer", "is_councillor", "is_active"]
    list_filter = ["partnership", "is_facilitator", "is_officer", "is_councillor", "is_active"]
    list_select_related = ["person", "partnership", "partner"]
    search_fields = ["person__username", "person__first_name", "person__last_name", "partner__name"]
    autocomplete_fields = ["person"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _partner_field(field) if db_field.name == "partner" else field


@admin.register(User)
class UserAdmin(RevisionAdminMixin, BaseUserAdmin):  # their memberships' revisions
    fieldsets = (
        *BaseUserAdmin.fieldsets[:2],
        ("Work", {"fields": ("job_title",)}),
        *BaseUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (
            "Person",
            {
                "classes": ("wide",),
                "fields": ("first_name", "last_name", "email", "job_title"),
            },
        ),
    )
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "organisations", "job_title", "is_staff"]
    list_filter = ["memberships__partnership", "is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.filter(is_active=True).select_related("partner", "partnership"),
                    to_attr="listed_memberships",
                )
            )
        )

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description="Organisation (partnership)")
    def organisations(self, obj):
        memberships = getattr(obj, "listed_memberships", None)
        if memberships is None:
            memberships = obj.active_memberships()
        return "; ".join(
            f"{m.partner.label if m.partner_id else 'no organisation'}"
            f"{' · officer' if m.is_officer else ''}{' · facilitator' if m.is_facilitator else ''}"
            f" ({m.partnership.name})"
            for m in memberships
        )


# --- Thematic areas and programmes -------------------------------------------------------


class FocusTopicInline(admin.TabularInline):
    model = FocusTopic
    fields = ["name", "position"]
    extra = 1


@admin.register(ThematicArea)
class ThematicAreaAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["name", "partnership", "lead_partner", "lead_officer"]
    list_filter = ["partnership", "lead_partner"]
    list_select_related = ["partnership", "lead_partner", "lead_officer"]
    search_fields = ["name", "description", "focus_topics__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead_officer"]
    fields = ["partnership", "name", "slug", "description", "lead_partner", "lead_officer"]
    inlines = [FocusTopicInline]
    inlines_bump = "topics_revision"  # the app guards the list of focus topics with it

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _partner_field(field) if db_field.name == "lead_partner" else field


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["title", "date", "precision", "owner", "done"]
    extra = 1


class ProgrammeAdminForm(forms.ModelForm):
    """What the model cannot check of its many-to-many fields: the areas are the
    partnership's, and the facilitators its active members."""

    def clean(self):
        cleaned = super().clean()
        partnership = cleaned.get("partnership")
        if partnership is None:
            return cleaned
        outside = [area.name for area in cleaned.get("areas") or () if area.partnership_id != partnership.pk]
        if outside:
            self.add_error("areas", f"Not areas of {partnership.name}: {', '.join(outside)}.")
        facilitators = list(cleaned.get("facilitators") or ())
        members = set(
            Membership.objects.filter(
                partnership=partnership, is_active=True, person__in=[person.pk for person in facilitators]
            ).values_list("person_id", flat=True)
        )
        strangers = [person.display_name for person in facilitators if person.pk not in members]
        if strangers:
            self.add_error("facilitators", f"Not active members of {partnership.name}: {', '.join(strangers)}.")
        return cleaned


@admin.register(Programme)
class ProgrammeAdmin(RevisionAdminMixin, admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ["name", "partnership", "start_date", "end_date", "self_evaluation_deadline", "question_set"]
    list_filter = ["partnership", "question_set"]
    list_select_related = ["partnership", "question_set"]
    search_fields = ["name", "partnership__name", "description"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["areas", "facilitators"]
    inlines = [MilestoneInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "partnership", "description"]}),
        ("Dates", {"fields": ["start_date", "end_date", "self_evaluation_deadline"]}),
        ("Work", {"fields": ["question_set", "areas", "facilitators", "status"]}),
    ]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "date", "precision", "owner", "done"]
    list_editable = ["done"]
    list_filter = ["programme", "done", "precision"]
    list_select_related = ["programme"]
    search_fields = ["title", "owner", "programme__name"]
    date_hierarchy = "date"


# --- Question sets -----------------------------------------------------------------------


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["title", "position", "question_count"]
    readonly_fields = ["question_count"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="Questions")
    def question_count(self, obj):
        return getattr(obj, "question_count", 0) if obj.pk else "–"

    # `obj` is the question set whose change page this is.
    def has_add_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(QuestionSet)
class QuestionSetAdmin(FrozenQuestionSetMixin, RevisionAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "partnership",
        "family",
        "version",
        "frozen",
        "session_count",
        "created_at",
    ]
    list_filter = ["partnership", "family"]
    list_select_related = ["partnership"]
    search_fields = ["name", "family", "description"]
    readonly_fields = ["frozen_note", "based_on", "later_version_links"]
    fieldsets = [
        (None, {"fields": ["frozen_note", "partnership", "name", "family", "version", "description"]}),
        ("History", {"fields": ["based_on", "later_version_links", "created_at"]}),
    ]
    inlines = [SectionInline]
    inlines_bump = "revision"  # the app's editor of the set guards its sections with it
    actions = ["make_new_version"]

    @staticmethod
    def _question_set_of(obj):
        return obj

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    @admin.display(description="Frozen", boolean=True, ordering="session_count")
    def frozen(self, obj):
        return obj.is_frozen

    @admin.display(description="Sessions", ordering="session_count")
    def session_count(self, obj):
        return obj.session_count

    @admin.display(description="Later versions")
    def later_version_links(self, obj):
        if obj.pk is None:
            return "–"
        later = obj.later_versions.order_by("version")
        if not later:
            return "–"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:programmes_questionset_change", args=[qs.pk]), str(qs)) for qs in later),
        )

    @admin.action(description="Make a new version to edit", permissions=["add"])
    def make_new_version(self, request, queryset):
        for question_set in queryset.order_by("family", "version"):
            copy = new_question_set_version(question_set=question_set)
            url = reverse("admin:programmes_questionset_change", args=[copy.pk])
            self.message_user(
                request,
                format_html(
                    'Made <a href="{}">{}</a> from version {} to edit. Programmes still use '
                    "the version they had: choose the new one on each programme that should "
                    "move to it.",
                    url,
                    copy,
                    question_set.version,
                ),
                messages.SUCCESS,
            )


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["text", "answer_kind", "position"]
    show_change_link = True
    extra = 0

    # `obj` is the section whose change page this is.
    def _frozen(self, obj):
        return obj is not None and _is_frozen(obj.question_set)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Section)
class SectionAdmin(FrozenQuestionSetMixin, QuestionSetPartAdminMixin, admin.ModelAdmin):
    list_display = ["title", "question_set", "position"]
    list_filter = ["question_set"]
    list_select_related = ["question_set"]
    search_fields = ["title", "description", "question_set__name"]
    readonly_fields = ["frozen_note"]
    fields = ["frozen_note", "question_set", "title", "description", "position"]
    inlines = [QuestionInline]
    question_set_path = "question_set"

    @staticmethod
    def _question_set_of(obj):
        return obj.question_set if obj.question_set_id else None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question_set")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "question_set":
            kwargs["queryset"] = _editable_question_sets()
            kwargs["help_text"] = "Only versions that no session uses yet can take new sections."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Question)
class QuestionAdmin(FrozenQuestionSetMixin, QuestionSetPartAdminMixin, admin.ModelAdmin):
    list_display = ["text", "section", "question_set", "answer_kind", "position"]
    list_filter = ["section__question_set", "answer_kind"]
    list_select_related = ["section__question_set"]
    search_fields = ["text", "guidance", "section__title"]
    readonly_fields = ["frozen_note"]
    fields = ["frozen_note", "section", "text", "guidance", "answer_kind", "position"]
    question_set_path = "section__question_set"

    @staticmethod
    def _question_set_of(obj):
        return obj.section.question_set if obj.section_id else None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section__question_set")

    @admin.display(description="Question set", ordering="section__question_set")
    def question_set(self, obj):
        return obj.section.question_set

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = _editable_sections()
            kwargs["help_text"] = "Only sections of versions that no session uses yet."
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda s: f"{s.question_set} — {s.title}"
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SignOnProviderAdminForm(SignOnProviderForm):
    """The organisation's single sign-on page's form, with the organisation to choose: the
    secret is typed, kept sealed, never shown back."""

    class Meta(SignOnProviderForm.Meta):
        fields = ["partner", *SignOnProviderForm.Meta.fields]

    field_order = ["partner", *SignOnProviderForm.field_order]

    def validate_unique(self):
        forms.ModelForm.validate_unique(self)  # one provider per organisation

    def clean(self):
        cleaned = super().clean()
        has_secret = cleaned.get("new_secret") or cleaned.get("client_secret_env") or self.instance.client_secret_sealed
        if not has_secret:
            self.add_error("new_secret", "Give the client secret, or the environment variable that holds it.")
        return cleaned


@admin.register(SignOnProvider)
class SignOnProviderAdmin(RevisionAdminMixin, admin.ModelAdmin):
    form = SignOnProviderAdminForm
    list_display = ["partner", "issuer", "client_id", "email_domains", "required", "enabled"]
    list_select_related = ["partner__partnership"]
    exclude = ["revision"]

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("new_secret"):
            obj.set_client_secret(form.cleaned_data["new_secret"])
        if obj.client_secret_env:
            obj.client_secret_sealed = ""
        super().save_model(request, obj, form, change)


@admin.register(ScrutinyPanel)
class ScrutinyPanelAdmin(RevisionAdminMixin, admin.ModelAdmin):
    """A partnership's scrutiny panels; facilitators manage them in the app too."""

    list_display = ["name", "partnership", "chair"]
    list_filter = ["partnership"]
    list_select_related = ["partnership", "chair"]
    search_fields = ["name", "partnership__name"]
    autocomplete_fields = ["chair", "members"]
    readonly_fields = ["revision"]


@admin.register(CabinetPortfolio)
class CabinetPortfolioAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["title", "holder", "partnership"]
    list_filter = ["partnership"]
    list_select_related = ["partnership", "holder"]
    search_fields = ["title", "holder__last_name", "partnership__name"]
    autocomplete_fields = ["holder", "areas"]
    readonly_fields = ["revision"]
