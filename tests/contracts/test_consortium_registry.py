"""Consortium registry: k-of-n institution governance, accreditation and its expiry, roles."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import Web3

from ledger.client import LedgerClient
from ledger.compiler import load_artifacts
from ledger.errors import ContractRevertError
from ledger.transactions import ErrorDecoder, TransactionSender
from tests.conftest import ANVIL_KEYS, ONE_DAY_S, Actors, advance_time, keyed_account

pytestmark = [pytest.mark.chain, pytest.mark.usefixtures("fresh_chain")]


@pytest.fixture()
def two_of_three(w3: Web3):
    """A registry governed by three Anvil accounts with an approval threshold of two."""
    artifact = load_artifacts()["ConsortiumRegistry"]
    governors = [Account.from_key(key) for key in ANVIL_KEYS[:3]]
    sender = TransactionSender(w3, governors[0], ErrorDecoder([artifact.abi]))
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = sender.transact(factory.constructor([g.address for g in governors], 2))
    registry = w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)
    senders = [TransactionSender(w3, g, sender.decoder) for g in governors]
    return registry, senders


def test_admission_needs_threshold_approvals(two_of_three):
    registry, senders = two_of_three
    institution = keyed_account("hospital").address

    senders[0].transact(registry.functions.approveInstitutionAdmission(institution))
    assert registry.functions.isInstitution(institution).call() is False

    senders[1].transact(registry.functions.approveInstitutionAdmission(institution))
    assert registry.functions.isInstitution(institution).call() is True


def test_admission_double_approval_rejected(two_of_three):
    registry, senders = two_of_three
    institution = keyed_account("hospital").address
    senders[0].transact(registry.functions.approveInstitutionAdmission(institution))

    with pytest.raises(ContractRevertError) as caught:
        senders[0].transact(registry.functions.approveInstitutionAdmission(institution))

    assert caught.value.error_name == "ConsortiumRegistryAlreadyApproved"
    assert caught.value.arguments["governor"] == senders[0].address
    assert caught.value.arguments["institution"] == institution


def test_removal_needs_threshold_and_ends_accreditation(two_of_three, w3: Web3):
    registry, senders = two_of_three
    institution = Account.from_key(ANVIL_KEYS[3])
    researcher = keyed_account("removal-researcher").address
    for sender in senders[:2]:
        sender.transact(registry.functions.approveInstitutionAdmission(institution.address))
    institution_sender = TransactionSender(w3, institution, senders[0].decoder)
    until = w3.eth.get_block("latest")["timestamp"] + ONE_DAY_S
    institution_sender.transact(registry.functions.accreditResearcher(researcher, until))
    assert registry.functions.isAccredited(researcher).call() is True

    senders[2].transact(registry.functions.approveInstitutionRemoval(institution.address))
    assert registry.functions.isAccredited(researcher).call() is True
    senders[0].transact(registry.functions.approveInstitutionRemoval(institution.address))

    assert registry.functions.isInstitution(institution.address).call() is False
    assert registry.functions.isAccredited(researcher).call() is False


def test_constructor_rejects_threshold_above_governors(w3: Web3, actors: Actors):
    artifact = load_artifacts()["ConsortiumRegistry"]
    sender = TransactionSender(w3, actors.governor, ErrorDecoder([artifact.abi]))
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)

    with pytest.raises(ContractRevertError) as caught:
        sender.transact(factory.constructor([actors.governor.address], 2))

    assert caught.value.error_name == "ConsortiumRegistryInvalidThreshold"
    assert caught.value.arguments == {"threshold": 2, "governorCount": 1}


def test_non_governor_cannot_admit(ledger: LedgerClient, actors: Actors):
    with pytest.raises(ContractRevertError) as caught:
        ledger.approve_institution(actors.outsider, actors.other_institution.address)

    assert caught.value.error_name == "AccessControlUnauthorizedAccount"
    assert caught.value.arguments["account"] == actors.outsider.address


def test_accreditation_lapses_at_expiry(ledger: LedgerClient, actors: Actors, w3: Web3):
    researcher = keyed_account("short-accreditation").address
    ledger.accredit_researcher(actors.institution, researcher, ledger.chain_time() + 100)
    assert ledger.is_accredited(researcher) is True

    advance_time(w3, 101)

    assert ledger.is_accredited(researcher) is False


def test_accreditation_in_past_rejected(ledger: LedgerClient, actors: Actors):
    researcher = keyed_account("past").address
    past = ledger.chain_time() - 1

    with pytest.raises(ContractRevertError) as caught:
        ledger.accredit_researcher(actors.institution, researcher, past)

    assert caught.value.error_name == "ConsortiumRegistryAccreditationExpired"
    assert caught.value.arguments == {"researcher": researcher, "accreditedUntil": past}


def test_non_member_cannot_accredit(ledger: LedgerClient, actors: Actors):
    with pytest.raises(ContractRevertError) as caught:
        ledger.accredit_researcher(actors.other_institution, keyed_account("x").address, ledger.chain_time() + 10)

    assert caught.value.error_name == "ConsortiumRegistryInstitutionNotActive"
    assert caught.value.arguments == {"institution": actors.other_institution.address}


def test_researcher_bound_to_one_institution(ledger: LedgerClient, actors: Actors):
    ledger.approve_institution(actors.governor, actors.other_institution.address)

    with pytest.raises(ContractRevertError) as caught:
        ledger.accredit_researcher(actors.other_institution, actors.researcher.address, ledger.chain_time() + 10)

    assert caught.value.error_name == "ConsortiumRegistryResearcherBoundElsewhere"
    assert caught.value.arguments["institution"] == actors.institution.address


def test_revoke_accreditation_by_institution(ledger: LedgerClient, actors: Actors):
    registry = ledger.consortium
    ledger.sender(actors.institution).transact(registry.functions.revokeAccreditation(actors.researcher.address))

    assert ledger.is_accredited(actors.researcher.address) is False


def test_revoke_accreditation_by_outsider_rejected(ledger: LedgerClient, actors: Actors):
    registry = ledger.consortium

    with pytest.raises(ContractRevertError) as caught:
        ledger.sender(actors.outsider).transact(registry.functions.revokeAccreditation(actors.researcher.address))

    assert caught.value.error_name == "ConsortiumRegistryNotResearcherInstitution"


def test_governor_appoints_custodian_and_auditor(ledger: LedgerClient, actors: Actors):
    ledger.grant_role(actors.governor, "AUDITOR_ROLE", actors.outsider.address)

    assert ledger.has_role("AUDITOR_ROLE", actors.outsider.address) is True
    assert ledger.has_role("CUSTODIAN_ROLE", actors.custodian.address) is True
    assert ledger.has_role("CUSTODIAN_ROLE", actors.outsider.address) is False


def test_governors_cannot_add_governors(ledger: LedgerClient, actors: Actors):
    with pytest.raises(ContractRevertError) as caught:
        ledger.grant_role(actors.governor, "GOVERNOR_ROLE", actors.outsider.address)

    assert caught.value.error_name == "AccessControlUnauthorizedAccount"
    assert caught.value.arguments["neededRole"] == "0x" + "00" * 32
