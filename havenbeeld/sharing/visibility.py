"""The distribution rule: which pieces a viewer may see (DESIGN.md §7).

A piece is visible to a user whose role may read shared information when
- the user's organisation contributed it, or
- it is distributed to all participants, or
- it is distributed to public convenant partners and the user's organisation is one, or
- it is distributed to a collaboration group the user's organisation belongs to, or
- an approved information request granted it to the user's organisation.
Private partners are never convenant partners. Everything that reads pieces filters through
``piece_filter``; there is no other path.
"""

from __future__ import annotations

from django.db.models import Q

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.sharing.models import Distribution, PieceGrant


def viewer_group_ids(user: User) -> list[int]:
    return list(user.organisation.collaboration_groups.filter(active=True)
                .values_list("id", flat=True))


def piece_filter(user: User, prefix: str = "") -> Q:
    """A Q over Piece (or over a relation to it, with ``prefix`` like ``"pieces__"``)."""
    if not policy.can(user, policy.Action.READ_SHARED_INFORMATION):
        return Q(**{f"{prefix}pk__in": []})
    p = prefix
    visible = Q(**{f"{p}organisation_id": user.organisation_id}) | Q(
        **{f"{p}distribution": Distribution.ALL})
    if user.organisation.is_convenant_partner:
        visible |= Q(**{f"{p}distribution": Distribution.CONVENANT})
    groups = viewer_group_ids(user)
    if groups:
        visible |= Q(**{f"{p}distribution": Distribution.GROUP, f"{p}group_id__in": groups})
    # Pieces an approved information request made visible to the organisation (a subquery,
    # not a join, so no piece is counted twice).
    granted = PieceGrant.objects.filter(organisation_id=user.organisation_id).values("piece_id")
    visible |= Q(**{f"{p}pk__in": granted})
    return visible
