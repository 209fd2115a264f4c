"""Matching without the database: features, comparisons, the linker, the file contract."""

from __future__ import annotations

import csv
import random

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from havenbeeld.resolution import contract, evaluation
from havenbeeld.resolution.comparisons import COMPARISONS
from havenbeeld.resolution.features import (
    Record,
    company_key,
    features,
    parse_date,
    split_person_name,
)
from havenbeeld.resolution.linker import RARE_NAME, link
from havenbeeld.resolution.model import SCHEMA, Scorer, default_settings


def company(record_id: str, name: str, **fields) -> Record:
    return Record(record_id=record_id, entity_type="company", name=name, **fields)


def person(record_id: str, name: str = "", **fields) -> Record:
    return Record(record_id=record_id, entity_type="person", name=name, **fields)


@pytest.mark.parametrize(("name", "expected"), [
    ("JANSEN, Piet", ("Piet", "JANSEN")),
    ("P. Jansen", ("P.", "Jansen")),
    ("Piet van der Berg", ("Piet", "van der Berg")),
    ("Anna Maria de Vries", ("Anna Maria", "de Vries")),
    ("Mohamed", ("", "Mohamed")),
])
def test_person_names_split_into_first_and_last_name(name, expected):
    assert split_person_name(name) == expected


def test_names_are_folded_the_same_whatever_the_script_case_or_bidi_controls():
    plain = features(company("1", "Kaaiwacht Logistiek B.V."))
    tricky = features(company("2", "\u202eКААIWACHT logistiek bv"))  # Cyrillic К, А; RLO
    assert plain["name_key"] == tricky["name_key"] == "kaaiwacht logistiek"


@pytest.mark.parametrize(("name", "expected"), [
    ("Kaaiwacht Logistiek B.V.", "kaaiwacht logistiek"),
    ("HOLDING B.V. DELTA EXPEDITIE", "delta expeditie holding"),
    ("Logistiek Kaaiwacht Besloten Vennootschap", "kaaiwacht logistiek"),
    # words the fingerprints library takes for company types are part of the name
    ("Tros Import B.V.", "import tros"),
    ("Tros Export BV", "export tros"),
    ("Vos Containerservice V.O.F.", "containerservice vos"),
    ("Dekker Koelopslag Hldg B.V.", "dekker holding koelopslag"),
    # foreign legal forms only at the end, where they stand; short ones may be a name's word
    ("Kade Trading GmbH & Co. KG", "kade trading"),
    ("AB Transport BV", "ab transport"),
    ("Holding B.V.", "holding"),
    ("B.V.", "b v"),
])
def test_company_keys_drop_legal_forms_and_keep_the_words_of_the_name(name, expected):
    assert company_key(name) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("1985-03-14", "19850314"), ("19850314", "19850314"), ("14-03-1985", "19850314"),
    ("14/3/1985", "19850314"), ("1985", "19850000"), ("gisteren", None), ("", None),
    ("1985-13-45", "19851345"),  # a mistyped month stays comparable, character by character
])
def test_dates_in_common_spellings(raw, expected):
    assert parse_date(raw) == expected


def test_a_dutch_eori_built_from_an_rsin_is_evidence_for_that_rsin_but_not_a_strong_id():
    row = features(company("1", "X", identifiers=(("eori", "NL 0044 95445"),)))
    assert "rsin:004495445" in row["identifiers"]
    assert row["strong_ids"] == ["eori:NL004495445"]


def test_invalid_identifiers_are_no_evidence_and_unknown_schemes_are_kept():
    row = features(company("1", "X", identifiers=(("kvk", "1234567"), ("ssn", "12-34"))))
    assert row["identifiers"] == ["ssn:1234"]
    assert row["strong_ids"] is None


def _random_rows(seed: int, n: int = 60) -> list[dict]:
    rng = random.Random(seed)
    words = ["kaai", "wacht", "logistiek", "maas", "delta", "haven", "jansen", "piet", "de",
             "vries", "bakker", "anna", "logistik", "lgoistiek", "vaargeul", "vargeul", "baker",
             "consultancy"]
    rows = []
    for i in range(n):
        kind = rng.choice(("person", "company"))
        name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        rows.append(features(Record(
            record_id=str(i), entity_type=kind, name=name if rng.random() < 0.9 else "",
            birth_date=rng.choice(["", "1980-01-02", "1980-02-01", "1980-01-03"]),
            founded=rng.choice(["", "2001-05-06", "2001-05-07"]),
            postcode=rng.choice(["", "3011AB", "3011BA", "3012AB"]),
            house_number=rng.choice(["", "1", "12"]), street=rng.choice(["", "kade", "kaade"]),
            city=rng.choice(["", "Rotterdam", "Rotterdan"]),
            identifiers=rng.choice([(), (("kvk", "12345678"),), (("ssn", "123"),),
                                    (("ssn", "124"),)]))))
    return rows


