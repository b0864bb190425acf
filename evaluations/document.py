"""A mini self-evaluation as one document, in plain data: what its PDF, its Word version and its
accessible HTML version all show, in the same order.

`build_document` reads the area's compiled record (`selectors.compile_area`) once and returns
a JSON-serialisable dict; the three formats are drawn from that dict alone
(templates/evaluations/document/, evaluations.docx). A final version keeps the dict it was
finalised with (`SelfEvaluation.document`), so its Word and HTML versions show what its stored
PDF shows, whatever has changed since.

The cover shows the date as the app's clock has it (`challenge.clock.today`): a demonstration
of a past programme is dated on its demonstration day, not on the real one."""

import re

from challenge import clock
from evaluations.selectors import compile_area
from indicators.templatetags.indicators import indicator_chart, kpi_number, kpi_signed
from programmes.models import DOCUMENT_PARTS, AnswerKind, PartnershipLogo
from workspace.models import LIKELIHOOD_CHOICES, SCALE_CHOICES
from workspace.templatetags.workspace import _BULLET, _NUMBER, BANDS, band

FORMAT = 1
TOP_FINDINGS = 5
ACTIONS_DUE = 6

PART_TITLES = dict(DOCUMENT_PARTS)
# The words of the impact matrix's scales, lowest first ("rare" ... "almost certain").
LIKELIHOOD_WORDS = [label.split("–", 1)[1].strip() for _, label in LIKELIHOOD_CHOICES]
SCALE_WORDS = [label.split("–", 1)[1].strip() for _, label in SCALE_CHOICES]


# What XML 1.0 cannot carry (python-docx refuses it; HTML calls it an error and a PDF draws it
# as a box): the control characters other than tab and line breaks, lone surrogates, U+FFFE and
# U+FFFF. Text pasted from other programs can hold them.
NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(value):
    """`value` (a document, its lists and its strings) without the characters NOT_PRINTABLE."""
    if isinstance(value, str):
        return NOT_PRINTABLE.sub("", value)
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(item) for item in value]
    return value


def text_blocks(value) -> list:
    """Plain text as the `simple_text` filter lays it out: [("p", lines) | ("ul", items) |
    ("ol", items)], for the Word version."""
    blocks = []
    for block in re.split(r"\n\s*\n", str(value or "").strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            blocks.append(("ul", [_BULLET.sub("", line) for line in lines]))
        elif all(_NUMBER.match(line) for line in lines):
            blocks.append(("ol", [_NUMBER.sub("", line) for line in lines]))
        else:
            blocks.append(("p", lines))
    return blocks


def _person(user) -> str:
    return user.display_name if user else ""


def _date(value, long=False) -> str:
    """A date as the documents write it: "15 Jun 2009" (`long`: "15 June 2009")."""
    if not value:
        return ""
    return f"{value.day} {value:%B %Y}" if long else f"{value.day} {value:%b %Y}"


def _impact(impact) -> dict:
    likelihood, scale = impact.get("likelihood"), impact.get("scale")
    result = {"likelihood": likelihood, "scale": scale, "band": None, "score": None}
    if likelihood:
        result["likelihood_word"] = LIKELIHOOD_WORDS[likelihood - 1]
    if scale:
        result["scale_word"] = SCALE_WORDS[scale - 1]
    if likelihood and scale:
        position = band(likelihood, scale)
        result.update(band=position["label"], score=position["score"], colour=position["colour"])
    return result


def _last_rating(session_workspaces, kind, attribute) -> str:
    """The last answer of `kind` (direction of travel, confidence), sessions oldest first."""
    found = ""
    for session_workspace in session_workspaces:
        for section_block in session_workspace.sections:
            for block in section_block.questions:
                answer = block.answer
                if answer and block.question.answer_kind == kind and getattr(answer, attribute):
                    found = getattr(answer, f"get_{attribute}_display")()
    return found


def _finding(finding) -> dict:
    rests_on = [f"the answer to “{answer.question.text}”" for answer in finding.evidence_answers.all()]
    for comment in finding.evidence_comments.all():
        withdrawn = " (withdrawn by the author)" if comment.is_withdrawn else ""
        rests_on.append(f"{comment.get_kind_display().lower()} from {_person(comment.author)}{withdrawn}")
    return {
        "kind": finding.kind,
        "kind_label": finding.get_kind_display(),
        "title": finding.title,
        "text": finding.text,
        "flag": finding.is_flag,
        "themes": [theme.name for theme in finding.themes.all()],
        "rests_on": rests_on,
    }


def _action(action) -> dict:
    owner = _person(action.owner)
    if action.owner_partner_id:
        owner = f"{owner}, {action.owner_partner.label}"
    return {
        "description": action.description,
        "owner": owner,
        "due": _date(action.due_date),
        "status": action.status,
        "status_label": action.get_status_display(),
        "overdue": bool(getattr(action, "overdue", False)),
    }


def _indicator(indicator, anchor) -> dict:
    assessment = indicator.assessment
    facts = [indicator.get_polarity_display(), indicator.get_unit_display()]
    if indicator.source:
        facts.append(f"source: {indicator.source}")
    judgement = [f"Direction of travel: {assessment.direction_label.lower()}"]
    if assessment.on_track != "no_target":
        by = f" by {indicator.target_date:%B %Y}" if indicator.target_date else ""
        judgement.append(f"target {kpi_number(indicator.target)}{by}: {assessment.on_track_label.lower()}")
    if assessment.gap_national is not None:
        judgement.append(f"{kpi_signed(assessment.gap_national)} against national ({assessment.versus_national})")
    series = list(indicator.series)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.get_unit_display() if indicator.unit else "",
        "facts": "; ".join(facts) + ".",
        "judgement": "; ".join(judgement) + ".",
        "target": float(indicator.target) if indicator.target is not None else None,
        "rows": [
            {
                "period": value.period,
                "value": kpi_number(value.value),
                "national": kpi_number(value.national),
                "comparator": kpi_number(value.comparator),
                "numbers": [
                    float(number) if number is not None else None
                    for number in (value.value, value.national, value.comparator)
                ],
            }
            for value in series
        ],
        "chart": str(indicator_chart(indicator, series, False, f"{anchor}-chart-{indicator.code}")),
    }


