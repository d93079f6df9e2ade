"""The gated request flow through the API: grant, run, deny, revoke, audit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ledger.client import LedgerClient
from tests.api.conftest import assert_problem, grant_consent, relay_grant, research
from tests.conftest import Actors

pytestmark = pytest.mark.chain

GUIDES = "/research/genomic/guides"
PBPK = "/research/nanotherapy/pbpk"


def test_openapi_lists_the_routes(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]

    assert {"/patients/consents/grant", GUIDES, PBPK, "/audit/patients/{patient}/accesses"} <= set(paths)


def test_guides_granted_with_consent(client: TestClient, actors: Actors, ledger: LedgerClient):
    consent_id = grant_consent(client, actors)

    response = research(client, GUIDES, actors.researcher, actors.patient.address)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["record"]["consent_id"] == consent_id
    assert body["receipt"]["chain_id"] == ledger.chain_id
    assert body["receipt"]["contract"] == ledger.access_ledger.address
    assert body["result"]["variants_applied"] == 1
    assert len(body["result"]["guides"]) > 0


def test_result_carries_no_patient_sequence(client: TestClient, actors: Actors):
    grant_consent(client, actors)

    text = research(client, GUIDES, actors.researcher, actors.patient.address).text

    # A 60-nt stretch of the patient's haplotype around rs334 (HbS allele T at position 70).
    assert "CATCTGACTCCTGTGGAGAAGTCTGCCGTTACTGCCCTGTGGGGCAAGGTGAACGTGGATG" not in text
    assert "ACATTTGCTTCTGACACAACTGTGTTCACTAGCAACCTCAAACAGACACC" not in text


def test_guides_denied_without_consent(client: TestClient, actors: Actors, ledger: LedgerClient):
    response = research(client, GUIDES, actors.researcher, actors.patient.address)

    body = assert_problem(response, 403, "no_consent")
    assert body["reason"] == "no_consent"
    records = ledger.access_records(patient=actors.patient.address)
    assert [r.receipt.as_dict() for r in records] == [body["receipt"]]


def test_guides_denied_after_revoke(client: TestClient, actors: Actors):
    from ledger.eip712 import sign_typed_data

    consent_id = grant_consent(client, actors)
    payload = client.post("/patients/consents/revoke-payload", json={"consent_id": consent_id}).json()
    revoke = client.post(
        "/patients/consents/revoke",
        json={
            "consent_id": consent_id,
            "nonce": payload["nonce"],
            "deadline": payload["deadline"],
            "signature": sign_typed_data(actors.patient.key, payload["typed_data"]),
        },
    )
    assert revoke.status_code == 200, revoke.text

    response = research(client, GUIDES, actors.researcher, actors.patient.address)

    assert_problem(response, 403, "no_consent")


def test_pbpk_denied_with_only_genomic_consent(client: TestClient, actors: Actors):
    grant_consent(client, actors)

    response = research(client, PBPK, actors.researcher, actors.patient.address)

    assert_problem(response, 403, "no_consent")


def test_pbpk_granted_with_clinical_consent(client: TestClient, actors: Actors):
    grant_consent(client, actors, data_class="clinical")

    response = research(client, PBPK, actors.researcher, actors.patient.address, parameters={"hours": 48})

    assert response.status_code == 200, response.text
    assert response.json()["record"]["data_class"] == "clinical"


def test_audit_lists_granted_and_denied(client: TestClient, actors: Actors):
    grant_consent(client, actors)
    research(client, GUIDES, actors.researcher, actors.patient.address)
    research(client, PBPK, actors.researcher, actors.patient.address)

    trail = client.get(f"/audit/patients/{actors.patient.address}/accesses").json()

    assert trail["count"] == 2
    assert [r["outcome"] for r in trail["records"]] == ["granted", "denied"]
    assert [r["data_class"] for r in trail["records"]] == ["genomic", "clinical"]


def test_receipt_verifies_and_tampering_shows(client: TestClient, actors: Actors):
    receipt = research(client, GUIDES, actors.researcher, actors.patient.address).json()["receipt"]

    verified = client.post("/audit/receipts/verify", json=receipt).json()
    tampered = client.post("/audit/receipts/verify", json={**receipt, "log_index": 3}).json()
    unknown = client.post("/audit/receipts/verify", json={**receipt, "transaction_hash": "0x" + "ab" * 32}).json()

    assert verified["verified"] is True
    assert verified["record"]["outcome"] == "denied"
    assert tampered["verified"] is False
    assert unknown["verified"] is False


def test_live_consents_listed(client: TestClient, actors: Actors):
    consent_id = grant_consent(client, actors, purposes=["HMB", "GRU"])

    listed = client.get(f"/patients/{actors.patient.address}/consents").json()

    assert [c["consent_id"] for c in listed["consents"]] == [consent_id]
    assert listed["consents"][0]["purposes"] == ["DUO:0000006", "DUO:0000042"]


def test_guide_result_is_limited(client: TestClient, actors: Actors):
    grant_consent(client, actors)

    default = research(client, GUIDES, actors.researcher, actors.patient.address).json()["result"]
    five = research(client, GUIDES, actors.researcher, actors.patient.address, parameters={"max_guides": 5}).json()

    assert len(default["guides"]) == 20
    assert default["guides_designed"] > 400
    assert len(five["result"]["guides"]) == 5
    assert "haplotypes" not in default
    assert "rs334" not in str(default)
    # Variant-affected NGG guides rank first: the HbS PAM change (CCTGAGG to CCTGTGG) alters guide 70forw.
    assert default["guides"][0]["effect"] != "unchanged"
    assert all(not guide["weak_pam"] for guide in default["guides"])


def test_pbpk_result_withholds_clinical_values(client: TestClient, actors: Actors):
    grant_consent(client, actors, data_class="clinical")

    result = research(client, PBPK, actors.researcher, actors.patient.address).json()["result"]

    assert "clinical" not in result
    assert "dose_mg" not in result
    assert "tumour" in result["organs"]
    assert set(result["organs"]["tumour"]) == {"pct_id", "tmax_h"}
    assert not any("tumour_volume" in text or "body_weight" in text for text in result["assumptions"])
    # Neither the body weight (62.0 kg) nor the tumour volume (0.012 L) appears anywhere.
    assert "62.0" not in str(result)
    assert "0.012" not in str(result)


def test_openapi_declares_problem_bodies(client: TestClient):
    responses = client.get("/openapi.json").json()["paths"][GUIDES]["post"]["responses"]

    for status in ("401", "403", "404", "409", "413", "422", "503"):
        assert list(responses[status]["content"]) == ["application/problem+json"], status


def test_pbpk_drug_exposure_released_as_ratio(client: TestClient, actors: Actors):
    grant_consent(client, actors, data_class="clinical")

    response = research(
        client,
        PBPK,
        actors.researcher,
        actors.patient.address,
        parameters={"formulation": "vincristine-pla-peg-u16c", "hours": 48},
    )

    assert response.status_code == 200, response.text
    drug = response.json()["result"]["released_drug"]
    assert drug["tumour_to_liver_auc_ratio"] > 0
    assert set(drug["tumour"]) == {"tmax_h"}


def test_guide_budget_spans_requests(client: TestClient, actors: Actors):
    grant_consent(client, actors)
    released: set[str] = set()

    for nuclease in ("SpCas9", "SaCas9", "Cas12a", "SpCas9"):
        body = research(
            client,
            GUIDES,
            actors.researcher,
            actors.patient.address,
            parameters={"nuclease": nuclease, "max_guides": 50},
        ).json()["result"]
        released |= {f"{nuclease}:{guide['id']}" for guide in body["guides"]}

    assert len(released) == 50
    assert body["guide_budget_remaining"] == 0
    # The repeated SpCas9 request still returns the guides released to this researcher before.
    assert len(body["guides"]) == 50


def test_consent_receipt_verifies(client: TestClient, actors: Actors, ledger: LedgerClient):
    granted = relay_grant(client, actors)

    verdict = client.post("/audit/receipts/verify", json=granted["receipt"]).json()
    tampered = client.post("/audit/receipts/verify", json={**granted["receipt"], "log_index": 5}).json()

    assert granted["receipt"]["contract"] == ledger.consents.address
    assert verdict["verified"] is True
    assert verdict["consent_event"]["event"] == "ConsentGranted"
    assert verdict["consent_event"]["consentId"] == granted["consent_id"]
    assert verdict["consent_event"]["patient"] == actors.patient.address
    assert verdict["consent_event"]["purposes"] == ["DUO:0000006"]
    assert tampered["verified"] is False
