"""Forms of single sign-on: the sign-in page's e-mail address and password, and a partner
organisation's provider (programmes/sign_on.py)."""

import re
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from challenge.editing import add_service_errors
from programmes.models import SignOnProvider
from programmes.sign_on import internal_host, issuer_allowed, required_provider_for


class WorkEmailForm(forms.Form):
    email = forms.EmailField(
        label="Work e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="If your organisation signs you in with its own account, we send you there.",
    )


class SignOnAwarePasswordResetForm(PasswordResetForm):
    """Django's password reset, sending no link to people whose organisation requires single
    sign-on: a password would be refused for them anyway. The page answers the same either way,
    so it tells nobody which addresses have accounts."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if required_provider_for(user) is None)


class PasswordSignInForm(AuthenticationForm):
    """Django's sign-in form, refusing the password of someone whose organisation requires
    single sign-on, with the button to use instead."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "sign_on_required": "%(organisation)s signs its people in with their work account: "
        "use the “%(button)s” button instead of a password.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        provider = required_provider_for(user)
        if provider is not None:
            self.required_provider = provider
            raise ValidationError(
                self.error_messages["sign_on_required"],
                code="sign_on_required",
                params={"organisation": provider.partner.name, "button": provider.button_label},
            )


class SignOnProviderForm(forms.ModelForm):
    """A partner organisation's provider. The secret is typed, never shown back: empty keeps
    the one kept."""

    new_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SignOnProvider
        fields = [
            "issuer",
            "client_id",
            "client_secret_env",
            "email_domains",
            "trust_domain_addresses",
            "required",
            "enabled",
        ]

    field_order = [
        "issuer",
        "client_id",
        "new_secret",
        "client_secret_env",
        "email_domains",
        "trust_domain_addresses",
        "required",
        "enabled",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision
        if self.instance.client_secret_sealed:
            self.fields["new_secret"].help_text = "A secret is kept (not shown). Leave this empty to keep it."
        else:
            self.fields["new_secret"].help_text = "Kept encrypted, never shown again."

    def clean_issuer(self):
        issuer = self.cleaned_data["issuer"].rstrip("/")
        parts = urlsplit(issuer)
        if parts.scheme == "https" and internal_host(parts.hostname):
            raise ValidationError(
                "The issuer must be the provider's address on the internet, not a local or internal one."
            )
        if not issuer_allowed(issuer):
            raise ValidationError("The issuer must be an https address.")
        return issuer

    def clean_client_secret_env(self):
        name = self.cleaned_data["client_secret_env"]
        if name and not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            raise ValidationError("Capital letters, digits and underscores, e.g. POLICE_SSO_SECRET.")
        return name

    def clean_email_domains(self):
        domains = [d.strip().lower().lstrip("@") for d in self.cleaned_data["email_domains"].split(",") if d.strip()]
        bad = [d for d in domains if "." not in d or " " in d or "@" in d]
        if not domains or bad:
            raise ValidationError("Give the organisation's e-mail domains, e.g. gmp.police.uk, separated by commas.")
        return ", ".join(dict.fromkeys(domains))

    def validate_unique(self):
        """One provider per organisation: the service finds the existing one."""

    def provider_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def add_service_error(self, error: ValidationError) -> None:
        add_service_errors(self, error)
