"""The question set: installed by migration, frozen once used, edited by new versions."""

import pytest
from django.core.exceptions import ValidationError

from programmes import methodology
from programmes.models import Question, QuestionSet
from programmes.services import new_question_set_version
from tests import factories as f


@pytest.mark.django_db
def test_fresh_install_has_the_salford_methodology():
    qs = QuestionSet.objects.get(family="caa-challenge-methodology", version=1)
    sections = list(qs.sections.prefetch_related("questions"))
    assert [s.title for s in sections] == ["Impact", "Trajectory", "Improvement plan"]
    assert [len(s.questions.all()) for s in sections] == [4, 5, 6]
    first = sections[0].questions.all()[0]
    assert first.text == "What is the impact? And what is the likelihood that this will happen?"
    assert first.answer_kind == "likelihood"
    kinds = {q.text: q.answer_kind for s in sections for q in s.questions.all()}
    assert kinds["What is the scale of the impact?"] == "scale"
    assert kinds["Is it getting better?"] == "direction"
    assert kinds["Are we on the right trajectory?"] == "confidence"
    assert all(q.guidance for s in sections for q in s.questions.all())
    assert sum(len(s["questions"]) for s in methodology.SECTIONS) == 15


def test_used_question_set_is_frozen_and_new_version_leaves_it_alone(world):
    qs = world.programme.question_set
    assert qs.is_frozen  # world.session uses it
    question = Question.objects.filter(section__question_set=qs).first()
    with pytest.raises(ValidationError):
        question.full_clean()
    v2 = new_question_set_version(question_set=qs)
    assert (v2.family, v2.version, v2.based_on) == (qs.family, 2, qs)
    assert not v2.is_frozen
    assert Question.objects.filter(section__question_set=v2).count() == 15
    edited = Question.objects.filter(section__question_set=v2).first()
    edited.text = "What is the impact on residents?"
    edited.full_clean()
    edited.save()
    question.refresh_from_db()
    assert question.text == "What is the impact? And what is the likelihood that this will happen?"
    # The session keeps its version; new sessions in a programme moved to v2 use v2.
    world.programme.question_set = v2
    world.programme.save()
    world.session.refresh_from_db()
    assert world.session.question_set == qs
    later = f.session(world.programme, title="Later")
    assert later.question_set == v2
