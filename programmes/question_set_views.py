"""The partnership's question set pages (issue 13): thin views behind
`partnership_to_manage`; reads and edits in programmes/question_sets.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import ConflictBox, StaleEdit, reopen_at
from programmes import question_sets
from programmes.models import Partnership, Question, Section
from programmes.permissions import get_partnership_to_manage
from programmes.question_set_forms import (
    AddQuestionForm,
    AddSectionForm,
    MoveForm,
    NewVersionForm,
    QuestionForm,
    RevisionForm,
    SectionForm,
    UseForProgrammeForm,
)


def partnership_to_manage(user, slug) -> Partnership:
    return get_partnership_to_manage(user, slug, what="set up its question sets")


def _version_url(partnership, question_set) -> str:
    return reverse("question_set_detail", args=[partnership.slug, question_set.pk])


def _refusal_message(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
@login_required
def question_set_list(request, slug):
    partnership = partnership_to_manage(request.user, slug)
    families, standard = question_sets.question_set_families(partnership)
    # Each "make a new version" button its own one-time token: sent twice, one makes one version.
    for version in [*standard, *(v for family in families for v in family.versions)]:
        version.new_version_form = NewVersionForm(auto_id=False)
    return render(
        request,
        "programmes/question_sets/list.html",
        {"partnership": partnership, "families": families, "standard": standard},
    )


@require_GET
@login_required
def question_set_detail(request, slug, pk):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk, usage=True)
    programmes = question_sets.programmes_to_move(partnership, question_set)
    listed = list(programmes)
    return render(
        request,
        "programmes/question_sets/detail.html",
        {
            "partnership": partnership,
            "question_set": question_set,
            "sections": question_sets.sections_of(question_set),
            "refusal": question_sets.refusal(question_set),
            "new_version_form": NewVersionForm(auto_id=False),
            "use_form": UseForProgrammeForm(programmes=programmes, listed=listed) if listed else None,
        },
    )


@require_POST
@login_required
def question_set_new_version(request, slug, pk):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk)
    form = NewVersionForm(request.POST)
    token = form.submitted_token if form.is_valid() else None
    copy = question_sets.make_new_version(partnership=partnership, question_set=question_set, submission_token=token)
    messages.success(request, f"Made version {copy.version} of “{copy.name}”, based on version {question_set.version}.")
    return redirect(_version_url(partnership, copy))


def _edit_page(request, partnership, question_set, form, *, heading, button, section=None, question=None):
    conflict = getattr(form, "conflict", None)
    return render(
        request,
        "programmes/question_sets/edit_form.html",
        {
            "partnership": partnership,
            "question_set": question_set,
            "form": form,
            "heading": heading,
            "button": button,
            "section": section,
            "question": question,
            "refusal": question_sets.refusal(question_set),
            "conflict": conflict,
        },
        status=409 if form.errors and form.non_field_errors() else 200,
    )


def _save(form, action, saved_now=None):
    """Run the edit; on a refusal put its message beside the form and return None. When the
    version moved on since the form was opened, `saved_now()` (if given) tells what the
    record edited says now, for the conflict box beside the form."""
    try:
        return action()
    except StaleEdit as error:
        form.add_error(None, error)
        reopen_at(form, error.current.revision)
        if saved_now is not None:
            form.conflict = saved_now()
    except ValidationError as error:
        form.add_error(None, _refusal_message(error))
    return None


def _section_now(section) -> ConflictBox:
    current = Section.objects.filter(pk=section.pk).first()
    if current is None:
        return ConflictBox(noun="this section", saved_at=None, saved=[("Section", "It has been removed.")])
    return ConflictBox(
        noun="this section",
        saved_at=None,
        saved=[("Title", current.title), ("Description", current.description)],
    )


def _question_now(question) -> ConflictBox:
    current = Question.objects.filter(pk=question.pk).first()
    if current is None:
        return ConflictBox(noun="this question", saved_at=None, saved=[("Question", "It has been retired.")])
    return ConflictBox(
        noun="this question",
        saved_at=None,
        saved=[
            ("Question", current.text),
            ("Guidance", current.guidance),
            ("How it is answered", current.get_answer_kind_display()),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def section_form(request, slug, pk, section_pk=None):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk)
    section = question_sets.section_of(question_set, section_pk) if section_pk else None
    initial = {"revision": question_set.revision}
    if section is not None:
        initial.update(title=section.title, description=section.description)
    form = (SectionForm if section else AddSectionForm)(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        revision = form.cleaned_data["revision"]
        if section is None:
            saved = _save(
                form,
                lambda: question_sets.add_section(
                    question_set=question_set,
                    expected_revision=revision,
                    submission_token=form.submitted_token,
                    **form.fields_to_save(),
                ),
            )
        else:
            saved = _save(
                form,
                lambda: question_sets.edit_section(
                    section=section, expected_revision=revision, **form.fields_to_save()
                ),
                lambda: _section_now(section),
            )
        if saved is not None:
            messages.success(request, f"Saved the section “{saved.title}”.")
            return redirect(_version_url(partnership, question_set) + f"#section-{saved.pk}")
    heading = "Rename the section" if section else "Add a section"
    return _edit_page(request, partnership, question_set, form, heading=heading, button="Save section", section=section)


@require_http_methods(["GET", "POST"])
@login_required
def question_form(request, slug, pk, section_pk=None, question_pk=None):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk)
    question = question_sets.question_of(question_set, question_pk) if question_pk else None
    section = question.section if question else question_sets.section_of(question_set, section_pk)
    initial = {"revision": question_set.revision, "answer_kind": "text"}
    if question is not None:
        initial.update(text=question.text, guidance=question.guidance, answer_kind=question.answer_kind)
    form = (QuestionForm if question else AddQuestionForm)(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        revision = form.cleaned_data["revision"]
        if question is None:
            saved = _save(
                form,
                lambda: question_sets.add_question(
                    section=section,
                    expected_revision=revision,
                    submission_token=form.submitted_token,
                    **form.fields_to_save(),
                ),
            )
        else:
            saved = _save(
                form,
                lambda: question_sets.edit_question(
                    question=question, expected_revision=revision, **form.fields_to_save()
                ),
                lambda: _question_now(question),
            )
        if saved is not None:
            messages.success(request, "Saved the question.")
            return redirect(_version_url(partnership, question_set) + f"#question-{saved.pk}")
    heading = "Reword the question" if question else f"Add a question to “{section.title}”"
    return _edit_page(
        request,
        partnership,
        question_set,
        form,
        heading=heading,
        button="Save question",
        section=section,
        question=question,
    )


def _button(request, partnership, question_set, form_class, action, done):
    """A move or retire button of the version page: do it, or say why not, and go back."""
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "That change could not be made: reload the page and try again.")
    else:
        try:
            action(form)
        except ValidationError as error:
            messages.error(request, _refusal_message(error))
        else:
            messages.success(request, done)
    return redirect(_version_url(partnership, question_set))


@require_POST
@login_required
def section_move(request, slug, pk, section_pk):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk)
    section = question_sets.section_of(question_set, section_pk)
    return _button(
        request,
        partnership,
        question_set,
        MoveForm,
        lambda form: question_sets.move_section(
            section=section, expected_revision=form.cleaned_data["revision"], direction=form.step
        ),
        f"Moved the section “{section.title}”.",
    )


@require_POST
@login_required
def question_move(request, slug, pk, question_pk):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk)
    question = question_sets.question_of(question_set, question_pk)
    return _button(
        request,
        partnership,
        question_set,
        MoveForm,
        lambda form: question_sets.move_question(
            question=question, expected_revision=form.cleaned_data["revision"], direction=form.step
        ),
        "Moved the question.",
    )


@require_POST
@login_required
def question_retire(request, slug, pk, question_pk):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk)
    question = question_sets.question_of(question_set, question_pk)
    return _button(
        request,
        partnership,
        question_set,
        RevisionForm,
        lambda form: question_sets.retire_question(question=question, expected_revision=form.cleaned_data["revision"]),
        f"Retired the question “{question.text}” from version {question_set.version}.",
    )


@require_POST
@login_required
def question_set_use(request, slug, pk):
    partnership = partnership_to_manage(request.user, slug)
    question_set = question_sets.question_set_of(partnership, pk)
    form = UseForProgrammeForm(request.POST, programmes=partnership.programmes.all())
    if form.is_valid():
        programme = question_sets.use_for_programme(
            partnership=partnership, question_set=question_set, programme=form.cleaned_data["programme"]
        )
        messages.success(
            request,
            f"New sessions of “{programme.name}” will use version {question_set.version}; "
            "its sessions so far keep theirs.",
        )
    else:
        messages.error(request, "Choose one of the partnership's programmes.")
    return redirect(_version_url(partnership, question_set))
