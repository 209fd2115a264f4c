"""Reads written as SQL (havenbeeld/core/hot.py) give what the ORM gives: the same instances and
values — dates and times aware, booleans as booleans, JSON decoded — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

import pytest

from havenbeeld.accounts.models import ApiToken
from havenbeeld.accounts.services.tokens import issue_token, user_for_token
from havenbeeld.core import hot
from havenbeeld.registry.models import RegistryObject
from havenbeeld.resolution.models import Profile

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def profile(company) -> Profile:
    return Profile.objects.create(
        object=company, kind="company",
        features={"name": "kaaiwacht logistiek", "strong_ids": ["kvk:12345678"], "n": 3,
                  "nested": {"ok": True, "none": None}},
        updated_at=dt.datetime(2026, 3, 1, 12, 30, 15, 250_000, tzinfo=dt.UTC))


def test_instances_are_the_orms_instances(world, profile):
    token, _secret = issue_token(actor=world.terminal_contributor, user=world.terminal_contributor,
                                 name="koppeling")
    for model, pk in ((Profile, profile.pk), (ApiToken, token.pk)):
        loaded = hot.instance(model, f'"{model._meta.pk.column}" = %s', [pk])
        assert _fields(loaded) == _fields(model.objects.get(pk=pk))
        assert not loaded._state.adding  # saved, as the ORM leaves it


def test_rows_convert_the_named_fields_as_values_list_does(profile):
    got = hot.rows('SELECT "object_id", "features", "updated_at" FROM "resolution_profile" '
                   'WHERE "object_id" = %s', [profile.pk], model=Profile,
                   fields=("object_id", "features", "updated_at"))
    assert got == list(Profile.objects.filter(pk=profile.pk).values_list(
        "object_id", "features", "updated_at"))
    assert got[0][2].tzinfo is not None


def test_rows_without_a_model_are_as_the_database_gives_them(company):
    assert hot.rows('SELECT "id", "kind" FROM "registry_object" WHERE "id" = %s',
                    [company.pk]) == [(company.pk, "company")]


def test_a_moment_compares_with_a_stored_one(world):
    """``value`` gives a date and time as the column stores it: on SQLite text in UTC, which
    a plain parameter (with its offset) would not compare with correctly."""
    token, _secret = issue_token(actor=world.terminal_contributor, user=world.terminal_contributor,
                                 name="koppeling")
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC))
    amsterdam = dt.timezone(dt.timedelta(hours=1))
    just_before = dt.datetime(2030, 1, 1, 12, 59, 59, tzinfo=amsterdam)  # 11:59:59 UTC
    just_after = dt.datetime(2030, 1, 1, 13, 0, 1, tzinfo=amsterdam)

    def later_than(moment):
        return [pk for (pk,) in hot.rows(
            'SELECT "id" FROM "accounts_apitoken" WHERE "id" = %s AND "expires_at" > %s',
            [token.pk, hot.value(ApiToken, "expires_at", moment)])]

    assert later_than(just_before) == [token.pk]
    assert later_than(just_after) == []


def test_an_api_token_still_needs_to_be_valid(world):
    token, secret = issue_token(actor=world.terminal_contributor, user=world.terminal_contributor,
                                name="koppeling")
    user = user_for_token(secret)
    assert user == world.terminal_contributor
    assert user.organisation == world.terminal_contributor.organisation
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert user_for_token(secret) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(1),
                                                revoked_at=timezone.now())
    assert user_for_token(secret) is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    world.terminal_contributor.organisation.active = False
    world.terminal_contributor.organisation.save()
    assert user_for_token(secret) is None
    world.terminal_contributor.organisation.active = True
    world.terminal_contributor.organisation.save()
    assert user_for_token(secret) == world.terminal_contributor
    world.terminal_contributor.is_active = False
    world.terminal_contributor.save()
    assert user_for_token(secret) is None


def test_joined_instances_are_what_select_related_loads(world):
    """``hot.joined``: one statement, an instance of each model per row, every field as the
    ORM's ``select_related`` gives it (dates and times converted)."""
    from havenbeeld.accounts.models import Organisation, User

    issue_token(actor=world.terminal_contributor, user=world.terminal_contributor, name="a")
    expected = ApiToken.objects.select_related("user__organisation").get(
        user=world.terminal_contributor, name="a")
    [(token, user, organisation)] = hot.joined(
        [(ApiToken, "t"), (User, "u"), (Organisation, "o")],
        f'"{ApiToken._meta.db_table}" t INNER JOIN "{User._meta.db_table}" u '
        f'ON u."id" = t."user_id" INNER JOIN "{Organisation._meta.db_table}" o '
        'ON o."id" = u."organisation_id"', 't."id" = %s', [expected.pk])
    assert _fields(token) == _fields(expected)
    assert _fields(user) == _fields(expected.user)
    assert _fields(organisation) == _fields(expected.user.organisation)
    assert hot.joined([(ApiToken, "t")], f'"{ApiToken._meta.db_table}" t', 't."id" = %s',
                      [-1]) == []


