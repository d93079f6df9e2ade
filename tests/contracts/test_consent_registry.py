"""Consent registry: grants and revocations, directly and by relayed EIP-712 signatures."""

from __future__ import annotations

from dataclasses import replace

import pytest
from web3 import Web3

from ledger.client import LedgerClient
from ledger.eip712 import Domain
from ledger.errors import ContractRevertError
from ledger.records import ConsentTerms, GranteeKind
from tests.conftest import Actors, advance_time, keyed_account
from tests.helpers import GRU, HMB, ZERO_ADDRESS, any_accredited_terms, sign_grant, sign_revoke

pytestmark = [pytest.mark.chain, pytest.mark.usefixtures("fresh_chain")]


def fund(w3: Web3, address: str) -> None:
    w3.provider.make_request("anvil_setBalance", [address, hex(10**18)])  # type: ignore[arg-type]


def grant_by_signature(ledger: LedgerClient, actors: Actors, terms: ConsentTerms) -> int:
    nonce = ledger.consent_nonce(actors.patient.address)
    deadline = ledger.chain_time() + 600
    signature = sign_grant(actors.patient, ledger.consent_domain(), terms, nonce, deadline)
    consent_id, _ = ledger.grant_consent_by_signature(
        actors.relayer, actors.patient.address, terms, nonce, deadline, signature
    )
    return consent_id


def test_grant_direct_allows_access(ledger: LedgerClient, actors: Actors, w3: Web3):
    fund(w3, actors.patient.address)
    consent_id, _ = ledger.grant_consent(actors.patient, any_accredited_terms(ledger))

    allowed = ledger.is_access_allowed(actors.patient.address, actors.researcher.address, "genomic", HMB)

    assert allowed == (True, consent_id)


def test_grant_stores_terms(ledger: LedgerClient, actors: Actors):
    terms = any_accredited_terms(ledger, purposes=(HMB, GRU))
    consent_id = grant_by_signature(ledger, actors, terms)

    stored = ledger.get_consent(consent_id)

    assert stored.patient == actors.patient.address
    assert stored.active is True
    assert stored.terms == terms


def test_access_denied_for_other_purpose_or_class(ledger: LedgerClient, actors: Actors):
    grant_by_signature(ledger, actors, any_accredited_terms(ledger))
    patient, researcher = actors.patient.address, actors.researcher.address

    assert ledger.is_access_allowed(patient, researcher, "genomic", GRU) == (False, 0)
    assert ledger.is_access_allowed(patient, researcher, "clinical", HMB) == (False, 0)


def test_researcher_grantee_covers_only_that_researcher(ledger: LedgerClient, actors: Actors):
    now = ledger.chain_time()
    terms = ConsentTerms(GranteeKind.RESEARCHER, actors.researcher.address, "genomic", (HMB,), now - 1, now + 600)
    consent_id = grant_by_signature(ledger, actors, terms)

    assert ledger.is_access_allowed(actors.patient.address, actors.researcher.address, "genomic", HMB) == (
        True,
        consent_id,
    )
    assert ledger.is_access_allowed(actors.patient.address, keyed_account("other").address, "genomic", HMB)[0] is False


def test_institution_grantee_covers_its_researchers(ledger: LedgerClient, actors: Actors):
    now = ledger.chain_time()
    terms = ConsentTerms(GranteeKind.INSTITUTION, actors.institution.address, "genomic", (HMB,), now - 1, now + 600)
    consent_id = grant_by_signature(ledger, actors, terms)
    stranger = keyed_account("unbound researcher").address

    assert ledger.is_access_allowed(actors.patient.address, actors.researcher.address, "genomic", HMB) == (
        True,
        consent_id,
    )
    assert ledger.is_access_allowed(actors.patient.address, stranger, "genomic", HMB)[0] is False


def test_consent_expires_at_valid_until(ledger: LedgerClient, actors: Actors, w3: Web3):
    grant_by_signature(ledger, actors, any_accredited_terms(ledger, lifetime_s=120))

    advance_time(w3, 121)

    assert ledger.is_access_allowed(actors.patient.address, actors.researcher.address, "genomic", HMB) == (False, 0)


