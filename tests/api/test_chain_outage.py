"""The API when its chain node goes away: 503 problem+json, and nothing decrypted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from eth_account import Account
from fastapi.testclient import TestClient
from web3 import Web3

from api.core.config import Settings
from api.main import create_app
from api.services import Services
from api.store import CustodianStore, PatientRecord
from ledger.client import LedgerClient
from ledger.deploy import deploy
from ledger.eip712 import sign_typed_data
from ledger.node import start_node, stop_node
from tests.api.conftest import EXAMPLES, assert_problem
from tests.conftest import ANVIL_KEYS, free_port, keyed_account

pytestmark = pytest.mark.chain


def test_node_down_gives_503(tmp_path: Path):
    governor, custodian = Account.from_key(ANVIL_KEYS[0]), Account.from_key(ANVIL_KEYS[1])
    researcher, patient = keyed_account("outage researcher"), keyed_account("outage patient")
    info = start_node(tmp_path, port=free_port())
    try:
        w3 = Web3(Web3.HTTPProvider(info.rpc_url, request_kwargs={"timeout": 5}))
        deployment, _ = deploy(w3, governor, tmp_path, custodians=[custodian.address])
        ledger = LedgerClient(w3, deployment)
        store = CustodianStore(tmp_path / "patients", Fernet.generate_key())
        store.put(
            patient.address,
            PatientRecord(
                (EXAMPLES / "hbb.fa").read_text(), None, json.loads((EXAMPLES / "clinical.json").read_text())
            ),
        )
        services = Services(Settings(data_dir=tmp_path), ledger, custodian, store)
        client = TestClient(create_app(services), raise_server_exceptions=False)
        request = {"patient": patient.address, "researcher": researcher.address, "purpose": "HMB"}
        prepared = client.post("/research/genomic/guides/payload", json=request).json()
        signed = {
            **request,
            "salt": prepared["salt"],
            "deadline": prepared["deadline"],
            "signature": sign_typed_data(researcher.key, prepared["typed_data"]),
        }
    finally:
        stop_node(tmp_path)

    response = client.post("/research/genomic/guides", json=signed)
    trail = client.get(f"/audit/patients/{patient.address}/accesses")

    assert_problem(response, 503, "did not respond", "retry")
    assert_problem(trail, 503, "did not respond")
