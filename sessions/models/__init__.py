from .notices import SessionNotice
from .session import ChallengeSession, Participant, SessionEvent, SessionQuerySet
from .workspace import (
    ANSWER_CONTENT_FIELDS,
    Answer,
    AnswerVersion,
    Comment,
    CommentVersion,
    Confidence,
    Direction,
)

__all__ = [
    "ANSWER_CONTENT_FIELDS",
    "Answer",
    "AnswerVersion",
    "ChallengeSession",
    "Comment",
    "CommentVersion",
    "Confidence",
    "Direction",
    "Participant",
    "SessionEvent",
    "SessionNotice",
    "SessionQuerySet",
]