def test_python_and_sql_put_every_pair_in_the_same_comparison_level():
    """The real-time scorer and Splink on DuckDB must agree, level by level."""
    rows = _random_rows(1, 160)
    connection = duckdb.connect()
    import pyarrow as pa

    connection.register("rows", pa.Table.from_pylist(rows, schema=SCHEMA))
    for kind, comparisons in COMPARISONS.items():
        same_kind = [r for r in rows if r["entity_type"] == kind]
        for comparison in comparisons:
            cases = " ".join(f"WHEN {level.sql} THEN {i}"
                             for i, level in enumerate(comparison.levels) if level.sql != "ELSE")
            columns = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in SCHEMA.names)
            sql = (f"SELECT record_id_l, record_id_r, CASE {cases} "  # noqa: S608
                   f"ELSE {len(comparison.levels) - 1} END FROM (SELECT {columns} FROM rows l, "
                   f"rows r WHERE l.entity_type = '{kind}' AND r.entity_type = '{kind}' "
                   f"AND l.record_id < r.record_id)")
            by_id = {r["record_id"]: r for r in same_kind}
            for left, right, level in connection.execute(sql).fetchall():
                assert comparison.level_of(by_id[left], by_id[right]) == level, (
                    comparison.name, by_id[left], by_id[right])


