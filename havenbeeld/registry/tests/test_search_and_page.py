"""Search and the object page: found in any spelling, and never more than the viewer may see."""

from __future__ import annotations

import pytest

from havenbeeld.core.testing import verified_client
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.search import search
from havenbeeld.registry.services import Fact, Provenance, create_object, record_pieces
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["12345678", "1234 5678", "KvK 12.34.56.78",
                                   "Kaaiwacht Logistiek", "kaaiwacht logistiek bv",
                                   "Logistiek Kaaiwacht", "Kaaiwaht Logistiek", "kaaiw"])
def test_an_analyst_finds_a_company_by_kvk_in_any_spelling_or_a_misspelt_name(
        world, company, query):
    hits = search(world.police_analyst, query)
    assert [h.object for h in hits] == [company], query
    assert hits[0].label == "Kaaiwacht Logistiek B.V."


def test_search_reveals_nothing_the_viewer_cannot_see(world, company):
    assert search(world.terminal_contributor, "12345678") == []
    assert search(world.terminal_contributor, "Kaaiwacht") == []
    page = verified_client(world.terminal_contributor).get("/objecten/?q=Kaaiwacht")
    body = page.content.decode()
    assert f"/objecten/{company.pk}/" not in body
    assert "Kaaiwacht Logistiek" not in body


def test_search_label_comes_only_from_visible_pieces(world, company, basis):
    record_pieces(actor=world.terminal_contributor, obj=company,
                  facts=[Fact(Property.TRADE_NAME, "KW Express")],
                  provenance=Provenance(Source.MANUAL, Distribution.ALL,
                                        LegalBasis.objects.get(code="publiek-privaat")))
    [hit] = search(world.terminal_contributor, "KW Express")
    assert hit.label == "KW Express"
    [police_hit] = search(world.police_analyst, "KW Express")
    assert police_hit.label in {"Kaaiwacht Logistiek B.V.", "KW Express"}


def test_object_page_shows_who_told_what_and_when(world, company):
    client = verified_client(world.police_analyst)
    body = client.get(f"/objecten/{company.pk}/").content.decode()
    assert "Kaaiwacht Logistiek B.V." in body
    assert "12345678" in body
    assert "Douane" in body


@pytest.mark.parametrize("persona", ["terminal_contributor", "terminal_coordinator"])
def test_private_partners_get_404_for_an_object_shared_with_public_partners_only(
        world, company, persona):
    response = verified_client(getattr(world, persona)).get(f"/objecten/{company.pk}/")
    assert response.status_code == 404


def test_platform_admins_cannot_open_the_registry(world, company):
    client = verified_client(world.platform_admin)
    assert client.get("/objecten/").status_code == 403
    assert client.get(f"/objecten/{company.pk}/").status_code == 403


def test_viewing_a_picture_is_audited(world, company):
    from havenbeeld.audit.models import AuditEvent, EventType

    verified_client(world.police_analyst).get(f"/objecten/{company.pk}/")
    event = AuditEvent.objects.get(event_type=EventType.PICTURE_VIEWED)
    assert event.actor == world.police_analyst and event.target_id == str(company.pk)


def test_the_objects_area_leads_to_search(world):
    response = verified_client(world.police_analyst).get("/onderdeel/objecten/")
    assert response.status_code == 302 and response["Location"] == "/objecten/"


