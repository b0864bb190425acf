"""The next cycle (next_cycle.toml): the programme rolled forward into its 2010 cycle through
the programmes' roll-forward service, with its one session."""

from dataclasses import dataclass, field

from demo.seed.files import load
from demo.seed.programme import seed_sessions
from findings.selectors import carried_over_actions
from programmes.cycles import roll_forward
from programmes.models import Programme


@dataclass
class Result:
    programme: Programme | None = None
    sessions: dict = field(default_factory=dict)
    carried: int = 0
    new: bool = False

    def summary(self):
        made = "rolled forward" if self.new else "already there"
        return (
            f"{self.programme.name} ({self.programme.status}, {made}): "
            f"{len(self.sessions)} session{'s' if len(self.sessions) != 1 else ''}, "
            f"{self.carried} open actions carried over"
        )


def seed_next_cycle(programme, areas, people) -> Result:
    """Roll `programme` forward into its next cycle unless it has been (a draft, as the
    service makes it: a facilitator may have changed it since, and that stands), and add the
    next cycle's sessions that are not there yet."""
    data = load("next_cycle.toml")
    result = Result()
    result.programme = Programme.objects.filter(previous=programme).first()
    if result.programme is None:
        result.programme = roll_forward(programme, start_date=data["start_date"])
        result.new = True
    result.sessions = seed_sessions(result.programme, areas, people, specs=data["session"])
    result.carried = len(carried_over_actions(result.programme))
    return result
