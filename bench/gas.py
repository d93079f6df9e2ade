"""Gas used by each consent and access operation, on a fresh local Anvil chain.

Prints one JSON line. ``baseline_transfer`` is a plain value transfer (21,000 gas) measured in
the same run, and ``ratio_to_transfer`` expresses each operation as a multiple of it.

Usage: .venv/bin/python bench/gas.py
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.client import LedgerClient  # noqa: E402
from ledger.deploy import deploy  # noqa: E402
from ledger.eip712 import access_request_message, sign_typed_data  # noqa: E402
from ledger.node import start_node, stop_node  # noqa: E402
from ledger.records import AccessRequest, ConsentTerms, GranteeKind  # noqa: E402
from tests.conftest import ANVIL_KEYS  # noqa: E402
from tests.helpers import HMB, ZERO_ADDRESS, sign_grant, sign_revoke  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(ledger: LedgerClient, w3: Web3) -> dict[str, int]:
    governor, custodian, institution, patient_funded = (Account.from_key(k) for k in ANVIL_KEYS[:4])
    patient, researcher = Account.create(), Account.create()
    ledger.approve_institution(governor, institution.address)
    ledger.accredit_researcher(institution, researcher.address, ledger.chain_time() + 86_400)
    now = ledger.chain_time()
    terms = ConsentTerms(GranteeKind.ANY_ACCREDITED, ZERO_ADDRESS, "genomic", (HMB,), now - 1, now + 86_400)
    gas: dict[str, int] = {}

    gas["baseline_transfer"] = _transfer_gas(w3, governor, patient.address)

    consent_id, receipt = ledger.grant_consent(patient_funded, terms)
    gas["grant"] = receipt["gasUsed"]
    gas["revoke"] = ledger.revoke_consent(patient_funded, consent_id)["gasUsed"]

    deadline = now + 600
    nonce = ledger.consent_nonce(patient.address)
    signature = sign_grant(patient, ledger.consent_domain(), terms, nonce, deadline)
    consent_id, receipt = ledger.grant_consent_by_signature(
        custodian, patient.address, terms, nonce, deadline, signature
    )
    gas["grant_by_signature"] = receipt["gasUsed"]

    gas["access_granted"] = _access_gas(ledger, custodian, researcher, patient.address)
    nonce = ledger.consent_nonce(patient.address)
    signature = sign_revoke(patient, ledger.consent_domain(), consent_id, nonce, deadline)
    gas["revoke_by_signature"] = ledger.revoke_consent_by_signature(custodian, consent_id, nonce, deadline, signature)[
        "gasUsed"
    ]
    gas["access_denied"] = _access_gas(ledger, custodian, researcher, patient.address)
    return gas


def _transfer_gas(w3: Web3, sender: LocalAccount, recipient: str) -> int:
    transaction: dict[str, Any] = {
        "to": recipient,
        "value": 10**15,
        "gas": 21_000,
        "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(sender.address),
        "gasPrice": w3.eth.gas_price,
    }
    tx_hash = w3.eth.send_raw_transaction(sender.sign_transaction(transaction).raw_transaction)
    return int(w3.eth.wait_for_transaction_receipt(tx_hash)["gasUsed"])


def _access_gas(ledger: LedgerClient, custodian: LocalAccount, researcher: LocalAccount, patient: str) -> int:
    request = AccessRequest(patient, researcher.address, "genomic", HMB, os.urandom(32), ledger.chain_time() + 600)
    typed_data = access_request_message(
        ledger.access_domain(),
        patient=patient,
        researcher=researcher.address,
        data_class="genomic",
        purpose=HMB,
        request_hash=request.request_hash,
        deadline=request.deadline,
    )
    signature = bytes.fromhex(sign_typed_data(researcher.key, typed_data)[2:])
    record = ledger.record_access(custodian, request, signature)
    return int(ledger.w3.eth.get_transaction_receipt(HexStr(record.receipt.transaction_hash))["gasUsed"])


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gas-bench-") as folder:
        data_dir = Path(folder)
        info = start_node(data_dir, port=free_port())
        try:
            w3 = Web3(Web3.HTTPProvider(info.rpc_url))
            governor, custodian = Account.from_key(ANVIL_KEYS[0]), Account.from_key(ANVIL_KEYS[1])
            deployment, _ = deploy(w3, governor, data_dir, custodians=[custodian.address])
            gas = measure(LedgerClient(w3, deployment), w3)
        finally:
            stop_node(data_dir)
    baseline = gas["baseline_transfer"]
    keys = ("grant", "grant_by_signature", "revoke", "revoke_by_signature", "access_granted", "access_denied")
    report: dict[str, object] = {key: gas[key] for key in keys}
    report["baseline_transfer"] = baseline
    report["ratio_to_transfer"] = {key: round(gas[key] / baseline, 2) for key in keys}
    print(json.dumps(report))  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
