from __future__ import annotations

import csv

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from havenbeeld.imports import services
from havenbeeld.imports.services import save_mapping
from havenbeeld.sharing.models import LegalBasis


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def company_mapping(world):
    return save_mapping(
        actor=world.customs_analyst, name="Douane importeurs", kind="company",
        columns={"Naam": "name", "KvK-nummer": "identifier:kvk", "Opgericht": "founded",
                 "Plaats": "city", "Opmerking": "ignore"},
        key_column="KvK-nummer", distribution="convenant",
        legal_basis=LegalBasis.objects.get(code="awr-douane"))


@pytest.fixture
def pipelined(monkeypatch):
    """The next chunk read and normalised in a thread while the current one is written, as on
    PostgreSQL, on whichever database the tests run; the list records each use of the
    thread."""
    from django.db import connection

    monkeypatch.setattr(services, "PIPELINE_VENDORS", (connection.vendor,))
    used = []
    ahead = services._ahead

    def counted(items):
        used.append(1)
        return ahead(items)

    monkeypatch.setattr(services, "_ahead", counted)
    return used


@pytest.fixture
def csv_field_limit():
    """csv's field size limit at its default (another module may raise it for the process):
    a cell longer than this breaks a CSV file off."""
    before = csv.field_size_limit(131_072)
    yield 131_072
    csv.field_size_limit(before)


def upload(content: bytes | str, name: str = "bedrijven.csv",
           encoding: str = "utf-8") -> SimpleUploadedFile:
    data = content.encode(encoding) if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


COMPANIES = (
    "Naam;KvK-nummer;Opgericht;Plaats;Opmerking\n"
    "Zuidkade Handel B.V.;1234 5678;2001-05-04;Rotterdam;\n"
    "Noordpier Cargo BV;87654321;14-02-1999;Vlissingen;let op\n"
    "Ankerplaats Trading B.V.;11223344;2010-10-10;Moerdijk;\n"
)
