from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

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
