"""Reading the registry. Every read of pieces goes through these functions, which apply the
distribution rule of ``sharing.visibility`` — pages, search, API and exports alike."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from havenbeeld.accounts.models import User
from havenbeeld.registry.models import Piece, RegistryObject
from havenbeeld.sharing.visibility import piece_filter


def pieces_visible_to(user: User) -> QuerySet[Piece]:
    return Piece.objects.filter(piece_filter(user))


def objects_visible_to(user: User) -> QuerySet[RegistryObject]:
    """Objects on which the user sees at least one piece."""
    return RegistryObject.objects.filter(
        pk__in=pieces_visible_to(user).values("object_id"))


def get_object_for_user(user: User, pk: int) -> RegistryObject:
    """The object if the user sees anything of it; 404 for missing and invisible alike."""
    obj = RegistryObject.objects.filter(pk=pk).first()
    if obj is None or not pieces_visible_to(user).filter(object_id=pk).exists():
        raise Http404
    return obj