def _thread(thread) -> dict:
    author = _person(thread.author)
    if thread.author_partner_id:
        author = f"{author} ({thread.author_partner.label})"
    return {
        "kind": thread.kind,
        "kind_label": thread.get_kind_display(),
        "author": author,
        "status": thread.status,
        "status_label": thread.get_status_display() if thread.kind != "commendation" else "",
        "text": thread.text,
        "unresolved_note": thread.status_note if thread.status == "unresolved" else "",
        "replies": [
            {"author": _person(reply.author), "text": reply.text}
            for reply in thread.thread_replies
            if not reply.is_withdrawn
        ],
    }


def _question(block) -> dict:
    answer = block.answer if block.answered else None
    rating = answer.rating if answer else None
    return {
        "number": block.number,
        "text": block.question.text,
        "answered": answer is not None,
        "answer": answer.text if answer else "",
        "rating": list(rating) if rating else None,
        "evidence": [
            {"title": item.get("title", ""), "where": item.get("link") or item.get("reference") or ""}
            for item in (answer.evidence if answer else [])
        ],
        "threads": [_thread(thread) for thread in block.threads if not thread.is_withdrawn],
    }


def _session(session_workspace) -> dict:
    session = session_workspace.session
    counts = session_workspace.counts
    return {
        "date": _date(session.date, long=True),
        "title": session.title,
        "answered": session_workspace.answered,
        "total": session_workspace.total,
        "challenges": {"open": counts.open, "addressed": counts.addressed, "unresolved": counts.unresolved},
        "sections": [
            {"title": section_block.section.title, "questions": [_question(b) for b in section_block.questions]}
            for section_block in session_workspace.sections
        ],
    }


def _since(since) -> dict | None:
    if since is None:
        return None
    previous = since.previous
    return {
        "previous": previous.name,
        "period": f"{previous.start_date:%B %Y} to {previous.end_date:%B %Y}",
        "rows": [[label, then or "Not rated", now or "Not rated"] for label, then, now in since.rows],
        "actions": [
            {
                **_action(action),
                "outcome": {"done": "Done", "dropped": "Dropped"}.get(
                    action.status,
                    f"Carried over ({action.get_status_display().lower()})"
                    + (", overdue" if getattr(action, "overdue", False) else ""),
                ),
            }
            for action in since.actions
        ],
        "raised_again": [
            f"{finding.get_kind_display()}: {finding.title}, raised again from “{finding.raised_again_from.title}” "
            f"({finding.raised_again_from.session.programme.name})."
            for finding in since.raised_again
        ],
    }


