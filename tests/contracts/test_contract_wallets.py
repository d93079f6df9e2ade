"""EIP-1271 contract wallets: a guardian signs for a patient whose account is a contract."""

from __future__ import annotations

import pytest
from web3 import Web3

from ledger.client import LedgerClient
from ledger.compiler import compile_contracts
from ledger.errors import ContractRevertError
from tests.conftest import Actors, keyed_account
from tests.helpers import HMB, any_accredited_terms, sign_grant, sign_revoke

pytestmark = [pytest.mark.chain, pytest.mark.usefixtures("fresh_chain")]


@pytest.fixture(scope="module")
def wallet_artifact():
    return compile_contracts(sources=("contracts/mocks/GuardianWallet.sol",))["GuardianWallet"]


@pytest.fixture()
def guarded_patient(ledger: LedgerClient, actors: Actors, w3: Web3, wallet_artifact):
    """A patient account that is a GuardianWallet contract, with its guardian's key."""
    guardian = keyed_account("guardian")
    factory = w3.eth.contract(abi=wallet_artifact.abi, bytecode=wallet_artifact.bytecode)
    receipt = ledger.sender(actors.relayer).transact(factory.constructor(guardian.address))
    return receipt["contractAddress"], guardian


def grant_for(ledger: LedgerClient, actors: Actors, wallet: str, signer) -> int:
    terms = any_accredited_terms(ledger)
    nonce, deadline = ledger.consent_nonce(wallet), ledger.chain_time() + 600
    signature = sign_grant(signer, ledger.consent_domain(), terms, nonce, deadline, patient=wallet)
    consent_id, _ = ledger.grant_consent_by_signature(actors.relayer, wallet, terms, nonce, deadline, signature)
    return consent_id


def test_guardian_grants_for_contract_wallet(ledger: LedgerClient, actors: Actors, guarded_patient):
    wallet, guardian = guarded_patient

    consent_id = grant_for(ledger, actors, wallet, guardian)

    assert ledger.get_consent(consent_id).patient == wallet
    assert ledger.is_access_allowed(wallet, actors.researcher.address, "genomic", HMB) == (True, consent_id)


def test_non_guardian_cannot_sign_for_wallet(ledger: LedgerClient, actors: Actors, guarded_patient):
    wallet, _ = guarded_patient

    with pytest.raises(ContractRevertError) as caught:
        grant_for(ledger, actors, wallet, keyed_account("stranger"))

    assert caught.value.error_name == "ConsentRegistryInvalidSignature"
    assert caught.value.arguments == {"patient": wallet}


def test_guardian_revokes_for_contract_wallet(ledger: LedgerClient, actors: Actors, guarded_patient):
    wallet, guardian = guarded_patient
    consent_id = grant_for(ledger, actors, wallet, guardian)
    nonce, deadline = ledger.consent_nonce(wallet), ledger.chain_time() + 600
    signature = sign_revoke(guardian, ledger.consent_domain(), consent_id, nonce, deadline)

    ledger.revoke_consent_by_signature(actors.relayer, consent_id, nonce, deadline, signature)

    assert ledger.is_access_allowed(wallet, actors.researcher.address, "genomic", HMB) == (False, 0)
