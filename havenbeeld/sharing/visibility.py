"""The distribution rule: which pieces a viewer may see (DESIGN.md §7).

A piece is visible to a user whose role may read shared information when
- the user's organisation contributed it, or
- it is distributed to all participants, or
- it is distributed to public convenant partners and the user's organisation is one, or
- it is distributed to a collaboration group the user's organisation belongs to, or
- an approved information request granted it to the user's organisation.
Private partners are never convenant partners. Everything that reads pieces filters through
``piece_filter``; there is no other path. Signals follow the same rule (``distribution_filter``)
without grants, which are pieces' own.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation, OrganisationKind, User
from havenbeeld.sharing.models import Distribution, PieceGrant


def viewer_group_ids(user: User) -> list[int]:
    return list(user.organisation.collaboration_groups.filter(active=True)
                .values_list("id", flat=True))


def distribution_filter(user: User, prefix: str = "") -> Q:
    """A Q over anything distributed like a piece (fields ``organisation``, ``distribution``,
    ``group``): a piece, a signal. Grants from information requests are pieces' own."""
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
    return visible


def piece_filter(user: User, prefix: str = "") -> Q:
    """A Q over Piece (or over a relation to it, with ``prefix`` like ``"pieces__"``)."""
    if not policy.can(user, policy.Action.READ_SHARED_INFORMATION):
        return Q(**{f"{prefix}pk__in": []})
    visible = distribution_filter(user, prefix)
    p = prefix
    # Pieces an approved information request made visible to the organisation (a subquery,
    # not a join, so no piece is counted twice).
    granted = PieceGrant.objects.filter(organisation_id=user.organisation_id).values("piece_id")
    visible |= Q(**{f"{p}pk__in": granted})
    return visible


def organisation_sees(organisation: Organisation, item: object) -> bool:
    """Whether ``organisation`` may see ``item`` (a piece or signal) by its distribution —
    the Python form of ``distribution_filter``, for deciding whom to notify."""
    if item.organisation_id == organisation.pk or item.distribution == Distribution.ALL:
        return True
    if item.distribution == Distribution.CONVENANT:
        return organisation.is_convenant_partner
    if item.distribution == Distribution.GROUP:
        return organisation.collaboration_groups.filter(pk=item.group_id, active=True).exists()
    return False


def sees_real_contributor(viewer: User, organisation_id: int) -> bool:
    """A pseudonymous contribution is named to its own organisation and to the RIEC."""
    return (viewer.organisation_id == organisation_id
            or viewer.organisation.kind == OrganisationKind.RIEC)


def pseudonym(port: str) -> str:
    return _("a private partner in %(port)s") % {"port": port}


def contributor_name(viewer: User | None, organisation_id: int, name: str,
                     pseudonymous_in: str) -> str:
    """Who contributed a piece or reported a signal, as ``viewer`` may learn it; with no viewer
    (an exported hit index) a pseudonymous contributor is never named."""
    if pseudonymous_in and not (viewer is not None
                                and sees_real_contributor(viewer, organisation_id)):
        return pseudonym(pseudonymous_in)
    return name


def contributor_label(viewer: User, organisation: Organisation, pseudonymous_in: str) -> str:
    return contributor_name(viewer, organisation.pk, organisation.name, pseudonymous_in)