def partnership_logo(partnership) -> str:
    """The partnership's logo as a data: address ("" if it has none): one query."""
    logo = PartnershipLogo.objects.filter(partnership=partnership).first()
    return logo.data_url if logo else ""


def build_document(self_evaluation, compiled=None, *, anchor="se", logo=None) -> dict:
    """The mini self-evaluation `self_evaluation` as plain data (see the module's docstring);
    `logo`: the partnership's (`partnership_logo`), if read already."""
    compiled = compiled or compile_area(self_evaluation.programme, self_evaluation.area)
    programme, area = compiled.programme, compiled.area
    partnership = programme.partnership
    findings = [_finding(finding) for finding in compiled.findings]
    actions = [_action(action) for action in compiled.actions]
    sessions = [_session(session_workspace) for session_workspace in compiled.sessions]
    open_actions = [action for action in actions if action["status"] not in ("done", "dropped")]
    lead = area.lead_partner.name if area.lead_partner_id else ""
    if area.lead_officer_id:
        lead = f"{lead} ({_person(area.lead_officer)})"
    final = self_evaluation.is_final
    document = {
        "format": FORMAT,
        "anchor": anchor,
        "title": f"{area.name}: mini self-evaluation",
        "partnership": partnership.name,
        "logo": partnership_logo(partnership) if logo is None else logo,
        "programme": programme.name,
        "area": area.name,
        "focus_topics": [topic.name for topic in area.focus_topics.all()],
        "lead": lead,
        "version": self_evaluation.version,
        "status": self_evaluation.get_status_display(),
        "final": final,
        "draft": not final,
        # The app's day: the demonstration's own, not the real one.
        "date": _date(clock.today(), long=True),
        "deadline": _date(programme.self_evaluation_deadline, long=True),
        "finalised_by": _person(self_evaluation.finalised_by) if final else "",
        "session_names": [f"{session['title']}, {session['date']}" for session in sessions],
        "parts": [{"key": key, "title": PART_TITLES[key]} for key in programme.chosen_document_parts],
        "answered": sum(session["answered"] for session in sessions),
        "questions": sum(session["total"] for session in sessions),
        "summary": {
            "judgement": self_evaluation.conclusion,
            "impact": _impact(compiled.impact),
            "direction": _last_rating(compiled.sessions, AnswerKind.DIRECTION, "direction"),
            "confidence": _last_rating(compiled.sessions, AnswerKind.CONFIDENCE, "confidence"),
            "flags": [finding for finding in findings if finding["flag"]],
            "top_findings": [finding for finding in findings if not finding["flag"]][:TOP_FINDINGS],
            "actions_due": open_actions[:ACTIONS_DUE],
            "open_actions": len(open_actions),
        },
        "matrix": matrix(),
        "introduction": self_evaluation.introduction,
        "conclusion": self_evaluation.conclusion,
        "since": _since(compiled.since),
        "findings": findings,
        "actions": actions,
        "indicators": [_indicator(indicator, anchor) for indicator in compiled.indicators],
        "sessions": sessions,
    }
    return printable(document)


def matrix() -> dict:
    """The impact matrix: its rows, likelihood 5 (top) to 1, each cell of scale 1 to 5 with its
    score and band; the scale's words; and the colour key, lowest band first."""
    key, low = [], 1
    for limit, band_key, label, colour in BANDS:
        key.append({"key": band_key, "label": label, "scores": f"{low}–{limit}", "colour": colour})
        low = limit + 1
    rows = []
    for likelihood in range(5, 0, -1):
        cells = []
        for scale in range(1, 6):
            position = band(likelihood, scale)
            cells.append(
                {"scale": scale, "score": position["score"], "key": position["key"], "colour": position["colour"]}
            )
        rows.append({"likelihood": likelihood, "word": LIKELIHOOD_WORDS[likelihood - 1], "cells": cells})
    return {"rows": rows, "scale_words": SCALE_WORDS, "key": key}
