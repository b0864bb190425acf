"""The sign-in page (a work e-mail address, the organisations' buttons, a password), sign-out
with the provider's end-session, and a partner organisation's "Single sign-on" page for the
partnership's facilitators. Each works without JavaScript: forms and links only."""

import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from challenge import audit
from challenge.editing import ConflictBox, StaleEdit, reopen_at
from programmes import people, sign_on
from programmes.models import SignOnProvider
from programmes.permissions import get_partnership_to_manage
from programmes.sign_on_forms import PasswordSignInForm, SignOnProviderForm, WorkEmailForm


def _sign_in_context(request, **extra) -> dict:
    """What the sign-in page shows besides the password form: the e-mail form, a button per
    organisation with single sign-on, and after a sign-out the provider's own sign-out."""
    context = {
        "email_form": WorkEmailForm(),
        "providers": [p for p in sign_on.enabled_providers() if sign_on.issuer_allowed(p.issuer)],
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    signed_out_from = request.session.pop(sign_on.SIGNED_OUT_KEY, None)
    id_token = request.session.pop(sign_on.ID_TOKEN_KEY, "")
    if signed_out_from:
        provider = sign_on.provider_by_id(signed_out_from)
        if provider is not None:
            context["signed_out_from"] = provider
            context["end_session_url"] = sign_on.end_session_url(
                request, provider, request.build_absolute_uri(reverse("login")), id_token=id_token
            )
    context.update(extra)
    return context


class SignInView(auth_views.LoginView):
    """Django's sign-in, with single sign-on beside the password."""

    form_class = PasswordSignInForm

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        return sign_on.let_forms_reach_providers(response, context.get("providers", []))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**_sign_in_context(self.request), **context}

    def form_invalid(self, form):
        provider = getattr(form, "required_provider", None)
        if provider is not None:
            audit.log_event(
                logging.WARNING,
                "password sign-in refused (single sign-on required)",
                self.request,
                username=form.cleaned_data.get("username", ""),
                provider=provider.partner.name,
            )
        return super().form_invalid(form)


@require_POST
@csrf_protect
@never_cache
def sign_on_discover(request):
    """Home-realm discovery: the work e-mail address's organisation's provider, at once; a
    choice where several organisations use its domain; the password form where none does."""
    email_form = WorkEmailForm(request.POST)
    if not email_form.is_valid():
        context = _sign_in_context(request, email_form=email_form, form=PasswordSignInForm(request))
        response = render(request, "registration/login.html", context, status=400)
        return sign_on.let_forms_reach_providers(response, context["providers"])
    email = email_form.cleaned_data["email"]
    providers = sign_on.providers_for_email(email)
    if len(providers) == 1:
        request.sign_on_login_hint = email
        return sign_on.sign_on_login(request, providers[0].provider_id)
    context = _sign_in_context(request, email_form=email_form, form=PasswordSignInForm(request))
    if providers:
        context["providers"] = providers
        context["discovery"] = "several"
    else:
        context["discovery"] = "none"
        context["domain"] = sign_on.email_domain(email)
    return sign_on.let_forms_reach_providers(render(request, "registration/login.html", context), context["providers"])


class SignOutView(auth_views.LogoutView):
    """Django's sign-out; someone who signed in with their organisation's account is offered
    its sign-out too on the sign-in page that follows."""

    def post(self, request, *args, **kwargs):
        provider_id = request.session.get(sign_on.SESSION_KEY)
        id_token = request.session.get(sign_on.ID_TOKEN_KEY, "")
        response = super().post(request, *args, **kwargs)
        if provider_id:
            request.session[sign_on.SIGNED_OUT_KEY] = provider_id
            if id_token:
                request.session[sign_on.ID_TOKEN_KEY] = id_token
        return response


# --- A partner organisation's provider, for the partnership's facilitators ----------------------


def _provider_conflict(current) -> ConflictBox:
    return ConflictBox(
        noun="this organisation's single sign-on",
        saved_at=None,
        saved=[
            ("Issuer URL", current.issuer),
            ("Client id", current.client_id),
            ("E-mail domains", current.email_domains),
            ("Required", "yes" if current.required else "no"),
            ("In use", "yes" if current.enabled else "no"),
        ],
    )


@sensitive_post_parameters("new_secret")
@require_http_methods(["GET", "POST"])
@login_required
def partner_sign_on(request, slug, pk):
    partnership = get_partnership_to_manage(request.user, slug, what="set up its organisations' single sign-on")
    partner = people.partner_of(partnership, pk)
    provider = SignOnProvider.objects.filter(partner=partner).first() or SignOnProvider(partner=partner)
    form = SignOnProviderForm(request.POST or None, instance=provider)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = sign_on.save_provider(
                partner=partner,
                expected_revision=form.cleaned_data.get("revision") or 0,
                new_secret=form.cleaned_data["new_secret"],
                **form.provider_fields(),
            )
        except StaleEdit as error:
            conflict = _provider_conflict(error.current)
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            audit.log_event(logging.INFO, "single sign-on configured", request, provider=partner.name)
            messages.success(request, f"Saved the single sign-on of “{saved.partner.name}”.")
            return redirect("partner_list", slug=partnership.slug)
    return render(
        request,
        "programmes/people/partner_sign_on.html",
        {
            "partnership": partnership,
            "partner": partner,
            "provider": provider,
            "form": form,
            "conflict": conflict,
            "callback_url": request.build_absolute_uri(
                reverse("openid_connect_callback", args=[f"partner-{partner.pk}"])
            ),
        },
    )
