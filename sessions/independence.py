"""Who may challenge whom: the independence rule of each kind of session, in one place.

A session's challengers (Participant.Role.REVIEWER) must be independent of what they
challenge, but what independence means depends on the kind of session:

- Peer challenge (Salford's CAA sessions): critical friends come from *another organisation*
  than the one leading the area.
- Scrutiny panel: independence is between the *executive and scrutiny functions* (Local
  Government Act 2000), not between organisations. A councillor of the same council may
  question its officers; a cabinet member may not sit on the panel for an area of their own
  portfolio, because they would be scrutinising their own decisions. Only councillors sit on
  a panel.
- Stretch and challenge (Southampton's weekly sessions): a service lead's own managers and
  colleagues challenge them, so organisation does not matter; what matters is that nobody
  challenges their own service. The area's lead officer and its presenters are the ones
  challenged, so they cannot be challengers of that area.

Each rule answers the same questions: why these people cannot be the session's challengers
(the session forms and services, beside the field), and why this challenger cannot post a
challenge on this area (the workspace)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from programmes.models import CabinetPortfolio, Membership, SessionKind


@dataclass(frozen=True)
class IndependenceRule(ABC):
    """What each kind's rule answers (PeerRule, ScrutinyRule, StretchRule below)."""

    kind: str
    challengers_label: str  # what the session's reviewers are called in this kind
    principle: str  # the rule in one sentence, shown beside the challengers and in refusals

    @abstractmethod
    def conflicts(self, *, areas, people, partners, partnership_id, presenters=()) -> list[str]:
        """A message for each of `people` who cannot challenge `areas` in this kind of
        session. `partners` maps person id to their organisation in the partnership
        (programmes.selectors.partners_in); `presenters` are the session's presenter parts."""

    @abstractmethod
    def comment_refusal(self, access, area) -> str | None:
        """Why the session's challenger `access.user` may not challenge `area`, or None."""


class PeerRule(IndependenceRule):
    def conflicts(self, *, areas, people, partners, partnership_id, presenters=()) -> list[str]:
        leads = {}
        for area in areas:
            leads.setdefault(area.lead_partner_id, []).append(area)
        messages = []
        for person in people:
            partner = partners.get(person.pk)
            led = leads.get(partner.pk) if partner is not None else None
            if led:
                names = " and ".join(a.name for a in led)
                messages.append(
                    f"{person.display_name} cannot be a peer reviewer here: their organisation, "
                    f"{led[0].lead_partner.name}, leads {names}. {self.principle}"
                )
        return messages

    def comment_refusal(self, access, area) -> str | None:
        if access.partner is not None and access.partner.pk == area.lead_partner_id:
            return (
                f"Your organisation leads {area.name}, so you cannot challenge it: a critical friend comes "
                "from another organisation."
            )
        return None


class ScrutinyRule(IndependenceRule):
    def conflicts(self, *, areas, people, partners, partnership_id, presenters=()) -> list[str]:
        people = [p for p in people if p is not None]
        if not people:
            return []
        ids = [p.pk for p in people]
        councillors = set(
            Membership.objects.filter(
                partnership=partnership_id, person__in=ids, is_active=True, is_councillor=True
            ).values_list("person_id", flat=True)
        )
        held = _portfolios(partnership_id, ids, [a.pk for a in areas])
        messages = []
        for person in people:
            if person.pk not in councillors:
                messages.append(
                    f"{person.display_name} cannot sit on the panel: they are not a councillor of "
                    "this partnership. A scrutiny panel's members are elected members."
                )
            for title, area_name in held.get(person.pk, []):
                messages.append(
                    f"{person.display_name} cannot sit on the panel for {area_name}: as {title} they "
                    f"hold that portfolio. {self.principle}"
                )
        return messages

    def comment_refusal(self, access, area) -> str | None:
        held = _portfolios(access.session.programme.partnership_id, [access.user.pk], [area.pk])
        for title, area_name in held.get(access.user.pk, []):
            return f"As {title} you hold {area_name}, so you cannot scrutinise it. {self.principle}"
        return None


def _portfolios(partnership_id, person_ids, area_ids) -> dict:
    """(portfolio title, area name) by holder, for the portfolios of these people that hold
    any of these areas: one query."""
    rows = CabinetPortfolio.objects.filter(
        partnership=partnership_id, holder__in=person_ids, areas__in=area_ids
    ).values_list("holder_id", "title", "areas__name")
    held = {}
    for holder_id, title, area_name in rows:
        held.setdefault(holder_id, []).append((title, area_name))
    return held


class StretchRule(IndependenceRule):
    def conflicts(self, *, areas, people, partners, partnership_id, presenters=()) -> list[str]:
        area_ids = {a.pk for a in areas}
        challenged = {}
        for area in areas:
            if area.lead_officer_id is not None:
                challenged.setdefault(area.lead_officer_id, []).append(area.name)
        for part in presenters:
            if part.area_id in area_ids:
                challenged.setdefault(part.person_id, []).append(part.area.name)
        messages = []
        for person in people:
            if person is not None and person.pk in challenged:
                names = " and ".join(sorted(set(challenged[person.pk])))
                messages.append(
                    f"{person.display_name} cannot challenge {names}: they lead or present it. {self.principle}"
                )
        return messages

    def comment_refusal(self, access, area) -> str | None:
        if access.presents(area):
            return f"You lead or present {area.name}, so you cannot challenge it. {self.principle}"
        return None


RULES = {
    SessionKind.PEER: PeerRule(
        kind=SessionKind.PEER,
        challengers_label="Peer reviewers (critical friends)",
        principle="A critical friend must come from another organisation.",
    ),
    SessionKind.SCRUTINY: ScrutinyRule(
        kind=SessionKind.SCRUTINY,
        challengers_label="Panel members (councillors)",
        principle=(
            "Scrutiny is independent of the executive: a councillor may question their own council's "
            "officers, but a cabinet member may not scrutinise their own portfolio."
        ),
    ),
    SessionKind.STRETCH: StretchRule(
        kind=SessionKind.STRETCH,
        challengers_label="Challengers (managers and colleagues)",
        principle=(
            "In stretch and challenge the service lead's managers and colleagues challenge them; "
            "nobody challenges their own service."
        ),
    ),
}


def rule_for(kind) -> IndependenceRule:
    return RULES[SessionKind(kind or SessionKind.PEER)]
