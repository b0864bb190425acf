"""One record per submitted form: a double click, a resent form or a retried request makes
one comment, finding, action, milestone, session or build, never two.

Every create form carries a hidden one-time token, a uuid4 made when the form is rendered
(`SubmissionTokenMixin`). The row the form creates keeps it in a unique `submission_token`
column (`submission_token_field()`), and the service creates through `create_once`: a second
submission with the same token finds the row the first one made and returns it, so the view
answers it as a success. The unique index decides between two submissions that arrive
together; the loser's work is rolled back whole.

A form posted without a token (an old page, a script) is created as before, unprotected."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

FIELD = "submission_token"


def submission_token_field():
    """The model field that holds the token of the form that created the row."""
    return models.UUIDField(null=True, blank=True, unique=True, editable=False)


class SubmissionTokenMixin:
    """Adds the hidden one-time `submission_token` field to a form. An unbound form gets a
    fresh token each time it is rendered; a bound form (shown again with errors) keeps the
    one it was posted with, since nothing was saved under it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    @property
    def submitted_token(self):
        """The token the form was posted with (None if none). Not named like the field: a
        template's `form.submission_token` must find the field or nothing."""
        return self.cleaned_data.get(FIELD)


class SubmissionTokenForm(SubmissionTokenMixin, forms.Form):
    """A create form with nothing to fill in but its token (e.g. a "Build" button)."""


def submitted_before(model, data, **owner):
    """The row an earlier submission of this same form (its token in `data`, e.g.
    request.POST) created, or None. For a view to answer a resent form as the first was,
    before validating it again: re-validation could refuse the form because of the very row
    it created (a facilitator "already booked" by the session just made)."""
    try:
        token = uuid.UUID(str(data.get(FIELD, "")))
    except ValueError:
        return None
    try:
        return _existing(model, token, owner)
    except ValidationError:
        return None  # not this user's: the service refuses it when it gets there


def _existing(model, token, owner):
    row = model._default_manager.filter(**{FIELD: token}).first()
    if row is not None and owner and any(getattr(row, k) != v for k, v in owner.items()):
        # Tokens are never shown, so this is a forged or garbled form, not a double click.
        raise ValidationError("This form has already been used. Reload the page and try again.")
    return row


def create_once(model, token, create, **owner):
    """Run `create()` — which makes one `model` row carrying `submission_token=token`, with
    everything that goes with it (history, links, e-mails queued on commit) — unless a row
    with this token exists; then return that row and do nothing. `owner` (e.g.
    `author_id=user.pk`) is what the existing row must match for it to be returned.

    `create` runs in a savepoint: when a concurrent submission with the same token wins the
    unique index, this one's partial work is rolled back and the winner's row returned."""
    if token is None:
        return create()
    existing = _existing(model, token, owner)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        existing = _existing(model, token, owner)
        if existing is None:
            raise
        return existing
