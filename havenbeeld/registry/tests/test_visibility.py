"""Who sees which piece: one test per distribution level and persona, through the picture."""

from __future__ import annotations

import pytest

from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.picture import build_picture
from havenbeeld.registry.selectors import get_object_for_user, objects_visible_to
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import Distribution

pytestmark = pytest.mark.django_db

PERSONAS = ["customs_analyst", "police_analyst", "municipal_reader", "terminal_contributor",
            "terminal_coordinator", "platform_admin"]

# Who sees a piece that Customs distributed at each level (the group holds Customs and the
# terminal). Platform administrators never read information content.
SEES = {
    Distribution.OWN: {"customs_analyst"},
    Distribution.GROUP: {"customs_analyst", "terminal_contributor", "terminal_coordinator"},
    Distribution.CONVENANT: {"customs_analyst", "police_analyst", "municipal_reader"},
    Distribution.ALL: {"customs_analyst", "police_analyst", "municipal_reader",
                       "terminal_contributor", "terminal_coordinator"},
}

CASES = [(level, persona, persona in SEES[level]) for level in SEES for persona in PERSONAS]


@pytest.mark.parametrize(("level", "persona", "sees"), CASES,
                         ids=[f"{lv.value}-{p}-{'sees' if s else 'not'}" for lv, p, s in CASES])
def test_distribution_level_decides_who_sees_a_piece(world, basis, terminal_group, level,
                                                     persona, sees):
    from django.http import Http404

    obj = create_object(
        actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
        facts=[Fact(Property.IDENTIFIER, "CSQU3054383", scheme="container")],
        provenance=Provenance(Source.MANUAL, level, basis,
                              group=terminal_group if level == Distribution.GROUP else None))
    viewer = getattr(world, persona)
    assert (obj in objects_visible_to(viewer)) is sees
    if sees:
        picture = build_picture(viewer, get_object_for_user(viewer, obj.pk))
        assert picture.identifiers[0].value == "CSQU 305438 3"
        assert picture.identifiers[0].organisations == ["Douane"]
    else:
        with pytest.raises(Http404):
            get_object_for_user(viewer, obj.pk)
        assert build_picture(viewer, obj).timeline == []


def test_a_viewer_sees_only_the_pieces_they_may_see_of_one_object(world, basis, company):
    from havenbeeld.registry.services import record_pieces

    record_pieces(actor=world.terminal_contributor, obj=company,
                  facts=[Fact(Property.TRADE_NAME, "Kaaiwacht Express")],
                  provenance=Provenance(Source.MANUAL, Distribution.ALL,
                                        basis.__class__.objects.get(code="publiek-privaat")))
    police = build_picture(world.police_analyst, company)
    terminal = build_picture(world.terminal_contributor, company)
    assert set(police.properties) == {"name", "trade_name"}
    assert police.label == "Kaaiwacht Logistiek B.V."
    # The terminal sees its own trade name, not Customs' name and KvK number.
    assert terminal.identifiers == []
    assert terminal.label == "Kaaiwacht Express"
    assert terminal.sources == ["Kade Terminal B.V."]


def test_conflicting_values_are_shown_side_by_side_with_their_sources(world, basis, company):
    from havenbeeld.registry.services import record_pieces

    record_pieces(actor=world.police_analyst, obj=company,
                  facts=[Fact(Property.NAME, "Kaaiwacht Logistics BV")],
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    picture = build_picture(world.police_analyst, company)
    names = {v.value: v.organisations for v in picture.properties["name"]}
    assert names == {"Kaaiwacht Logistiek B.V.": ["Douane"],
                     "Kaaiwacht Logistics BV": ["Zeehavenpolitie"]}


def test_a_correction_supersedes_and_a_retraction_withdraws(world, basis, company):
    from havenbeeld.registry.models import Piece
    from havenbeeld.registry.services import correct_piece, retract_piece

    name = Piece.objects.get(object=company, property=Property.NAME)
    correct_piece(actor=world.customs_analyst, piece=name, value="Kaaiwacht Logistiek Holding B.V.",
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    picture = build_picture(world.police_analyst, company)
    assert picture.label == "Kaaiwacht Logistiek Holding B.V."
    assert name.pk in picture.superseded
    assert Piece.objects.filter(pk=name.pk).exists()  # never overwritten
    kvk = Piece.objects.get(object=company, property=Property.IDENTIFIER)
    retract_piece(actor=world.customs_analyst, piece=kvk, reason="Verkeerd dossier")
    assert build_picture(world.police_analyst, company).identifiers == []


def test_another_organisation_cannot_correct_or_retract(world, basis, company):
    from havenbeeld.registry.models import Piece
    from havenbeeld.registry.services import RegistryError, retract_piece

    name = Piece.objects.get(object=company, property=Property.NAME)
    with pytest.raises(RegistryError):
        retract_piece(actor=world.police_analyst, piece=name, reason="Niet mee eens")
