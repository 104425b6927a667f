"""The avoided-costs and leverage totals (« coûts évités et effets leviers ») of a site, a
network or the whole programme: one total per kind and confidence level — verified, documented,
declared, never added together — and the list of the hypotheses behind them. A total is never
shown without the assumptions it rests on (see the figures `avoided_costs_*` and `leverage_*` of
the registry)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from evaluation.figures import registry
from pilotage.models import AvoidedCostClaim

Kind, Level = AvoidedCostClaim.Kind, AvoidedCostClaim.Confidence
KIND_KEYS = {Kind.AVOIDED: "avoided_costs", Kind.LEVERAGE: "leverage"}
# The most trustworthy first: a reader sees what was checked before what was only said.
LEVELS = (Level.VERIFIED, Level.DOCUMENTED, Level.DECLARED)


@dataclass
class LevelTotal:
    figure: registry.Figure
    level: str
    label: str
    amount: Decimal = Decimal(0)
    claims: int = 0
    # (unit, total) of the quantities, one line per unit: quantities of different units never add.
    quantities: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class KindTotals:
    kind: str
    label: str
    levels: list[LevelTotal]


@dataclass
class Assumption:
    """One claim as a reader of a total needs it: what, how much, how sure, on what hypothesis."""

    site: str
    action: str
    kind: str
    level: str
    level_label: str
    description: str
    amount: Decimal | None
    quantity: Decimal | None
    unit: str
    period_start: datetime.date
    period_end: datetime.date | None
    hypothesis: str
    source: str


@dataclass
class Ledger:
    kinds: list[KindTotals]
    assumptions: list[Assumption]

    @property
    def empty(self) -> bool:
        return not self.assumptions

    def total(self, key: str) -> Decimal:
        """The total of one figure key (`avoided_costs_verified`…)."""
        return next(level.amount for kind in self.kinds for level in kind.levels if level.figure.key == key)


def ledger(claims: QuerySet) -> Ledger:
    """The totals and the hypotheses of `claims` (already scoped to the sites and period wanted)."""
    rows = list(
        claims.select_related("site", "action").order_by("site__name", "action__title", "period_start", "id")
    )
    amounts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    quantities: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for claim in rows:
        key = (claim.kind, claim.confidence)
        counts[key] += 1
        if claim.amount is not None:
            amounts[key] += claim.amount
        if claim.quantity is not None:
            quantities[key][claim.unit.strip().lower()] += claim.quantity
    kinds = [
        KindTotals(
            kind=kind.value,
            label=kind.label,
            levels=[
                LevelTotal(
                    figure=registry.get(f"{KIND_KEYS[kind]}_{level.value}"),
                    level=level.value,
                    label=level.label,
                    amount=amounts[(kind.value, level.value)],
                    claims=counts[(kind.value, level.value)],
                    quantities=sorted(quantities[(kind.value, level.value)].items()),
                )
                for level in LEVELS
            ],
        )
        for kind in Kind
    ]
    assumptions = [
        Assumption(
            site=claim.site.name,
            action=claim.action.title,
            kind=claim.get_kind_display(),
            level=claim.confidence,
            level_label=claim.get_confidence_display(),
            description=claim.description,
            amount=claim.amount,
            quantity=claim.quantity,
            unit=claim.unit,
            period_start=claim.period_start,
            period_end=claim.period_end,
            hypothesis=claim.hypothesis,
            source=claim.get_source_display() + (f" — {claim.source_detail}" if claim.source_detail else ""),
        )
        for claim in sorted(
            rows, key=lambda c: (LEVELS.index(c.confidence), c.site.name, c.action.title, c.pk)
        )
    ]
    return Ledger(kinds=kinds, assumptions=assumptions)


def sites_ledger(site_ids, *, start: datetime.date | None = None, end: datetime.date | None = None) -> Ledger:
    """The ledger of some sites (one site, a network's, the nation's), over a period or all time."""
    claims = AvoidedCostClaim.objects.filter(site_id__in=list(site_ids))
    if start is not None and end is not None:
        claims = claims.in_period(start=start, end=end)
    return ledger(claims)
