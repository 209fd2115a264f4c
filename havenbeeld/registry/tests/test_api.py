"""The REST API: token auth, the same permission policy, idempotent creation, a valid schema."""

from __future__ import annotations

from django.test import Client

import pytest

from havenbeeld.accounts.services.tokens import issue_token, revoke_token

pytestmark = pytest.mark.django_db


def api_client(user, world=None) -> tuple[Client, dict]:
    _, secret = issue_token(actor=user, user=user, name="test")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_openapi_schema_is_published_and_valid(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/objects", "/api/objects/{object_id}", "/api/search",
            "/api/objects/{object_id}/pieces", "/api/resolution/candidates"} <= set(schema["paths"])
    from openapi_spec_validator import validate

    validate(schema)


def test_calls_without_a_valid_token_are_refused(world, company):
    client = Client()
    assert client.get(f"/api/objects/{company.pk}").status_code == 401
    assert client.get(f"/api/objects/{company.pk}",
                      HTTP_AUTHORIZATION="Bearer hb_nonsense").status_code == 401


def test_a_revoked_token_stops_working(world, company):
    token, secret = issue_token(actor=world.police_analyst, user=world.police_analyst, name="x")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get(f"/api/objects/{company.pk}", **headers).status_code == 200
    revoke_token(actor=world.police_analyst, token=token)
    assert Client().get(f"/api/objects/{company.pk}", **headers).status_code == 401


def test_a_deactivated_users_token_stops_working(world, company):
    client, headers = api_client(world.police_analyst)
    world.police_analyst.is_active = False
    world.police_analyst.save()
    assert client.get(f"/api/objects/{company.pk}", **headers).status_code == 401


def test_the_api_shows_the_same_picture_as_the_page(world, company):
    client, headers = api_client(world.police_analyst)
    body = client.get(f"/api/objects/{company.pk}", **headers).json()
    assert body["label"] == "Kaaiwacht Logistiek B.V."
    assert {p["organisation"] for p in body["pieces"]} == {"Douane"}
    assert {p["legal_basis"] for p in body["pieces"]} == {"wgs"}


@pytest.mark.parametrize("persona", ["terminal_contributor", "terminal_coordinator"])
def test_private_partners_see_nothing_of_public_only_pieces_through_the_api(
        world, company, persona):
    client, headers = api_client(getattr(world, persona))
    assert client.get(f"/api/objects/{company.pk}", **headers).status_code == 404
    assert client.get("/api/search?q=12345678", **headers).json() == []
    assert client.get("/api/search?q=Kaaiwacht", **headers).json() == []


def test_search_finds_a_kvk_number_with_spaces(world, company):
    client, headers = api_client(world.police_analyst)
    hits = client.get("/api/search", {"q": "1234 5678"}, **headers).json()
    assert [h["id"] for h in hits] == [company.pk]


def test_creating_an_object_is_idempotent_with_a_retry_key(world):
    client, headers = api_client(world.customs_analyst)
    payload = {"kind": "container",
               "facts": [{"property": "identifier", "scheme": "container",
                          "value": "CSQU 305438 3"}, {"property": "cargo", "value": "bananen"}],
               "provenance": {"distribution": "convenant", "legal_basis": "awr-douane"}}
    first = client.post("/api/objects", payload, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="zending-42", **headers)
    assert first.status_code == 201, first.content
    again = client.post("/api/objects", payload, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="zending-42", **headers)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    from havenbeeld.registry.models import RegistryObject

    assert RegistryObject.objects.count() == 1


def test_a_wrong_check_digit_is_refused_with_the_corrected_form(world):
    client, headers = api_client(world.customs_analyst)
    payload = {"kind": "container",
               "facts": [{"property": "identifier", "scheme": "container",
                          "value": "CSQU3054384"}],
               "provenance": {"distribution": "convenant", "legal_basis": "awr-douane"}}
    response = client.post("/api/objects", payload, content_type="application/json", **headers)
    assert response.status_code == 422
    assert response.json()["suggestion"] == "CSQU3054383"


def test_readers_cannot_contribute_through_the_api(world):
    client, headers = api_client(world.municipal_reader)
    payload = {"kind": "company", "facts": [{"property": "name", "value": "X B.V."}],
               "provenance": {"distribution": "all", "legal_basis": "wgs"}}
    response = client.post("/api/objects", payload, content_type="application/json", **headers)
    assert response.status_code == 403


def test_unknown_legal_basis_and_too_many_facts_are_refused(world):
    client, headers = api_client(world.customs_analyst)
    payload = {"kind": "company", "facts": [{"property": "name", "value": "X B.V."}],
               "provenance": {"distribution": "all", "legal_basis": "verzonnen"}}
    assert client.post("/api/objects", payload, content_type="application/json",
                       **headers).status_code == 422
    payload["facts"] = [{"property": "note", "value": "x"}] * 501
    payload["provenance"]["legal_basis"] = "wgs"
    assert client.post("/api/objects", payload, content_type="application/json",
                       **headers).status_code == 422


def test_adding_pieces_to_an_object_the_caller_cannot_see_is_refused(world, company):
    client, headers = api_client(world.terminal_contributor)
    payload = {"facts": [{"property": "note", "value": "gezien op de kade"}],
               "provenance": {"distribution": "all", "legal_basis": "publiek-privaat"}}
    response = client.post(f"/api/objects/{company.pk}/pieces", payload,
                           content_type="application/json", **headers)
    assert response.status_code == 404


def test_tokens_are_issued_and_revoked_from_the_command_line(world, capsys, company):
    from django.core.management import call_command

    call_command("api_token", "issue", "--user", "analist@politie.example",
                 "--by", "coordinator@politie.example", "--name", "koppeling")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get(f"/api/objects/{company.pk}", **headers).status_code == 200
    call_command("api_token", "revoke", secret[:10], "--by", "coordinator@politie.example")
    assert Client().get(f"/api/objects/{company.pk}", **headers).status_code == 401


def test_a_coordinator_cannot_issue_tokens_for_another_organisation(world):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "issue", "--user", "analist@politie.example",
                     "--by", "security@kade.example", "--name", "x")