def test_search_filters_by_kind(world, company, basis):
    create_object(actor=world.customs_analyst, kind=ObjectKind.VESSEL,
                  facts=[Fact(Property.NAME, "Kaaiwacht Logistiek")],
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    assert len(search(world.police_analyst, "Kaaiwacht Logistiek")) == 2
    assert [h.object for h in search(world.police_analyst, "Kaaiwacht Logistiek",
                                     kind="company")] == [company]


def test_the_export_holds_what_the_viewer_sees_and_nothing_more(world, company, basis):
    record_pieces(actor=world.terminal_contributor, obj=company,
                  facts=[Fact(Property.NOTE, '=HYPERLINK("http://x","klik")')],
                  provenance=Provenance(Source.MANUAL, Distribution.ALL,
                                        LegalBasis.objects.get(code="publiek-privaat")))
    police = b"".join(verified_client(world.police_analyst)
                      .get(f"/objecten/{company.pk}/export.csv").streaming_content).decode()
    assert "12345678" in police and "'=HYPERLINK" in police
    terminal_response = verified_client(world.terminal_contributor).get(
        f"/objecten/{company.pk}/export.csv")
    terminal = b"".join(terminal_response.streaming_content).decode()
    assert "12345678" not in terminal and "Kaaiwacht Logistiek" not in terminal
    assert "'=HYPERLINK" in terminal


def test_the_object_page_costs_the_same_queries_for_many_pieces(world, company, basis,
                                                                django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(world.police_analyst)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/objecten/{company.pk}/")
    record_pieces(actor=world.police_analyst, obj=company,
                  facts=[Fact(Property.NOTE, f"waarneming {i}") for i in range(40)]
                  + [Fact(Property.CITY, f"Plaats {i}") for i in range(20)],
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    with CaptureQueriesContext(connection) as many:
        client.get(f"/objecten/{company.pk}/")
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_a_corrected_or_retracted_name_is_no_longer_found(world, company, basis):
    from havenbeeld.registry.models import Piece
    from havenbeeld.registry.services import correct_piece, retract_piece

    name = Piece.objects.get(object=company, property=Property.NAME)
    correct_piece(actor=world.customs_analyst, piece=name, value="Zeewering Logistiek B.V.",
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    assert search(world.police_analyst, "Kaaiwacht Logistiek") == []
    assert [h.label for h in search(world.police_analyst, "Zeewering")] == [
        "Zeewering Logistiek B.V."]
    new_name = Piece.objects.get(object=company, property=Property.NAME, corrects=name)
    retract_piece(actor=world.customs_analyst, piece=new_name, reason="Fout")
    assert search(world.police_analyst, "Zeewering") == []


def test_search_filters_by_organisation_period_and_port(world, company, basis):
    import datetime as dt

    from django.utils import timezone

    from havenbeeld.registry.search import Filters

    other = create_object(actor=world.police_analyst, kind=ObjectKind.COMPANY,
                          facts=[Fact(Property.NAME, "Kaaiwacht Logistiek"),
                                 Fact(Property.POSTCODE, "4389 AB")],
                          provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis,
                                                observed_at=timezone.now()
                                                - dt.timedelta(days=400)))
    both = {h.object for h in search(world.police_analyst, "Kaaiwacht Logistiek")}
    assert both == {company, other}
    by_customs = search(world.police_analyst, "Kaaiwacht Logistiek",
                        filters=Filters(organisation_id=world.customs.pk))
    assert [h.object for h in by_customs] == [company]
    recent = search(world.police_analyst, "Kaaiwacht Logistiek", filters=Filters(
        observed_from=timezone.localdate() - dt.timedelta(days=30)))
    assert [h.object for h in recent] == [company]
    vlissingen = search(world.police_analyst, "Kaaiwacht Logistiek",
                        filters=Filters(port="vlissingen"))
    assert [h.object for h in vlissingen] == [other]
    page = verified_client(world.police_analyst).get(
        "/objecten/", {"q": "Kaaiwacht Logistiek", "port": "vlissingen"}).content.decode()
    assert f"/objecten/{other.pk}/" in page and f"/objecten/{company.pk}/" not in page


def test_every_search_is_audited(world, company):
    from havenbeeld.audit.models import AuditEvent, EventType

    verified_client(world.police_analyst).get("/objecten/", {"q": "1234 5678",
                                                            "kind": "company"})
    event = AuditEvent.objects.get(event_type=EventType.SEARCH)
    assert event.actor == world.police_analyst
    assert event.details == {"query": "1234 5678", "filters": {"kind": "company"},
                             "results": 1, "channel": "web"}


def test_an_address_is_found_by_postcode_and_house_number(world, basis):
    premises = create_object(actor=world.police_analyst, kind=ObjectKind.ADDRESS,
                             facts=[Fact(Property.STREET, "Waalhaven Oostzijde"),
                                    Fact(Property.HOUSE_NUMBER, "12"),
                                    Fact(Property.POSTCODE, "3087 bm")],
                             provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    assert [h.object for h in search(world.customs_analyst, "3087BM 12")] == [premises]
