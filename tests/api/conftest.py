"""API fixtures: the app on the session's chain, with the demo patient enrolled at the custodian."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.main import create_app
from api.services import Services
from api.store import CustodianStore, PatientRecord
from ledger.client import LedgerClient
from ledger.eip712 import sign_typed_data
from tests.conftest import Actors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "patient"
MAX_BODY_BYTES = 8_192


@pytest.fixture()
def services(ledger: LedgerClient, actors: Actors, fresh_chain, tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path, max_body_bytes=MAX_BODY_BYTES)
    store = CustodianStore(tmp_path / "patients", Fernet.generate_key())
    store.put(
        actors.patient.address,
        PatientRecord(
            reference_fasta=(EXAMPLES / "hbb.fa").read_text(encoding="utf-8"),
            variants_vcf=(EXAMPLES / "hbb_patient.vcf").read_text(encoding="utf-8"),
            clinical=json.loads((EXAMPLES / "clinical.json").read_text(encoding="utf-8")),
        ),
    )
    return Services(settings, ledger, actors.custodian, store)


@pytest.fixture()
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_problem(response: Any, status: int, *fragments: str) -> dict[str, Any]:
    """Check a problem+json response and that its detail names each fragment."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    for fragment in fragments:
        assert fragment in body["detail"], body["detail"]
    return dict(body)


def grant_consent(client: TestClient, actors: Actors, **terms: Any) -> int:
    """Grant through the API as the patient's wallet would and return the consent id."""
    return int(relay_grant(client, actors, **terms)["consent_id"])


def relay_grant(client: TestClient, actors: Actors, **terms: Any) -> dict[str, Any]:
    """Fetch the grant payload, sign it with the patient's key, relay it, and return the response body."""
    body = {
        "patient": actors.patient.address,
        "grantee_kind": "any_accredited",
        "data_class": "genomic",
        "purposes": ["HMB"],
        "valid_until": 4_000_000_000,
        **terms,
    }
    payload = client.post("/patients/consents/grant-payload", json=body).json()
    signed = {
        **body,
        "valid_from": payload["typed_data"]["message"]["validFrom"],
        "nonce": payload["nonce"],
        "deadline": payload["deadline"],
        "signature": sign_typed_data(actors.patient.key, payload["typed_data"]),
    }
    response = client.post("/patients/consents/grant", json=signed)
    assert response.status_code == 201, response.text
    return dict(response.json())


def research(client: TestClient, path: str, researcher: Any, patient: str, **extra: Any) -> Any:
    """Prepare, sign and send a research request; return the run endpoint's response."""
    request = {"patient": patient, "researcher": researcher.address, "purpose": "HMB", **extra}
    payload = client.post(f"{path}/payload", json=request)
    assert payload.status_code == 200, payload.text
    prepared = payload.json()
    signed = {
        **request,
        "salt": prepared["salt"],
        "deadline": prepared["deadline"],
        "signature": sign_typed_data(researcher.key, prepared["typed_data"]),
    }
    return client.post(path, json=signed)