def test_consent_not_in_force_before_valid_from(ledger: LedgerClient, actors: Actors, w3: Web3):
    now = ledger.chain_time()
    terms = ConsentTerms(GranteeKind.ANY_ACCREDITED, ZERO_ADDRESS, "genomic", (HMB,), now + 300, now + 900)
    consent_id = grant_by_signature(ledger, actors, terms)
    patient, researcher = actors.patient.address, actors.researcher.address

    assert ledger.is_access_allowed(patient, researcher, "genomic", HMB) == (False, 0)
    advance_time(w3, 301)
    assert ledger.is_access_allowed(patient, researcher, "genomic", HMB) == (True, consent_id)


def test_revoke_direct_ends_access(ledger: LedgerClient, actors: Actors, w3: Web3):
    fund(w3, actors.patient.address)
    consent_id, _ = ledger.grant_consent(actors.patient, any_accredited_terms(ledger))

    ledger.revoke_consent(actors.patient, consent_id)

    assert ledger.is_access_allowed(actors.patient.address, actors.researcher.address, "genomic", HMB) == (False, 0)
    assert ledger.get_consent(consent_id).active is False
    assert ledger.live_consents(actors.patient.address, "genomic") == []


def test_revoke_by_signature(ledger: LedgerClient, actors: Actors):
    consent_id = grant_by_signature(ledger, actors, any_accredited_terms(ledger))
    nonce = ledger.consent_nonce(actors.patient.address)
    deadline = ledger.chain_time() + 600
    signature = sign_revoke(actors.patient, ledger.consent_domain(), consent_id, nonce, deadline)

    ledger.revoke_consent_by_signature(actors.relayer, consent_id, nonce, deadline, signature)

    assert ledger.get_consent(consent_id).active is False


def test_revoke_twice_rejected(ledger: LedgerClient, actors: Actors, w3: Web3):
    fund(w3, actors.patient.address)
    consent_id, _ = ledger.grant_consent(actors.patient, any_accredited_terms(ledger))
    ledger.revoke_consent(actors.patient, consent_id)

    with pytest.raises(ContractRevertError) as caught:
        ledger.revoke_consent(actors.patient, consent_id)

    assert caught.value.error_name == "ConsentRegistryConsentNotActive"
    assert caught.value.arguments == {"consentId": consent_id}


def test_revoke_by_other_account_rejected(ledger: LedgerClient, actors: Actors):
    consent_id = grant_by_signature(ledger, actors, any_accredited_terms(ledger))

    with pytest.raises(ContractRevertError) as caught:
        ledger.revoke_consent(actors.outsider, consent_id)

    assert caught.value.error_name == "ConsentRegistryNotPatient"
    assert caught.value.arguments == {"consentId": consent_id, "caller": actors.outsider.address}


def test_revoke_unknown_consent_rejected(ledger: LedgerClient, actors: Actors):
    with pytest.raises(ContractRevertError) as caught:
        ledger.revoke_consent(actors.outsider, 999)

    assert caught.value.error_name == "ConsentRegistryUnknownConsent"
    assert caught.value.arguments == {"consentId": 999}


def test_signature_from_wrong_signer_rejected(ledger: LedgerClient, actors: Actors):
    terms = any_accredited_terms(ledger)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time() + 600
    forged = sign_grant(keyed_account("impostor"), ledger.consent_domain(), terms, nonce, deadline)

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, terms, nonce, deadline, forged)

    assert caught.value.error_name == "ConsentRegistryInvalidSignature"
    assert caught.value.arguments == {"patient": actors.patient.address}


def test_signature_over_other_terms_rejected(ledger: LedgerClient, actors: Actors):
    terms = any_accredited_terms(ledger)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time() + 600
    signature = sign_grant(actors.patient, ledger.consent_domain(), terms, nonce, deadline)
    widened = replace(terms, purposes=(HMB, GRU))

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, widened, nonce, deadline, signature)

    assert caught.value.error_name == "ConsentRegistryInvalidSignature"


def test_replayed_signature_rejected(ledger: LedgerClient, actors: Actors):
    terms = any_accredited_terms(ledger)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time() + 600
    signature = sign_grant(actors.patient, ledger.consent_domain(), terms, nonce, deadline)
    ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, terms, nonce, deadline, signature)

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, terms, nonce, deadline, signature)

    assert caught.value.error_name == "InvalidAccountNonce"
    assert caught.value.arguments == {"account": actors.patient.address, "currentNonce": nonce + 1}


