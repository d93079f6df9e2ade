"""Every input a client sends, with bad values: a 4xx problem+json that names the value, never a 5xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ledger.client import LedgerClient
from ledger.eip712 import sign_typed_data
from tests.api.conftest import MAX_BODY_BYTES, assert_problem, grant_consent, research
from tests.conftest import Actors, keyed_account

pytestmark = pytest.mark.chain

GUIDES = "/research/genomic/guides"


def grant_body(actors: Actors, **changes) -> dict:
    return {
        "patient": actors.patient.address,
        "grantee_kind": "any_accredited",
        "data_class": "genomic",
        "purposes": ["HMB"],
        "valid_until": 4_000_000_000,
        **changes,
    }


@pytest.mark.parametrize(
    "address",
    [
        "0x123",
        "not-an-address",
        "f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "0xZZ9fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "",
    ],
)
def test_malformed_patient_address(client: TestClient, actors: Actors, address):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, patient=address))

    body = assert_problem(response, 422, "patient", "not an Ethereum address")
    assert body["errors"][0]["field"] == "patient"


def test_malformed_address_in_audit_path(client: TestClient):
    response = client.get("/audit/patients/0xnothex/accesses")

    assert_problem(response, 422, "0xnothex", "40 hex digits")


def test_malformed_researcher_address(client: TestClient, actors: Actors):
    response = client.post(
        f"{GUIDES}/payload", json={"patient": actors.patient.address, "researcher": "0xabc", "purpose": "HMB"}
    )

    assert_problem(response, 422, "researcher", "'0xabc'")


@pytest.mark.parametrize("data_class", ["imaging", "GENOMIC", "", 7])
def test_wrong_data_class(client: TestClient, actors: Actors, data_class):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, data_class=data_class))

    assert_problem(response, 422, "data_class", "'genomic' or 'clinical'")


def test_wrong_data_class_in_consent_listing(client: TestClient, actors: Actors):
    response = client.get(f"/patients/{actors.patient.address}/consents", params={"data_class": "imaging"})

    assert_problem(response, 422, "data_class")


@pytest.mark.parametrize("purpose", ["XYZ", "DUO:9999999", "hmb"])
def test_unknown_purpose(client: TestClient, actors: Actors, purpose):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, purposes=[purpose]))

    assert_problem(response, 422, f"unknown purpose '{purpose}'", "DUO permission term")


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"purposes": []}, "purposes"),
        ({"grantee_kind": "researcher"}, "grantee is required when grantee_kind is researcher"),
        ({"grantee": "0x000000000000000000000000000000000000dEaD"}, "grantee must be omitted"),
        ({"grantee_kind": "everyone"}, "grantee_kind"),
        ({"valid_from": 20, "valid_until": 10}, "valid_from 20 must be earlier than valid_until 10"),
        ({"valid_until": -1}, "valid_until"),
        ({"valid_until": 2**64}, "valid_until"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
def test_invalid_consent_terms(client: TestClient, actors: Actors, changes, fragment):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, **changes))

    assert_problem(response, 422, fragment)


@pytest.mark.parametrize("signature", ["0x1234", "0x" + "zz" * 65, "not hex", "0x" + "00" * 66])
def test_malformed_signature(client: TestClient, actors: Actors, signature):
    body = {**grant_body(actors), "valid_from": 1, "nonce": 0, "deadline": 4_000_000_000, "signature": signature}

    response = client.post("/patients/consents/grant", json=body)

    assert_problem(response, 422, "signature", "65 bytes")


def test_grant_signed_by_wrong_wallet(client: TestClient, actors: Actors, ledger: LedgerClient):
    body = grant_body(actors)
    payload = client.post("/patients/consents/grant-payload", json=body).json()
    forged = sign_typed_data(keyed_account("impostor").key, payload["typed_data"])
    signed = {
        **body,
        "valid_from": payload["typed_data"]["message"]["validFrom"],
        "nonce": payload["nonce"],
        "deadline": payload["deadline"],
        "signature": forged,
    }

    response = client.post("/patients/consents/grant", json=signed)

    problem = assert_problem(response, 401, "ConsentRegistryInvalidSignature", actors.patient.address)
    assert problem["error"] == "ConsentRegistryInvalidSignature"
    assert ledger.live_consents(actors.patient.address, "genomic") == []


def test_grant_signature_replayed(client: TestClient, actors: Actors):
    body = grant_body(actors)
    payload = client.post("/patients/consents/grant-payload", json=body).json()
    signed = {
        **body,
        "valid_from": payload["typed_data"]["message"]["validFrom"],
        "nonce": payload["nonce"],
        "deadline": payload["deadline"],
        "signature": sign_typed_data(actors.patient.key, payload["typed_data"]),
    }
    assert client.post("/patients/consents/grant", json=signed).status_code == 201

    response = client.post("/patients/consents/grant", json=signed)

    assert_problem(response, 409, "InvalidAccountNonce")


def test_grant_with_altered_terms(client: TestClient, actors: Actors):
    body = grant_body(actors)
    payload = client.post("/patients/consents/grant-payload", json=body).json()
    signed = {
        **body,
        "purposes": ["GRU"],
        "valid_from": payload["typed_data"]["message"]["validFrom"],
        "nonce": payload["nonce"],
        "deadline": payload["deadline"],
        "signature": sign_typed_data(actors.patient.key, payload["typed_data"]),
    }

    response = client.post("/patients/consents/grant", json=signed)

    assert_problem(response, 401, "ConsentRegistryInvalidSignature")


def test_revoke_unknown_consent(client: TestClient):
    response = client.post("/patients/consents/revoke-payload", json={"consent_id": 424242})

    assert_problem(response, 404, "ConsentRegistryUnknownConsent", "424242")


@pytest.mark.parametrize("consent_id", [0, -3, "one", None])
def test_revoke_invalid_consent_id(client: TestClient, consent_id):
    response = client.post("/patients/consents/revoke-payload", json={"consent_id": consent_id})

    assert_problem(response, 422, "consent_id")


def test_revoke_signed_by_wrong_wallet(client: TestClient, actors: Actors):
    consent_id = grant_consent(client, actors)
    payload = client.post("/patients/consents/revoke-payload", json={"consent_id": consent_id}).json()

    response = client.post(
        "/patients/consents/revoke",
        json={
            "consent_id": consent_id,
            "nonce": payload["nonce"],
            "deadline": payload["deadline"],
            "signature": sign_typed_data(keyed_account("impostor").key, payload["typed_data"]),
        },
    )

    assert_problem(response, 401, "ConsentRegistryInvalidSignature")


def test_unknown_patient(client: TestClient, actors: Actors, ledger: LedgerClient):
    stranger = keyed_account("not enrolled").address

    response = research(client, GUIDES, actors.researcher, stranger)

    assert_problem(response, 404, stranger, "holds no genomic data")
    assert ledger.access_records(patient=stranger) == []


def test_research_signed_by_other_account(client: TestClient, actors: Actors, ledger: LedgerClient):
    request = {"patient": actors.patient.address, "researcher": actors.researcher.address, "purpose": "HMB"}
    prepared = client.post(f"{GUIDES}/payload", json=request).json()
    forged = sign_typed_data(keyed_account("impostor").key, prepared["typed_data"])

    response = client.post(
        GUIDES, json={**request, "salt": prepared["salt"], "deadline": prepared["deadline"], "signature": forged}
    )

    assert_problem(response, 401, actors.researcher.address)
    assert ledger.access_records(patient=actors.patient.address) == []


def test_research_parameters_changed_after_signing(client: TestClient, actors: Actors):
    request = {"patient": actors.patient.address, "researcher": actors.researcher.address, "purpose": "HMB"}
    prepared = client.post(f"{GUIDES}/payload", json=request).json()
    signature = sign_typed_data(actors.researcher.key, prepared["typed_data"])

    response = client.post(
        GUIDES,
        json={
            **request,
            "parameters": {"nuclease": "Cas12a"},
            "salt": prepared["salt"],
            "deadline": prepared["deadline"],
            "signature": signature,
        },
    )

    assert_problem(response, 401, "was not made by researcher")


def test_research_replayed(client: TestClient, actors: Actors, ledger: LedgerClient):
    request = {"patient": actors.patient.address, "researcher": actors.researcher.address, "purpose": "HMB"}
    prepared = client.post(f"{GUIDES}/payload", json=request).json()
    signed = {
        **request,
        "salt": prepared["salt"],
        "deadline": prepared["deadline"],
        "signature": sign_typed_data(actors.researcher.key, prepared["typed_data"]),
    }
    assert client.post(GUIDES, json=signed).status_code == 403

    response = client.post(GUIDES, json=signed)

    assert_problem(response, 409, prepared["request_hash"], "new salt")
    assert len(ledger.access_records(patient=actors.patient.address)) == 1


def test_research_payload_deadline_in_past(client: TestClient, actors: Actors, ledger: LedgerClient):
    past = ledger.chain_time() - 10
    request = {
        "patient": actors.patient.address,
        "researcher": actors.researcher.address,
        "purpose": "HMB",
        "deadline": past,
    }

    response = client.post(f"{GUIDES}/payload", json=request)

    assert_problem(response, 422, f"deadline {past} is not after the current time")


def test_research_deadline_passed_before_run(client: TestClient, actors: Actors, ledger: LedgerClient, w3):
    from tests.conftest import advance_time

    request = {
        "patient": actors.patient.address,
        "researcher": actors.researcher.address,
        "purpose": "HMB",
        "deadline": ledger.chain_time() + 30,
    }
    prepared = client.post(f"{GUIDES}/payload", json=request).json()
    signed = {
        **request,
        "salt": prepared["salt"],
        "signature": sign_typed_data(actors.researcher.key, prepared["typed_data"]),
    }
    advance_time(w3, 60)

    response = client.post(GUIDES, json=signed)

    assert_problem(response, 422, f"deadline {request['deadline']} has passed")
    assert ledger.access_records(patient=actors.patient.address) == []


@pytest.mark.parametrize(
    ("parameters", "fragment"),
    [
        ({"nuclease": "Cas9000"}, "parameters.nuclease"),
        ({"nuclease": "SpCas9", "extra": 1}, "parameters.extra"),
    ],
)
def test_invalid_guide_parameters(client: TestClient, actors: Actors, parameters, fragment):
    response = client.post(
        f"{GUIDES}/payload",
        json={
            "patient": actors.patient.address,
            "researcher": actors.researcher.address,
            "purpose": "HMB",
            "parameters": parameters,
        },
    )

    assert_problem(response, 422, fragment)


@pytest.mark.parametrize(
    ("parameters", "status", "fragment"),
    [
        ({"hours": -1}, 422, "parameters.hours"),
        ({"hours": 1e9}, 422, "parameters.hours"),
        ({"dose_mg_per_kg": 0}, 422, "parameters.dose_mg_per_kg"),
        ({"formulation": "no-such-preset"}, 422, "'no-such-preset' is not a preset"),
    ],
)
def test_invalid_pbpk_parameters(client: TestClient, actors: Actors, parameters, status, fragment):
    response = client.post(
        "/research/nanotherapy/pbpk/payload",
        json={
            "patient": actors.patient.address,
            "researcher": actors.researcher.address,
            "purpose": "HMB",
            "parameters": parameters,
        },
    )

    assert_problem(response, status, fragment)


@pytest.mark.parametrize("salt", ["0x12", "0x" + "g" * 64, "salt"])
def test_invalid_salt(client: TestClient, actors: Actors, salt):
    response = client.post(
        f"{GUIDES}/payload",
        json={
            "patient": actors.patient.address,
            "researcher": actors.researcher.address,
            "purpose": "HMB",
            "salt": salt,
        },
    )

    assert_problem(response, 422, "salt", "32 bytes")


def test_oversized_body(client: TestClient, actors: Actors):
    body = grant_body(actors, purposes=["HMB"] * (MAX_BODY_BYTES // 4))

    response = client.post("/patients/consents/grant-payload", json=body)

    assert_problem(response, 413, str(MAX_BODY_BYTES))


def test_oversized_body_without_content_length(client: TestClient):
    def chunks():
        for _ in range(4):
            yield b" " * MAX_BODY_BYTES

    response = client.post(
        "/patients/consents/grant-payload", content=chunks(), headers={"content-type": "application/json"}
    )

    assert_problem(response, 413, "exceeds")


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b"null", '{"patient": "\u00e9"}'.encode()])
def test_invalid_json(client: TestClient, raw):
    response = client.post(
        "/patients/consents/grant-payload", content=raw, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("receipt_change", [{"transaction_hash": "0x12"}, {"block_number": -1}, {"contract": "0x1"}])
def test_invalid_receipt(client: TestClient, receipt_change):
    receipt = {
        "chain_id": 31337,
        "contract": "0x000000000000000000000000000000000000dEaD",
        "transaction_hash": "0x" + "ab" * 32,
        "block_number": 1,
        "block_hash": "0x" + "cd" * 32,
        "log_index": 0,
        **receipt_change,
    }

    response = client.post("/audit/receipts/verify", json=receipt)

    assert_problem(response, 422, next(iter(receipt_change)))


def test_unknown_route_is_problem(client: TestClient):
    assert_problem(client.get("/patients"), 404)
    assert_problem(client.delete("/patients/consents/grant"), 405)


@pytest.mark.parametrize(
    "signature",
    ["0x" + "cd" * 65, "0x" + "00" * 65, "0x" + "00" * 64 + "1b", "0x" + "ff" * 65],
)
def test_unrecoverable_research_signature(client: TestClient, actors: Actors, ledger: LedgerClient, signature):
    request = {"patient": actors.patient.address, "researcher": actors.researcher.address, "purpose": "HMB"}
    prepared = client.post(f"{GUIDES}/payload", json=request).json()

    response = client.post(
        GUIDES, json={**request, "salt": prepared["salt"], "deadline": prepared["deadline"], "signature": signature}
    )

    assert_problem(response, 401, "was not made by researcher")
    assert ledger.access_records(patient=actors.patient.address) == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/patients/consents/revoke-payload", {"consent_id": 2**256}, "consent_id"),
        (
            "/patients/consents/revoke",
            {"consent_id": 1, "nonce": 2**300, "deadline": 1, "signature": "0x" + "00" * 65},
            "nonce",
        ),
    ],
)
def test_numbers_beyond_uint256(client: TestClient, path, body, field):
    assert_problem(client.post(path, json=body), 422, field)


@pytest.mark.parametrize("from_block", [10**12, 2**62])
def test_from_block_beyond_head_is_empty(client: TestClient, actors: Actors, from_block):
    response = client.get(f"/audit/patients/{actors.patient.address}/accesses", params={"from_block": from_block})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_from_block_beyond_int64(client: TestClient, actors: Actors):
    response = client.get(f"/audit/patients/{actors.patient.address}/accesses", params={"from_block": 2**70})

    assert_problem(response, 422, "from_block")


def test_receipt_beyond_head_not_verified(client: TestClient, ledger: LedgerClient):
    receipt = {
        "chain_id": ledger.chain_id,
        "contract": ledger.access_ledger.address,
        "transaction_hash": "0x" + "ab" * 32,
        "block_number": 10**12,
        "block_hash": "0x" + "cd" * 32,
        "log_index": 0,
    }

    verdict = client.post("/audit/receipts/verify", json=receipt).json()
    too_large = client.post("/audit/receipts/verify", json={**receipt, "block_number": 2**256})

    assert verdict["verified"] is False
    assert "no such transaction or block" in verdict["reason"]
    assert_problem(too_large, 422, "block_number")


def test_patient_without_clinical_data(client: TestClient, actors: Actors, services, ledger: LedgerClient):
    from api.store import PatientRecord

    genomic_only = keyed_account("genomic only")
    services.store.put(genomic_only.address, PatientRecord("ACGT" * 10, None, None))

    response = research(client, "/research/nanotherapy/pbpk", actors.researcher, genomic_only.address)

    assert_problem(response, 404, "holds no clinical data", genomic_only.address)
    assert ledger.access_records(patient=genomic_only.address) == []


def test_grant_payload_expiry_in_past(client: TestClient, actors: Actors, ledger: LedgerClient):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, valid_until=1000))

    assert_problem(response, 422, "valid_until 1000 is not after the current time")


def test_grant_payload_deadline_in_past(client: TestClient, actors: Actors):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, deadline=1000))

    assert_problem(response, 422, "deadline 1000 is not after the current time")


def test_institution_grantee_must_be_member(client: TestClient, actors: Actors):
    body = grant_body(actors, grantee_kind="institution", grantee=actors.researcher.address)

    response = client.post("/patients/consents/grant-payload", json=body)

    assert_problem(response, 422, f"grantee {actors.researcher.address} is not a member institution")


def test_duplicate_purposes(client: TestClient, actors: Actors):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, purposes=["HMB", "DUO:0000006"]))

    assert_problem(response, 422, "purposes lists DUO:0000006 more than once")


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("0x" + "00" * 20, "zero address"),
        ("0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266", "invalid EIP-55 checksum"),
    ],
)
def test_patient_address_checks(client: TestClient, actors: Actors, address, fragment):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, patient=address))

    assert_problem(response, 422, fragment)


def test_revoke_payload_for_revoked_consent(client: TestClient, actors: Actors):
    consent_id = grant_consent(client, actors)
    payload = client.post("/patients/consents/revoke-payload", json={"consent_id": consent_id}).json()
    client.post(
        "/patients/consents/revoke",
        json={
            "consent_id": consent_id,
            "nonce": payload["nonce"],
            "deadline": payload["deadline"],
            "signature": sign_typed_data(actors.patient.key, payload["typed_data"]),
        },
    )

    response = client.post("/patients/consents/revoke-payload", json={"consent_id": consent_id})

    assert_problem(response, 409, f"consent {consent_id} is already revoked")


@pytest.mark.parametrize(
    ("raw", "content_type", "fragment"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b"patient=0x12", "text/plain", "must be a JSON object"),
        (b"[1, 2]", "application/json", "must be a JSON object"),
    ],
)
def test_body_errors_say_how_to_fix(client: TestClient, raw, content_type, fragment):
    response = client.post("/patients/consents/grant-payload", content=raw, headers={"content-type": content_type})

    assert_problem(response, 422, fragment)


def test_missing_field_named(client: TestClient, actors: Actors):
    response = client.post("/patients/consents/grant-payload", json={"patient": actors.patient.address})

    body = assert_problem(response, 422, "grantee_kind: Field required", "/openapi.json")
    assert "Value error" not in body["detail"]


def test_denial_says_what_to_do(client: TestClient, actors: Actors):
    response = research(client, GUIDES, actors.researcher, actors.patient.address)

    assert_problem(response, 403, "no_consent", "the patient must grant one first")


def test_non_json_body_names_no_index(client: TestClient):
    response = client.post(
        "/patients/consents/grant-payload", content=b"{oops", headers={"content-type": "application/json"}
    )

    body = assert_problem(response, 422, "not valid JSON")
    assert not body["detail"].startswith("0:")


@pytest.mark.parametrize("hours", ["NaN", "Infinity"])
def test_pbpk_hours_not_a_number(client: TestClient, actors: Actors, hours):
    raw = (
        f'{{"patient": "{actors.patient.address}", "researcher": "{actors.researcher.address}", '
        f'"purpose": "HMB", "parameters": {{"hours": {hours}}}}}'
    )

    response = client.post(
        "/research/nanotherapy/pbpk/payload", content=raw.encode(), headers={"content-type": "application/json"}
    )

    assert_problem(response, 422, "parameters.hours")


@pytest.mark.parametrize("value", [True, "4000000000", 1.5])
def test_times_must_be_integers(client: TestClient, actors: Actors, value):
    response = client.post("/patients/consents/grant-payload", json=grant_body(actors, valid_until=value))

    assert_problem(response, 422, "valid_until")


@pytest.mark.parametrize("kind", ["researcher", "institution"])
def test_zero_grantee_rejected(client: TestClient, actors: Actors, kind):
    body = grant_body(actors, grantee_kind=kind, grantee="0x" + "00" * 20)

    response = client.post("/patients/consents/grant-payload", json=body)

    assert_problem(response, 422, "grantee must not be the zero address")


def test_research_deadline_too_far(client: TestClient, actors: Actors, ledger: LedgerClient):
    far = ledger.now() + 10 * 24 * 3600
    request = {
        "patient": actors.patient.address,
        "researcher": actors.researcher.address,
        "purpose": "HMB",
        "deadline": far,
    }

    response = client.post(f"{GUIDES}/payload", json=request)

    assert_problem(response, 422, f"deadline {far} is more than 86400 s after")
