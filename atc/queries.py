"""Query pieces every app uses."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def link_count(through, owner: str):
    """How many rows of a many-to-many link table (`through`) name the annotated row, through its
    field `owner`: an annotation written as a subquery. Two counts over two link tables of one
    row (a partner's meetings and actions, an entry's meetings and actions) must never both be
    joined: `Count(…, distinct=True)` over two joins multiplies the rows it reads (PERFORMANCE.md)."""
    links = through.objects.filter(**{owner: OuterRef("pk")}).order_by().values(owner)
    return Coalesce(Subquery(links.annotate(n=Count("pk")).values("n")), 0)