def test_expired_signature_rejected(ledger: LedgerClient, actors: Actors, w3: Web3):
    terms = any_accredited_terms(ledger, lifetime_s=10_000)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time() + 60
    signature = sign_grant(actors.patient, ledger.consent_domain(), terms, nonce, deadline)
    advance_time(w3, 61)

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, terms, nonce, deadline, signature)

    assert caught.value.error_name == "ConsentRegistryExpiredSignature"
    assert caught.value.arguments == {"deadline": deadline}


def test_other_chain_signature_rejected(ledger: LedgerClient, actors: Actors):
    terms = any_accredited_terms(ledger)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time() + 600
    mainnet = Domain("ConsentRegistry", "1", 1, ledger.consents.address)
    signature = sign_grant(actors.patient, mainnet, terms, nonce, deadline)

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, terms, nonce, deadline, signature)

    assert caught.value.error_name == "ConsentRegistryInvalidSignature"


def test_other_contract_signature_rejected(ledger: LedgerClient, actors: Actors):
    terms = any_accredited_terms(ledger)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time() + 600
    elsewhere = Domain("ConsentRegistry", "1", ledger.chain_id, ledger.access_ledger.address)
    signature = sign_grant(actors.patient, elsewhere, terms, nonce, deadline)

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, terms, nonce, deadline, signature)

    assert caught.value.error_name == "ConsentRegistryInvalidSignature"


def test_domain_separator_matches_eip712(ledger: LedgerClient):
    from eth_account.messages import encode_typed_data

    # The domain separator is the 32 bytes after the 0x1901 prefix of any encoded message.
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Empty": [],
        },
        "primaryType": "Empty",
        "domain": ledger.consent_domain().as_dict(),
        "message": {},
    }
    expected = encode_typed_data(full_message=typed).header

    assert ledger.consents.functions.domainSeparator().call() == expected


@pytest.mark.parametrize(
    ("change", "error_name"),
    [
        ({"purposes": ()}, "ConsentRegistryInvalidPurposeCount"),
        ({"purposes": tuple(f"DUO:000000{i}" for i in range(9))}, "ConsentRegistryInvalidPurposeCount"),
        ({"valid_from": 2_000, "valid_until": 1_000}, "ConsentRegistryInvalidValidity"),
        ({"grantee_kind": GranteeKind.RESEARCHER}, "ConsentRegistryInvalidGrantee"),
        ({"grantee": "0x000000000000000000000000000000000000dEaD"}, "ConsentRegistryInvalidGrantee"),
    ],
)
def test_invalid_terms_rejected(ledger: LedgerClient, actors: Actors, w3: Web3, change, error_name):
    fund(w3, actors.patient.address)
    terms = replace(any_accredited_terms(ledger), **change)

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent(actors.patient, terms)

    assert caught.value.error_name == error_name


def test_consents_per_class_capped(ledger: LedgerClient, actors: Actors, w3: Web3):
    fund(w3, actors.patient.address)
    for _ in range(16):
        ledger.grant_consent(actors.patient, any_accredited_terms(ledger))

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent(actors.patient, any_accredited_terms(ledger))

    assert caught.value.error_name == "ConsentRegistryTooManyConsents"
    assert caught.value.arguments["maxConsents"] == 16


def test_deadline_passing_while_mined_is_decoded(ledger: LedgerClient, actors: Actors, caplog):
    import time

    terms = any_accredited_terms(ledger, lifetime_s=10_000)
    nonce, deadline = ledger.consent_nonce(actors.patient.address), ledger.chain_time()
    signature = sign_grant(actors.patient, ledger.consent_domain(), terms, nonce, deadline)
    # The idle chain's latest block still carries `deadline`, so the simulation passes. The block
    # that mines the transaction is stamped later, and the contract rejects it there.
    time.sleep(1.5)

    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_consent_by_signature(actors.relayer, actors.patient.address, terms, nonce, deadline, signature)

    assert caught.value.error_name == "ConsentRegistryExpiredSignature"
    assert caught.value.arguments == {"deadline": deadline}
    assert "reverted when mined" in caplog.text
