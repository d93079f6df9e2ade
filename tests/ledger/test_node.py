"""The local Anvil node: start, status, stop, and state that survives a restart."""

from __future__ import annotations

import json
import socket

import pytest
from eth_account import Account
from web3 import Web3

from ledger.client import LedgerClient
from ledger.deploy import deploy, load_deployment
from ledger.errors import ChainError, DeploymentError
from ledger.node import node_status, start_node, stop_node
from tests.conftest import ANVIL_KEYS, free_port, keyed_account
from tests.helpers import record

pytestmark = pytest.mark.chain


def test_start_status_stop(tmp_path):
    info = start_node(tmp_path, port=free_port())
    try:
        assert node_status(tmp_path) == info
        assert start_node(tmp_path, port=info.port) == info
    finally:
        assert stop_node(tmp_path) is True

    assert node_status(tmp_path) is None
    assert stop_node(tmp_path) is False


def test_start_on_busy_port_fails(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        with pytest.raises(ChainError, match=f"port {port} on 127.0.0.1 is in use"):
            start_node(tmp_path, port=port)


def test_state_and_events_survive_restart(tmp_path):
    governor, custodian, institution = (Account.from_key(key) for key in ANVIL_KEYS[:3])
    researcher, patient = keyed_account("restart researcher"), keyed_account("restart patient")
    port = free_port()
    info = start_node(tmp_path, port=port)
    try:
        w3 = Web3(Web3.HTTPProvider(info.rpc_url))
        deployment, created = deploy(w3, governor, tmp_path, custodians=[custodian.address])
        ledger = LedgerClient(w3, deployment)
        ledger.approve_institution(governor, institution.address)
        ledger.accredit_researcher(institution, researcher.address, ledger.chain_time() + 3600)
        before = record(ledger, custodian, researcher, patient.address)
    finally:
        stop_node(tmp_path)

    info = start_node(tmp_path, port=port)
    try:
        w3 = Web3(Web3.HTTPProvider(info.rpc_url))
        redeployed, created_again = deploy(w3, governor, tmp_path, custodians=[custodian.address])
        ledger = LedgerClient(w3, redeployed)

        assert created is True
        assert created_again is False
        assert redeployed == deployment
        assert ledger.is_accredited(researcher.address) is True
        assert ledger.access_records(patient=patient.address) == [before]
        assert ledger.verify_receipt(before.receipt) == before
    finally:
        stop_node(tmp_path)


def test_missing_deployment_record_explained(tmp_path):
    with pytest.raises(DeploymentError, match="run `consent-ledger deploy`"):
        load_deployment(tmp_path, 31337)


def test_other_evm_version_refused_then_archived(tmp_path):
    governor = Account.from_key(ANVIL_KEYS[0])
    info = start_node(tmp_path, port=free_port())
    try:
        w3 = Web3(Web3.HTTPProvider(info.rpc_url))
        first, _ = deploy(w3, governor, tmp_path)

        with pytest.raises(DeploymentError, match="compiled for paris, not shanghai"):
            deploy(w3, governor, tmp_path, evm_version="shanghai")
        replaced, created = deploy(w3, governor, tmp_path, evm_version="shanghai", replace=True)
    finally:
        stop_node(tmp_path)

    archives = list((tmp_path / "deployments").glob("31337.replaced-*.json"))
    assert created is True
    assert replaced.evm_version == "shanghai"
    assert replaced.address("AccessLedger") != first.address("AccessLedger")
    assert len(archives) == 1
    assert json.loads(archives[0].read_text())["contracts"]["AccessLedger"]["address"] == first.address("AccessLedger")
