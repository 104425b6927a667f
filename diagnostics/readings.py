"""The two ways 1–10 territory readings are compared, each defined once and named apart, since
« écart » used to mean one on the site dashboard and the other in the reports:

- the spread between readings (« écart entre les lectures »): highest minus lowest of the latest
  readings of one item by the kinds of respondent that gave one — how far apart they are, never
  negative;
- the facilitator − institutional difference (« différence animateur·rice − institutionnels »):
  signed, positive when the facilitator reads the territory more favourably — who sees it better.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

SPREAD_LABEL = _("Écart entre les lectures (plus haute − plus basse)")
DIFFERENCE_LABEL = _("Différence animateur·rice − institutionnels")

Score = Decimal | float


def reading_spread(scores: list[Score | None]) -> Score | None:
    """Highest minus lowest of the readings given; None with fewer than two."""
    present = [score for score in scores if score is not None]
    return max(present) - min(present) if len(present) >= 2 else None


def reading_difference(facilitator: Score | None, institutional: Score | None) -> Score | None:
    """Facilitator minus institutional reading; None when either is missing."""
    if facilitator is None or institutional is None:
        return None
    return facilitator - institutional
