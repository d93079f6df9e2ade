"""Access ledger: the consent check and the audit record in one transaction."""

from __future__ import annotations

from dataclasses import replace

import pytest
from web3 import Web3

from ledger.client import LedgerClient
from ledger.eip712 import Domain
from ledger.errors import ContractRevertError, ReceiptVerificationError
from ledger.records import DenialReason
from tests.conftest import Actors, advance_time, keyed_account
from tests.helpers import GRU, HMB, any_accredited_terms, record, sign_grant, signed_request

pytestmark = [pytest.mark.chain, pytest.mark.usefixtures("fresh_chain")]


def grant(ledger: LedgerClient, actors: Actors, **options) -> int:
    terms = any_accredited_terms(ledger, **options)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time() + 600
    signature = sign_grant(actors.patient, ledger.consent_domain(), terms, nonce, deadline)
    consent_id, _ = ledger.grant_consent_by_signature(
        actors.relayer, actors.patient.address, terms, nonce, deadline, signature
    )
    return consent_id


def test_granted_with_consent(ledger: LedgerClient, actors: Actors):
    consent_id = grant(ledger, actors)

    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address)

    assert outcome.granted is True
    assert outcome.consent_id == consent_id
    assert outcome.reason is DenialReason.NONE
    assert outcome.purpose == HMB
    assert outcome.data_class == "genomic"
    assert outcome.custodian == actors.custodian.address


def test_denied_without_consent_is_recorded(ledger: LedgerClient, actors: Actors):
    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address)

    assert outcome.granted is False
    assert outcome.reason is DenialReason.NO_CONSENT
    assert outcome.consent_id == 0
    assert [r.receipt for r in ledger.access_records(patient=actors.patient.address)] == [outcome.receipt]


def test_denied_for_other_purpose(ledger: LedgerClient, actors: Actors):
    grant(ledger, actors)

    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address, purpose=GRU)

    assert outcome.reason is DenialReason.NO_CONSENT


def test_denied_after_revocation(ledger: LedgerClient, actors: Actors, w3: Web3):
    consent_id = grant(ledger, actors)
    w3.provider.make_request("anvil_setBalance", [actors.patient.address, hex(10**18)])  # type: ignore[arg-type]
    ledger.revoke_consent(actors.patient, consent_id)

    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address)

    assert outcome.reason is DenialReason.NO_CONSENT


def test_denied_after_consent_expiry(ledger: LedgerClient, actors: Actors, w3: Web3):
    grant(ledger, actors, lifetime_s=100)
    advance_time(w3, 101)

    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address)

    assert outcome.reason is DenialReason.NO_CONSENT


def test_denied_for_unaccredited_researcher(ledger: LedgerClient, actors: Actors):
    consent_id = grant(ledger, actors)

    outcome = record(ledger, actors.custodian, keyed_account("not accredited"), actors.patient.address)

    assert outcome.granted is False
    assert outcome.reason is DenialReason.RESEARCHER_NOT_ACCREDITED
    assert outcome.consent_id == consent_id


def test_unaccredited_without_consent_names_accreditation(ledger: LedgerClient, actors: Actors):
    outcome = record(ledger, actors.custodian, keyed_account("not accredited"), actors.patient.address)

    assert outcome.reason is DenialReason.RESEARCHER_NOT_ACCREDITED
    assert outcome.consent_id == 0


def test_denied_after_accreditation_lapses(ledger: LedgerClient, actors: Actors, w3: Web3):
    grant(ledger, actors, lifetime_s=365 * 24 * 3600)
    advance_time(w3, 31 * 24 * 3600)

    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address)

    assert outcome.reason is DenialReason.RESEARCHER_NOT_ACCREDITED


def test_only_custodian_may_record(ledger: LedgerClient, actors: Actors):
    with pytest.raises(ContractRevertError) as caught:
        record(ledger, actors.outsider, actors.researcher, actors.patient.address)

    assert caught.value.error_name == "AccessLedgerUnauthorizedCustodian"
    assert caught.value.arguments == {"caller": actors.outsider.address}
    assert ledger.access_records(patient=actors.patient.address) == []


