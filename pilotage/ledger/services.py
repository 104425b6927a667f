"""The avoided-costs and leverage ledger of an action: claims are written by the site team
(declared, or documented when a document or a partner's statement backs them) and verified by the
national team. A change to a verified claim withdraws the verification: what was checked is no
longer what is shown."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.models import Action, AvoidedCostClaim
from pilotage.services import attachment_create

EDITABLE_FIELDS = (
    "kind",
    "description",
    "amount",
    "quantity",
    "unit",
    "period_start",
    "period_end",
    "hypothesis",
    "source",
    "source_detail",
)


def _is_backed(claim: AvoidedCostClaim) -> bool:
    """A claim is documented when a document is attached or a partner's statement is named."""
    return claim.document_id is not None or (
        claim.source == AvoidedCostClaim.Source.PARTNER and bool(claim.source_detail.strip())
    )


@transaction.atomic
def claim_save(
    *,
    action: Action,
    user,
    data: dict,
    documented: bool,
    uploaded=None,
    claim: AvoidedCostClaim | None = None,
) -> AvoidedCostClaim:
    """Create or update a claim of `action` from cleaned `data`; `uploaded` (a file) is stored as
    an attachment of the action, through the attachments' one checked path, and becomes the
    claim's document. `documented` asks for the documented level, refused without a document or
    a partner's statement."""
    claim = claim or AvoidedCostClaim(action=action, site=action.site, created_by=user)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(claim, name, data[name])
    if uploaded is not None:
        claim.source = AvoidedCostClaim.Source.DOCUMENT
    if documented and uploaded is None and not _is_backed(claim):
        raise ValidationError(
            _(
                "Pour le niveau « documenté », joignez un document ou choisissez « Déclaration d'un "
                "partenaire » et nommez le partenaire."
            )
        )
    claim.confidence = (
        AvoidedCostClaim.Confidence.DOCUMENTED if documented else AvoidedCostClaim.Confidence.DECLARED
    )
    claim.verified_by, claim.verified_at = None, None
    # Everything checked before the file is stored: a refused claim leaves no file behind.
    claim.full_clean()
    if uploaded is not None:
        claim.document = attachment_create(site=action.site, user=user, uploaded=uploaded, action=action)
    claim.save()
    return claim


@transaction.atomic
def claim_verify(*, claim: AvoidedCostClaim, user, at: datetime.datetime | None = None) -> AvoidedCostClaim:
    """Mark a claim verified by `user` now. Only a documented claim can be verified: there must
    be something to check."""
    if claim.confidence == AvoidedCostClaim.Confidence.DECLARED or not _is_backed(claim):
        raise ValidationError(
            _("Seul un montant documenté (document joint ou déclaration d'un partenaire) peut être vérifié.")
        )
    claim.confidence = AvoidedCostClaim.Confidence.VERIFIED
    claim.verified_by = user
    claim.verified_at = at or timezone.now()
    claim.save(update_fields=["confidence", "verified_by", "verified_at", "updated_at"])
    return claim


@transaction.atomic
def claim_delete(*, claim: AvoidedCostClaim) -> None:
    """Remove a claim; its document stays among the action's attachments."""
    claim.delete()
