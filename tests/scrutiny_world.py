"""A small Southampton for the scrutiny tests: the council (leading children's social care)
and the CCG, officers, a facilitating scrutiny officer, councillors on the Children and
Families Scrutiny Panel, and the cabinet member holding the children's portfolio."""

import datetime
from dataclasses import dataclass

from programmes.models import CabinetPortfolio, Membership, ScrutinyPanel
from tests import factories as f


@dataclass
class Southampton:
    partnership: object
    council: object
    ccg: object
    area: object
    programme: object
    scrutiny_officer: object
    director: object
    service_lead: object
    colleague: object
    councillor: object
    chair: object
    cabinet_member: object
    panel: object
    portfolio: object


def councillor(partner, **kw):
    person = f.person(partner, **kw)
    Membership.objects.filter(person=person, partnership=partner.partnership).update(is_councillor=True)
    person.forget_memberships()
    return person


def southampton() -> Southampton:
    partnership = f.partnership(name="Southampton", slug="southampton")
    council = f.partner("Southampton City Council", partnership, short_name="SCC")
    ccg = f.partner("NHS Southampton CCG", partnership, short_name="CCG")
    scrutiny_officer = f.person(council, "scrutinyofficer", first_name="Mark", last_name="Pirnie")
    director = f.person(council, "rhenderson", first_name="Robert", last_name="Henderson")
    service_lead = f.person(council, "jfeeney", first_name="Jo", last_name="Feeney")
    colleague = f.person(council, "smurray", first_name="Steph", last_name="Murray")
    area = f.area(council, "Children's social care", lead_officer=service_lead)
    programme = f.programme(
        [area],
        [scrutiny_officer],
        name="Children and Families Scrutiny 2021-22",
        start_date=datetime.date(2021, 6, 1),
        end_date=datetime.date(2022, 5, 31),
        self_evaluation_deadline=datetime.date(2022, 5, 31),
    )
    chair = councillor(council, username="cllrchair", first_name="Anne", last_name="Chair")
    member = councillor(council, username="cllrmember", first_name="Bill", last_name="Member")
    cabinet_member = councillor(council, username="cllrcabinet", first_name="Cara", last_name="Cabinet")
    panel = ScrutinyPanel.objects.create(
        partnership=partnership, name="Children and Families Scrutiny Panel", chair=chair
    )
    panel.members.set([chair, member])
    portfolio = CabinetPortfolio.objects.create(
        partnership=partnership, title="Cabinet Member for Children's Social Care", holder=cabinet_member
    )
    portfolio.areas.set([area])
    return Southampton(
        partnership=partnership,
        council=council,
        ccg=ccg,
        area=area,
        programme=programme,
        scrutiny_officer=scrutiny_officer,
        director=director,
        service_lead=service_lead,
        colleague=colleague,
        councillor=member,
        chair=chair,
        cabinet_member=cabinet_member,
        panel=panel,
        portfolio=portfolio,
    )