def test_forged_researcher_signature_rejected(ledger: LedgerClient, actors: Actors):
    request, _ = signed_request(ledger, actors.researcher, actors.patient.address)
    _, forged = signed_request(ledger, keyed_account("impostor"), actors.patient.address)

    with pytest.raises(ContractRevertError) as caught:
        ledger.record_access(actors.custodian, request, forged)

    assert caught.value.error_name == "AccessLedgerInvalidResearcherSignature"
    assert caught.value.arguments == {"researcher": actors.researcher.address}


def test_tampered_request_rejected(ledger: LedgerClient, actors: Actors):
    request, signature = signed_request(ledger, actors.researcher, actors.patient.address)

    with pytest.raises(ContractRevertError) as caught:
        ledger.record_access(actors.custodian, replace(request, purpose=GRU), signature)

    assert caught.value.error_name == "AccessLedgerInvalidResearcherSignature"


def test_other_chain_request_signature_rejected(ledger: LedgerClient, actors: Actors):
    other_chain = Domain("AccessLedger", "1", 1, ledger.access_ledger.address)
    request, signature = signed_request(ledger, actors.researcher, actors.patient.address, domain=other_chain)

    with pytest.raises(ContractRevertError) as caught:
        ledger.record_access(actors.custodian, request, signature)

    assert caught.value.error_name == "AccessLedgerInvalidResearcherSignature"


def test_replayed_request_rejected(ledger: LedgerClient, actors: Actors):
    request, signature = signed_request(ledger, actors.researcher, actors.patient.address)
    ledger.record_access(actors.custodian, request, signature)

    with pytest.raises(ContractRevertError) as caught:
        ledger.record_access(actors.custodian, request, signature)

    assert caught.value.error_name == "AccessLedgerRequestAlreadyRecorded"
    assert caught.value.arguments == {"requestHash": "0x" + request.request_hash.hex()}
    assert len(ledger.access_records(patient=actors.patient.address)) == 1


def test_expired_request_rejected(ledger: LedgerClient, actors: Actors, w3: Web3):
    request, signature = signed_request(
        ledger, actors.researcher, actors.patient.address, deadline=ledger.chain_time() + 30
    )
    advance_time(w3, 31)

    with pytest.raises(ContractRevertError) as caught:
        ledger.record_access(actors.custodian, request, signature)

    assert caught.value.error_name == "AccessLedgerExpiredRequest"


def test_receipt_verifies_against_chain(ledger: LedgerClient, actors: Actors):
    grant(ledger, actors)
    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address)

    verified = ledger.verify_receipt(outcome.receipt)

    assert verified == outcome


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("chain_id", 1, "chain id"),
        ("contract", "0x000000000000000000000000000000000000dEaD", "not the access ledger"),
        ("log_index", 7, "log index"),
        ("block_hash", "0x" + "11" * 32, "not 0x1111"),
        ("block_number", 1, "not 1"),
        ("block_number", 10**12, "no such transaction or block"),
        ("transaction_hash", "0x" + "22" * 32, "no such transaction or block"),
    ],
)
def test_tampered_receipt_fails(ledger: LedgerClient, actors: Actors, field, value, message):
    outcome = record(ledger, actors.custodian, actors.researcher, actors.patient.address)

    with pytest.raises(ReceiptVerificationError, match=message):
        ledger.verify_receipt(replace(outcome.receipt, **{field: value}))


def test_records_filter_by_patient_and_researcher(ledger: LedgerClient, actors: Actors):
    other_patient = keyed_account("other patient").address
    record(ledger, actors.custodian, actors.researcher, actors.patient.address)
    record(ledger, actors.custodian, actors.researcher, other_patient)

    assert len(ledger.access_records(patient=actors.patient.address)) == 1
    assert len(ledger.access_records(researcher=actors.researcher.address)) == 2