def test_an_empty_in_list_is_refused():
    with pytest.raises(ValueError):
        hot.marks(0)
    assert hot.marks(3) == "%s, %s, %s"


def test_nothing_found_is_none(db):
    assert hot.instance(RegistryObject, '"id" = %s', [-1]) is None


def _stored(model, pk) -> dict:
    fields = _fields(model.objects.get(pk=pk))
    fields.pop(model._meta.pk.attname)
    return fields


def test_insert_writes_what_bulk_create_writes(world, basis, company):
    """Every column of a piece — dates, times, choices, empty foreign keys — and of a profile
    (JSON, its object as primary key) stored as bulk_create stores them, keys returned."""
    from havenbeeld.registry.models import Piece

    template = Piece.objects.filter(object=company).first()
    made = []
    for _ in range(2):
        piece = Piece(**{f.attname: getattr(template, f.attname)
                         for f in Piece._meta.concrete_fields if not f.primary_key})
        piece.valid_from = dt.date(2024, 5, 1)
        piece.value = "Kaaiwacht ‘Logistiek’ B.V. \u00e9\u4e2d"
        made.append(piece)
    by_orm, by_hot = Piece.objects.bulk_create(made[:1]), hot.insert(made[1:])
    assert by_hot[0].pk is not None and not by_hot[0]._state.adding
    assert _stored(Piece, by_orm[0].pk) == _stored(Piece, by_hot[0].pk)

    other = RegistryObject.objects.create(kind="company")
    features = {"name": "kaaiwacht", "ids": ["kvk:1"], "n": 1.5, "x": None}
    Profile.objects.bulk_create([Profile(object=company, kind="company", features=features)])
    hot.insert([Profile(object=other, kind="company", features=features,
                        updated_at=Profile.objects.get(pk=company.pk).updated_at)])
    assert _stored(Profile, company.pk) == _stored(Profile, other.pk)


def test_insert_splits_large_batches_and_refuses_mixed_models(company):
    from havenbeeld.registry.models import NameToken

    tokens = [NameToken(token=f"t{i}", piece_id=company.pieces.first().pk, object_id=company.pk)
              for i in range(1203)]
    hot.insert(tokens, batch_size=500)
    assert len({t.pk for t in tokens}) == 1203
    assert NameToken.objects.filter(object_id=company.pk, token__startswith="t").count() == 1203
    with pytest.raises(TypeError):
        hot.insert([NameToken(token="a", piece_id=tokens[0].piece_id, object_id=company.pk),
                    RegistryObject(kind="company")])


def test_insert_values_writes_link_rows_and_wants_every_column(company):
    from havenbeeld.resolution.models import BlockingKey

    hot.insert_values(BlockingKey, ("object_id", "key"), [(company.pk, "n:kaaiwacht"),
                                                          (company.pk, "i:kvk:12345678")])
    assert set(BlockingKey.objects.filter(object=company).values_list("key", flat=True)) >= {
        "n:kaaiwacht", "i:kvk:12345678"}
    with pytest.raises(ValueError):
        hot.insert_values(BlockingKey, ("key",), [("n:x",)])


def test_insert_can_leave_out_rows_that_already_exist(world, company):
    """``ignore_conflicts``: a pair proposed a moment ago by a parallel intake stands, the new
    ones go in, nothing raises; a row that breaks another rule still does."""
    from django.db import IntegrityError, transaction

    from havenbeeld.resolution.models import MatchPair

    other, third = RegistryObject.objects.create(kind="company"), RegistryObject.objects.create(
        kind="company")

    def pair(right, status="linked", **more):
        return MatchPair(left=company, right=right, kind="company", status=status,
                         method="model", match_weight=9.0, probability=0.99, **more)

    first = pair(other, status="review")
    first.save()
    hot.insert([pair(other), pair(third, evidence=[{"level": 2}])], ignore_conflicts=True)
    pairs = {(p.left_id, p.right_id): p for p in MatchPair.objects.all()}
    assert pairs[(company.pk, other.pk)].status == "review"  # left as it was
    assert pairs[(company.pk, other.pk)].pk == first.pk
    assert pairs[(company.pk, third.pk)].evidence == [{"level": 2}]
    with pytest.raises(IntegrityError), transaction.atomic():
        hot.insert([pair(third)])
