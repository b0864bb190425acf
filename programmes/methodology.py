"""The Salford CAA challenge-session methodology (2009): the default question set.

Kept as plain data so the data migration that installs it, and the tests that check it, read
the same source. Migrations copy it rather than import it if it ever has to change shape.
"""

FAMILY = "caa-challenge-methodology"
NAME = "CAA challenge methodology"
DESCRIPTION = (
    "The questions Salford City Partnership used in its 2009 challenge sessions: the impact of "
    "poor performance, the trajectory of improvement, and the improvement plan."
)

SECTIONS = [
    {
        "title": "Impact",
        "description": "What is the impact of poor performance?",
        "questions": [
            (
                "What is the impact? And what is the likelihood that this will happen?",
                "Describe what happens to people and places if performance is poor, and rate "
                "how likely that is (1 = rare, 5 = almost certain).",
                "likelihood",
            ),
            (
                "What is the scale of the impact?",
                "How many people, which places, over what period? Rate the scale (1 = very limited, 5 = very wide).",
                "scale",
            ),
            (
                "How serious is it?",
                "Consider harm to individuals, cost, reputation and the partnership's statutory duties.",
                "text",
            ),
            (
                "Narrowing the gap: what are the implications for particular neighbourhoods or vulnerable people?",
                "Name the neighbourhoods or groups most affected and how the gap with the rest "
                "of the city is changing.",
                "text",
            ),
        ],
    },
    {
        "title": "Trajectory",
        "description": "Is performance improving, and will it continue to?",
        "questions": [
            (
                "Is it getting better?",
                "Give the direction of travel over the last few years, with the indicators that show it.",
                "direction",
            ),
            (
                "What are the prospects for improvement?",
                "What will change performance in the next year or two, for better or worse?",
                "text",
            ),
            (
                "Are we on the right trajectory?",
                "Compare the trend with the target and with national and comparator benchmarks; "
                "say how confident you are.",
                "confidence",
            ),
            (
                "How well are the improvements or outcomes being delivered?",
                "Pace, capacity, milestones met or missed.",
                "text",
            ),
            (
                "What will help it get better, i.e. what do we need to do to improve?",
                "Including what partners could do that they are not doing now.",
                "text",
            ),
        ],
    },
    {
        "title": "Improvement plan",
        "description": "How improvement is planned, delivered and evaluated.",
        "questions": [
            (
                "Describe the improvement planning mechanisms that are in place to monitor interventions.",
                "Boards, plans, performance reports and how often they are reviewed.",
                "text",
            ),
            (
                "What practical improvement activities are in place?",
                "The main programmes and projects, who delivers them and for whom.",
                "text",
            ),
            (
                "How do we know activities are making a difference, i.e. what evaluation exists?",
                "Evaluations, audits, user feedback and what they found.",
                "text",
            ),
            (
                "Have we demonstrated how partnership working is making a difference?",
                "Examples where working together achieved what no single partner could.",
                "text",
            ),
            (
                "What specific communities or groups of people have benefited from collaborative working?",
                "Name them and say how they benefited.",
                "text",
            ),
            (
                "What evidence do we have of improvement to outcomes?",
                "Indicators, case studies and external assessments.",
                "text",
            ),
        ],
    },
]
