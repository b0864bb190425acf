"""The standard questions of the other kinds of session (issue 15), beside the CAA peer
challenge methodology (programmes/methodology.py): a partnership gets its own copy of a
kind's set the first time it schedules a session of that kind
(programmes.question_sets.question_set_for_kind), and edits it as any other set.

Section tuples are (question, guidance, answer kind), as in methodology.py."""

SCRUTINY = {
    "family": "scrutiny-panel-questions",
    "name": "Scrutiny panel questions",
    "description": (
        "What a scrutiny panel asks officers about a service's performance: against its targets and "
        "benchmarks, its improvement plan, and what the executive will do."
    ),
    "sections": [
        {
            "title": "Performance against benchmarks",
            "description": "How the service performs, compared with the national picture and similar councils.",
            "questions": [
                (
                    "How does performance compare with the national average and with statistical neighbours?",
                    "Give the key performance indicators with their national and comparator benchmarks.",
                    "text",
                ),
                (
                    "Is performance improving over a longer period?",
                    "Show the trend over several years, not only the latest quarter.",
                    "direction",
                ),
                (
                    "Where is data missing or awaited, and why?",
                    "Say which indicators cannot be reported yet and when they will be.",
                    "text",
                ),
            ],
        },
        {
            "title": "Improvement plan",
            "description": "Progress against the plan the panel is scrutinising.",
            "questions": [
                (
                    "What progress has been made against the improvement plan since the panel last met?",
                    "Priorities delivered, slipped or changed, and why.",
                    "text",
                ),
                (
                    "How is the plan governed and assured?",
                    "Boards, audits, stretch-and-challenge sessions and external advice.",
                    "text",
                ),
                (
                    "How confident are officers that the plan will deliver its targets?",
                    "Rate and explain your confidence.",
                    "confidence",
                ),
            ],
        },
        {
            "title": "The panel's questions",
            "description": "Questions members raised in advance or at the meeting.",
            "questions": [
                (
                    "What does the panel need to see at its next meeting?",
                    "Information, data or reports members have asked for.",
                    "text",
                ),
            ],
        },
    ],
}

STRETCH = {
    "family": "stretch-and-challenge-questions",
    "name": "Stretch and challenge questions",
    "description": "A short weekly review of a handful of KPIs with one service lead.",
    "sections": [
        {
            "title": "This week's indicators",
            "description": "The handful of KPIs reviewed, latest values first.",
            "questions": [
                (
                    "What do this week's figures show?",
                    "The latest values against target, and what moved since last week.",
                    "direction",
                ),
                (
                    "What is behind any figure off target?",
                    "Cases, capacity, data quality.",
                    "text",
                ),
            ],
        },
        {
            "title": "Stretch",
            "description": "What the service lead commits to before the next session.",
            "questions": [
                (
                    "What will you do differently before next week?",
                    "Actions with an owner and a date.",
                    "text",
                ),
            ],
        },
    ],
}

BY_KIND = {"scrutiny": SCRUTINY, "stretch": STRETCH}