@given(st.text(max_size=40), st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_features_and_a_score_without_crashing(name, other):
    left = features(company("1", name, postcode=other, identifiers=(("kvk", other),)))
    right = features(person("2", other, birth_date=name))
    assert Scorer("company", default_settings("company")).score(left, left).match_weight == (
        pytest.approx(Scorer("company", default_settings("company")).score(left,
                                                                           left).match_weight))
    Scorer("person", default_settings("person")).score(right, right)


def test_febrl4_scores_at_least_as_well_as_plain_splink():
    records, truth = evaluation.febrl_records("febrl4")
    report = evaluation.evaluate(records, truth)
    assert report["havenbeeld"]["f1"] >= 0.995
    assert report["havenbeeld"]["f1"] >= report["splink_baseline"]["f1"]


def test_holding_bv_everywhere_and_records_without_anything_are_not_merged():
    records = [company(str(i), "Holding B.V.") for i in range(30)]
    records += [company("empty-1", ""), company("empty-2", ""), person("p", "")]
    result = link(features(r) for r in records)
    assert len(set(result.clusters.values())) == len(records)


def _partners(name: str = "Vlaak Export Holding B.V.", **police) -> list[Record]:
    """The register's record of a company, Customs' and the police's (name only), and other
    companies around them."""
    records = [company("riec", name, source="RIEC", identifiers=(("kvk", "12345678"),),
                       founded="1992-10-23", street="Willemskade", house_number="29",
                       postcode="8861 DH", city="Harlingen"),
               company("customs", name.upper(), source="Douane", postcode="8861DH",
                       house_number="29", identifiers=(("eori", "NL004495445"),)),
               company("police", name.replace("B.V.", "BV"), source="Politie", **police)]
    for i, other in enumerate(("Kade Cargo B.V.", "Maas Reefer Services", "Delta Trading",
                               "Noordzee Visserij N.V.", "Kaaiwacht Logistiek B.V.")):
        records.append(company(f"other-{i}", other, source="RIEC",
                               identifiers=(("kvk", f"{20000000 + i}"),)))
    return records


def test_a_rarely_named_company_links_on_its_name_alone_when_nothing_disagrees():
    result = link(features(r) for r in _partners())
    assert result.clusters["police"] == result.clusters["riec"]
    assert {p.rule for p in result.links if "police" in (p.left, p.right)} == {RARE_NAME}
    assert not any("police" in (p.left, p.right) for p in result.review)


@pytest.mark.parametrize("police", [
    {"city": "Delfzijl"},  # another address
    {"founded": "2001-05-06"},  # another company
    {"identifiers": (("kvk", "87654321"),)},  # another KvK number
    {"source": "RIEC"},  # the register told of two companies of this name
])
def test_a_rare_name_does_not_link_when_anything_disagrees(police):
    records = _partners(**{k: v for k, v in police.items() if k != "source"})
    if "source" in police:
        records[2] = Record(**{**records[2].__dict__, "source": police["source"]})
    result = link(features(r) for r in records)
    assert result.clusters["police"] == "police"


def test_a_name_of_generic_words_or_one_a_partner_told_of_two_companies_does_not_link():
    generic = [company("a", "Rotterdam Trading Holding B.V.", source="RIEC"),
               company("b", "ROTTERDAM TRADING HOLDING", source="Politie")]
    assert len(set(link(features(r) for r in generic).clusters.values())) == 2
    two = [company("a", "Vlaak Export B.V.", source="RIEC", identifiers=(("kvk", "12345678"),)),
           company("b", "Vlaak Export B.V.", source="RIEC", identifiers=(("kvk", "87654321"),)),
           company("c", "Vlaak Export", source="Politie")]
    result = link(features(r) for r in two)
    assert len(set(result.clusters.values())) == 3
    assert {(p.left, p.right) for p in result.review} >= {("a", "c"), ("b", "c")}


def test_a_person_name_alone_does_not_link_however_rare():
    records = [person("riec", "Piet van der Zwaluw", source="RIEC"),
               person("police", "Piet van der Zwaluw", source="Politie",
                      birth_date="1971-03-02")]
    assert len(set(link(features(r) for r in records).clusters.values())) == 2


def test_a_flex_office_record_joins_the_company_whose_words_it_spells_not_a_neighbour():
    flex = {"street": "Vierhavensstraat", "house_number": "178", "postcode": "3029 LB",
            "city": "Rotterdam"}
    records = [company("mulder", "Mulder Consultancy B.V.", source="RIEC",
                       identifiers=(("kvk", "41974337"),), **flex),
               company("vaargeul", "Vaargeul Consultancy B.V.", source="RIEC",
                       identifiers=(("kvk", "12345678"),), **flex),
               company("consignee", "Vargeul Consultancy B.V.", source="Rederij", **flex)]
    clusters = link(features(r) for r in records).clusters
    assert clusters["consignee"] == clusters["vaargeul"] != clusters["mulder"]


def test_a_shared_kvk_links_and_two_kvks_never_end_in_one_cluster():
    records = [
        company("a", "Kaaiwacht Logistiek B.V.", identifiers=(("kvk", "12345678"),)),
        company("b", "KAAIWACHT LOGISTIEK", identifiers=(("kvk", "1234 5678"),)),
        company("c", "Kaaiwacht Logistiek BV", identifiers=(("kvk", "87654321"),)),
    ]
    clusters = link(features(r) for r in records).clusters
    assert clusters["a"] == clusters["b"]
    assert clusters["c"] != clusters["a"]


def test_an_analysts_not_the_same_is_respected_by_the_linker():
    records = [company("a", "Kaaiwacht Logistiek B.V.", identifiers=(("kvk", "12345678"),)),
               company("b", "Kaaiwacht Logistiek", identifiers=(("kvk", "12345678"),))]
    rows = [features(r) for r in records]
    assert len(set(link(rows).clusters.values())) == 1
    assert len(set(link(rows, cannot_link=[("a", "b")]).clusters.values())) == 2


def test_resolve_file_writes_every_record_and_reads_any_encoding(tmp_path, capsys):
    from django.core.management import call_command

    records, truth = evaluation.febrl_records("febrl4")
    sample = [r for r in records if int(r.record_id.split("-")[1]) < 300]
    text = contract.records_to_csv(sample).replace(",", ";")
    source = tmp_path / "records.csv"
    source.write_bytes(text.encode("utf-16"))
    target = tmp_path / "out" / "clusters.csv"
    call_command("resolve-file", "--input", str(source), "--output", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["record_id"] for r in rows] == [r.record_id for r in sample]
    scores = evaluation.pairwise({r["record_id"]: r["cluster_id"] for r in rows},
                                 {r.record_id: truth[r.record_id] for r in sample})
    assert scores.f1 > 0.98


@pytest.mark.parametrize(("content", "message"), [
    (b"", "leeg"),
    (b"name,city\nX,Y\n", "record_id"),
    (b"record_id,name\n1,X\n1,Y\n", "herhaalt"),
    (b"PK\x03\x04\x00\x00binary", "geen tekstbestand"),
])
def test_resolve_file_refuses_broken_files_with_a_clear_message(tmp_path, content, message):
    from django.core.management import CommandError, call_command

    source = tmp_path / "records.csv"
    source.write_bytes(content)
    target = tmp_path / "clusters.csv"
    with pytest.raises(CommandError, match=message):
        call_command("resolve-file", "--input", str(source), "--output", str(target))
    assert not target.exists()


def test_resolve_file_refuses_a_file_over_one_gigabyte_before_reading_it(tmp_path):
    from django.core.management import CommandError, call_command

    source = tmp_path / "huge.csv"
    with source.open("wb") as handle:  # sparse: takes no disk space
        handle.write(b"record_id,name\n")
        handle.truncate(contract.MAX_BYTES + 1)
    with pytest.raises(CommandError, match="groter dan 1 GB"):
        call_command("resolve-file", "--input", str(source), "--output",
                     str(tmp_path / "out.csv"))
