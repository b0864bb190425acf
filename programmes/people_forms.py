"""Forms of a partnership's organisations and people pages (issue 13)."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError

from challenge.logos import LogoField
from challenge.submission import SubmissionTokenMixin
from challenge.validators import no_line_breaks
from programmes.models import Partner, User

ROLE_HELP = {
    "is_facilitator": "Sets the partnership up (organisations, people, areas, question sets, programmes) "
    "and manages every one of its programmes.",
    "is_officer": "Reads every programme of the partnership, its schedule and results, without taking part.",
    "is_councillor": "An elected member: may sit on the partnership's scrutiny panels and hold a cabinet portfolio.",
}


def _add_service_error(form, error: ValidationError) -> None:
    """A service's refusal beside the field it is about, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PartnerForm(SubmissionTokenMixin, forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Partner
        fields = ["name", "short_name", "kind", "contact_email"]
        labels = {"name": "Name", "kind": "Kind of organisation", "contact_email": "Contact e-mail"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["submission_token"]  # an edit, guarded by its revision instead
            self.fields["revision"].initial = self.instance.revision
        else:
            del self.fields["revision"]

    def validate_unique(self):
        """The name's uniqueness in the partnership is the service's to check (the form has
        no partnership field)."""

    def partner_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    add_service_error = _add_service_error


class _MembershipFields(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        label="Organisation",
        required=False,
        empty_label="None (works for none of the partners)",
    )
    job_title = forms.CharField(max_length=200, required=False, validators=[no_line_breaks])
    is_facilitator = forms.BooleanField(
        label="Partnership facilitator", required=False, help_text=ROLE_HELP["is_facilitator"]
    )
    is_officer = forms.BooleanField(label="Officer", required=False, help_text=ROLE_HELP["is_officer"])
    is_councillor = forms.BooleanField(label="Councillor", required=False, help_text=ROLE_HELP["is_councillor"])

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(partnership=partnership)

    add_service_error = _add_service_error


class PersonForm(SubmissionTokenMixin, _MembershipFields):
    """Add a person to the partnership."""

    first_name = forms.CharField(max_length=150, validators=[no_line_breaks])
    last_name = forms.CharField(max_length=150, validators=[no_line_breaks])
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="If this address already has an account (in another partnership), that person is added here "
        "too, with the name they have.",
    )
    invite = forms.BooleanField(
        label="Send them an invitation to set their password",
        required=False,
        initial=True,
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "job_title",
        "partner",
        "is_facilitator",
        "is_officer",
        "is_councillor",
        "invite",
    ]

    def person_fields(self) -> dict:
        names = ["first_name", "last_name", "email", "job_title", "partner", "is_facilitator", "is_officer"]
        names.append("is_councillor")
        return {name: self.cleaned_data[name] for name in names}


class MembershipForm(_MembershipFields):
    """Change someone's organisation, roles and job title in the partnership."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, membership, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "partner": membership.partner_id,
                "job_title": membership.person.job_title,
                "is_facilitator": membership.is_facilitator,
                "is_officer": membership.is_officer,
                "is_councillor": membership.is_councillor,
                "revision": membership.revision,
            },
        )
        super().__init__(*args, partnership=membership.partnership, **kwargs)

    def membership_fields(self) -> dict:
        names = ["partner", "job_title", "is_facilitator", "is_officer", "is_councillor"]
        return {name: self.cleaned_data[name] for name in names}


class PeopleImportForm(SubmissionTokenMixin, forms.Form):
    csv = forms.CharField(
        label="People (CSV)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Paste the rows here, or choose a file below.",
    )
    file = forms.FileField(label="Or a CSV file", required=False)
    invite = forms.BooleanField(label="Invite every new person by e-mail", required=False)

    MAX_BYTES = 1_000_000

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise ValidationError("The file is too large: at most 1 MB.")
            try:
                data["csv"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise ValidationError("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.") from error
        if not (data.get("csv") or "").strip():
            raise ValidationError("Paste the people's rows or choose a CSV file.")
        return data


class AcceptInvitationForm(SetPasswordForm):
    """Choose a password (Django's password validators apply)."""

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "The password again"


class LogoForm(forms.Form):
    """The partnership's logo page: a logo to upload (challenge.logos.LogoField, as in the admin)."""

    logo = LogoField(label="Choose a logo")

    add_service_error = _add_service_error
