"""The figures of questionnaire campaigns, computed once: response rates (per campaign, territory
and function) and each question's distribution. The campaign page, the site dashboard and the
reports' method chapter read them here.

A recipient counts as having answered when their answer is dated on or before the cut-off (a report
on a past period never counts later answers); a territory has answered when one of its recipients has."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q

from atc.formats import format_share
from diagnostics.readings import reading_difference, reading_spread
from evaluation.models import Campaign, CampaignAnswer, CampaignRecipient, Question


@dataclass
class Rate:
    label: str
    total: int
    answered: int

    @property
    def share(self) -> str:
        return format_share(self.answered, self.total)


@dataclass
class CampaignRates:
    total: int = 0
    answered: int = 0
    invited: int = 0
    reminded: int = 0
    territories: int = 0
    answering_territories: int = 0
    by_territory: list[Rate] = field(default_factory=list)
    by_function: list[Rate] = field(default_factory=list)

    @property
    def share(self) -> str:
        return format_share(self.answered, self.total)


def campaign_rates(campaign: Campaign, *, site_ids=None, until: datetime.date | None = None) -> CampaignRates:
    """Recipients, answers and territories of one campaign (revoked links left out), optionally
    within some sites and counting answers up to `until`."""
    recipients = CampaignRecipient.objects.filter(campaign=campaign, revoked_at__isnull=True)
    if site_ids is not None:
        recipients = recipients.filter(site_id__in=site_ids)
    answered = Q(answered_on__isnull=False)
    if until is not None:
        answered &= Q(answered_on__lte=until)
    rates = CampaignRates()
    territories = (
        recipients.values("site_id", "site__city")
        .annotate(total=Count("id"), answered=Count("id", filter=answered))
        .order_by("site__city")
    )
    for row in territories:
        rates.by_territory.append(Rate(row["site__city"], row["total"], row["answered"]))
    labels = dict(CampaignRecipient.Function.choices)
    for row in (
        recipients.values("function")
        .annotate(total=Count("id"), answered=Count("id", filter=answered))
        .order_by("function")
    ):
        rates.by_function.append(
            Rate(str(labels.get(row["function"], row["function"])), row["total"], row["answered"])
        )
    rates.total = sum(r.total for r in rates.by_territory)
    rates.answered = sum(r.answered for r in rates.by_territory)
    rates.territories = len(rates.by_territory)
    rates.answering_territories = sum(1 for r in rates.by_territory if r.answered)
    counts = recipients.aggregate(
        invited=Count("id", filter=Q(invited_at__isnull=False)),
        reminded=Count("id", filter=Q(reminders_sent__gt=0)),
    )
    rates.invited, rates.reminded = counts["invited"], counts["reminded"]
    return rates


def campaigns_with_rates(campaigns) -> list[tuple[Campaign, Rate]]:
    """Each campaign with its recipients and answers (revoked links left out), in one query."""
    live = Q(recipients__revoked_at__isnull=True)
    annotated = campaigns.annotate(
        total=Count("recipients", filter=live),
        answered=Count("recipients", filter=live & Q(recipients__answered_on__isnull=False)),
    )
    return [(c, Rate(c.title, c.total, c.answered)) for c in annotated]


def campaigns_for_period(
    *, site_ids, start: datetime.date, end: datetime.date
) -> list[tuple[Campaign, CampaignRates]]:
    """The campaigns opened within the period to recipients of these sites, with their rates at
    the period's end: what a report's method chapter cites."""
    campaigns = (
        Campaign.objects.filter(opens_on__gte=start, opens_on__lte=end, recipients__site_id__in=site_ids)
        .distinct()
        .order_by("opens_on", "title")
    )
    return [(c, campaign_rates(c, site_ids=site_ids, until=end)) for c in campaigns]


@dataclass
class Distribution:
    question: Question
    answers: int
    counts: list[tuple[str, int]] = field(default_factory=list)
    mean: Decimal | None = None
    texts: list[str] = field(default_factory=list)


def distributions(campaign: Campaign, *, site_ids=None) -> list[Distribution]:
    """Each question's answers: counts per choice or per score, the mean of numbers, the texts."""
    answers = CampaignAnswer.objects.filter(response__campaign=campaign).select_related("question")
    if site_ids is not None:
        answers = answers.filter(response__site_id__in=site_ids)
    by_question: dict[int, list[CampaignAnswer]] = {}
    for answer in answers.order_by("question_id", "pk"):
        by_question.setdefault(answer.question_id, []).append(answer)
    result = []
    for question in campaign.questionnaire.questions.all():
        rows = by_question.get(question.pk, [])
        dist = Distribution(question=question, answers=len(rows))
        if question.kind == Question.Kind.SCALE:
            counter = Counter(int(a.number) for a in rows)
            dist.counts = [(str(score), counter.get(score, 0)) for score in range(1, 11)]
        if question.kind in (Question.Kind.SCALE, Question.Kind.NUMBER) and rows:
            dist.mean = (sum(a.number for a in rows) / len(rows)).quantize(Decimal("0.1"))
        if question.kind in Question.CHOICE_KINDS:
            counter = Counter(choice for a in rows for choice in a.choices)
            dist.counts = [(choice, counter.get(choice, 0)) for choice in question.choice_list()]
        if question.kind in (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT):
            dist.texts = [a.text for a in rows]
        result.append(dist)
    return result


@dataclass
class CrossedItem:
    label: str
    institutional: Decimal | None
    facilitator: Decimal | None
    residents: Decimal | None
    spread: Decimal | None
    difference: Decimal | None
    spread_change: Decimal | None = None


@dataclass
class CrossedCampaign:
    campaign: Campaign
    revealed: bool
    answered_sides: list[str]
    items: list[CrossedItem] = field(default_factory=list)


READING_SIDES = ("institutional", "facilitator")


def crossed_readings(site) -> list[CrossedCampaign]:
    """The site's crossed-readings campaigns, oldest first: each side's mean per item, the spread
    and the facilitator − institutional difference (diagnostics/readings.py, one definition), and
    the spread's change since the previous revealed campaign. A campaign's readings stay hidden
    until the institutional side and the facilitator have both answered."""
    campaigns = Campaign.objects.filter(site=site, questionnaire__template="crossed_readings").order_by(
        "opens_on", "pk"
    )
    result = []
    previous: dict[str, Decimal | None] = {}
    for campaign in campaigns:
        sides = sorted(set(campaign.responses.values_list("side", flat=True)))
        revealed = all(side in sides for side in READING_SIDES)
        shown = CrossedCampaign(campaign=campaign, revealed=revealed, answered_sides=sides)
        if revealed:
            means = {
                (row["question__item__label"], row["response__side"]): Decimal(row["mean"]).quantize(
                    Decimal("0.1")
                )
                for row in CampaignAnswer.objects.filter(
                    response__campaign=campaign, question__item__isnull=False, number__isnull=False
                )
                .values("question__item__label", "response__side")
                .annotate(mean=Avg("number"))
            }
            labels = list(
                campaign.questionnaire.questions.filter(item__isnull=False)
                .order_by("order", "pk")
                .values_list("item__label", flat=True)
            )
            current = {}
            for label in labels:
                values = [means.get((label, side)) for side in ("institutional", "facilitator", "residents")]
                spread = reading_spread(values)
                before = previous.get(label)
                shown.items.append(
                    CrossedItem(
                        label,
                        *values,
                        spread=spread,
                        difference=reading_difference(values[1], values[0]),
                        spread_change=spread - before if spread is not None and before is not None else None,
                    )
                )
                current[label] = spread
            previous = current
        result.append(shown)
    return result
