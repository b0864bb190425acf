from .core import (
    FROZEN_MESSAGE,
    AnswerKind,
    FocusTopic,
    Milestone,
    Partner,
    Programme,
    ProgrammeQuerySet,
    Question,
    QuestionSet,
    QuestionSetQuerySet,
    Section,
    ThematicArea,
    User,
)
from .indicators import Indicator, IndicatorValue

__all__ = [
    "FROZEN_MESSAGE",
    "AnswerKind",
    "FocusTopic",
    "Indicator",
    "IndicatorValue",
    "Milestone",
    "Partner",
    "Programme",
    "ProgrammeQuerySet",
    "Question",
    "QuestionSet",
    "QuestionSetQuerySet",
    "Section",
    "ThematicArea",
    "User",
]
