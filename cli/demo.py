"""The end-to-end demo: a sickle-cell patient's consent, gated research, and the auditor's trail.

Every step goes through the HTTP API on loopback, as a patient's wallet, a researcher's client
and an auditor would use it. Keys are signed locally, as a wallet would sign them.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table

from api.core.config import Settings
from api.main import create_app
from api.services import Services, build_services
from api.store import PatientRecord
from ledger.eip712 import sign_typed_data
from ledger.node import node_status, stop_node
from ledger.records import AuditReceipt

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "patient"
ONE_YEAR_S = 365 * 24 * 3600


@dataclass
class DemoState:
    console: Console
    http: httpx.Client
    services: Services
    patient: LocalAccount = field(default_factory=Account.create)
    researcher: LocalAccount = field(default_factory=Account.create)
    failures: list[str] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)

    def step(self, text: str) -> None:
        self.console.print(f"\n[bold cyan]>[/bold cyan] {text}")

    def expect(self, condition: bool, what: str) -> None:
        if condition:
            self.console.print(f"  [green]ok[/green] {what}")
        else:
            self.console.print(f"  [red]FAILED[/red] {what}")
            self.failures.append(what)


def run_demo(settings: Settings, console: Console) -> bool:
    """Run the scenario; return True when every step went as expected."""
    chain_was_running = settings.rpc_url is None and node_status(settings.data_dir) is not None
    console.print("[bold]Consent ledger demo[/bold]: sickle-cell patient (HBB rs334), local chain")
    console.print("Starting the chain (if needed) and deploying the contracts ...")
    services = build_services(settings)
    console.print(f"  chain id {services.ledger.chain_id}, access ledger {services.ledger.access_ledger.address}")
    try:
        with serve_in_background(services) as base_url, httpx.Client(base_url=base_url, timeout=120) as http:
            state = DemoState(console, http, services)
            _run_steps(state)
    finally:
        if settings.rpc_url is None and not chain_was_running:
            stop_node(settings.data_dir)
            console.print("\nChain stopped; its state is kept in " + str(settings.data_dir / "chain"))
    if state.failures:
        console.print(f"\n[red bold]Demo failed[/red bold]: {len(state.failures)} step(s) went differently.")
        return False
    console.print("\n[green bold]Demo finished[/green bold]: every step went as expected.")
    return True


def _run_steps(state: DemoState) -> None:
    _onboard(state)
    _enrol_patient(state)
    consent_id = _grant_consent(state)
    _design_guides(state, expect_granted=True)
    _simulate_nanotherapy_without_consent(state)
    _revoke(state, consent_id)
    _design_guides(state, expect_granted=False)
    _print_trail(state)


def _onboard(state: DemoState) -> None:
    ledger = state.services.ledger
    governor = Account.from_key(state.services.settings.deployer_secret)
    institution = Account.from_key(state.services.settings.institution_secret)
    state.step("A governor admits the research institution, which accredits a researcher for one year.")
    if not ledger.is_institution(institution.address):
        ledger.approve_institution(governor, institution.address)
    receipt = ledger.accredit_researcher(institution, state.researcher.address, ledger.chain_time() + ONE_YEAR_S)
    state.console.print(f"  institution {institution.address}")
    state.console.print(f"  researcher  {state.researcher.address} (tx {receipt['transactionHash'].to_0x_hex()})")
    state.expect(ledger.is_accredited(state.researcher.address), "researcher is accredited on chain")


def _enrol_patient(state: DemoState) -> None:
    state.step("The custodian stores the patient's HBB sequence, rs334 variant and clinical record, encrypted.")
    record = PatientRecord(
        reference_fasta=(EXAMPLES / "hbb.fa").read_text(encoding="utf-8"),
        variants_vcf=(EXAMPLES / "hbb_patient.vcf").read_text(encoding="utf-8"),
        clinical=json.loads((EXAMPLES / "clinical.json").read_text(encoding="utf-8")),
    )
    state.services.store.put(state.patient.address, record)
    state.console.print(f"  patient pseudonym {state.patient.address}; nothing about them goes on chain")


def _grant_consent(state: DemoState) -> int:
    state.step(
        "The patient's wallet signs a consent: genomic data, any accredited researcher, purpose HMB (DUO:0000006)."
    )
    now = state.services.ledger.chain_time()
    terms = {
        "patient": state.patient.address,
        "grantee_kind": "any_accredited",
        "data_class": "genomic",
        "purposes": ["HMB"],
        "valid_until": now + ONE_YEAR_S,
    }
    payload = _post(state, "/patients/consents/grant-payload", terms).json()
    signature = sign_typed_data(state.patient.key, payload["typed_data"])
    signed = {
        **terms,
        "valid_from": payload["typed_data"]["message"]["validFrom"],
        "nonce": payload["nonce"],
        "deadline": payload["deadline"],
        "signature": signature,
    }
    response = _post(state, "/patients/consents/grant", signed)
    state.expect(response.status_code == 201, f"consent relayed by the custodian (HTTP {response.status_code})")
    body = response.json()
    state.console.print(f"  consent {body.get('consent_id')} in tx {body.get('receipt', {}).get('transaction_hash')}")
    return int(body.get("consent_id", 0))


def _design_guides(state: DemoState, *, expect_granted: bool) -> None:
    if expect_granted:
        state.step("The researcher asks for SpCas9 guide design on the patient's own HBB sequence (purpose HMB).")
    else:
        state.step("After the revocation, the researcher asks for guide design again.")
    response = _signed_research(state, "/research/genomic/guides", {"parameters": {"nuclease": "SpCas9"}})
    body = response.json()
    if expect_granted:
        state.expect(response.status_code == 200, f"access granted and guides returned (HTTP {response.status_code})")
        if response.status_code == 200:
            _summarise_guides(state, body["result"])
    else:
        state.expect(response.status_code == 403, f"access denied (HTTP {response.status_code}): {body.get('reason')}")
    _show_receipt(state, body)


def _simulate_nanotherapy_without_consent(state: DemoState) -> None:
    state.step("The researcher asks for a nanotherapy simulation on the clinical record, which has no consent.")
    response = _signed_research(state, "/research/nanotherapy/pbpk", {"parameters": {"hours": 168}})
    body = response.json()
    state.expect(response.status_code == 403, f"access denied (HTTP {response.status_code}): {body.get('reason')}")
    _show_receipt(state, body)


def _revoke(state: DemoState, consent_id: int) -> None:
    state.step(f"The patient's wallet signs the revocation of consent {consent_id}.")
    payload = _post(state, "/patients/consents/revoke-payload", {"consent_id": consent_id}).json()
    signature = sign_typed_data(state.patient.key, payload["typed_data"])
    response = _post(
        state,
        "/patients/consents/revoke",
        {"consent_id": consent_id, "nonce": payload["nonce"], "deadline": payload["deadline"], "signature": signature},
    )
    state.expect(response.status_code == 200, f"revocation relayed (HTTP {response.status_code})")
    state.console.print(f"  tx {response.json().get('receipt', {}).get('transaction_hash')}")


def _signed_research(state: DemoState, path: str, extra: dict[str, Any]) -> httpx.Response:
    request = {"patient": state.patient.address, "researcher": state.researcher.address, "purpose": "HMB", **extra}
    prepared = _post(state, f"{path}/payload", request)
    if prepared.status_code != 200:
        state.expect(False, f"payload for {path} (HTTP {prepared.status_code}: {prepared.json().get('detail')})")
        return prepared
    payload = prepared.json()
    signature = sign_typed_data(state.researcher.key, payload["typed_data"])
    signed = {**request, "salt": payload["salt"], "deadline": payload["deadline"], "signature": signature}
    return _post(state, path, signed)


def _summarise_guides(state: DemoState, result: dict[str, Any]) -> None:
    guides = result.get("guides", [])
    canonical = [guide for guide in guides if not guide.get("weak_pam")]
    state.console.print(
        f"  {result.get('guides_designed')} SpCas9 protospacers designed on {result.get('region')} with "
        f"{result.get('variants_applied')} variant applied; the best {len(guides)} released "
        f"({len(canonical)} with an NGG PAM), the rest stay with the custodian"
    )
    changed = [guide for guide in guides if guide.get("effect", "unchanged") != "unchanged"]
    for guide in changed[:8]:
        state.console.print(
            f"    {guide['id']:>8} {guide['protospacer']} {guide['pam']} strand {guide['strand']}: "
            f"{guide['effect']} by the patient's variant"
        )
    state.expect(len(canonical) > 0, "NGG guides designed on the patient's haplotype")
    state.expect(len(changed) > 0, "guides created or changed by the patient's variant are reported")


def _show_receipt(state: DemoState, body: dict[str, Any]) -> None:
    receipt = body.get("receipt")
    if receipt:
        state.receipts.append(receipt)
        state.console.print(
            f"  audit receipt: tx {receipt['transaction_hash']}, block {receipt['block_number']}, "
            f"log {receipt['log_index']}"
        )
    else:
        state.expect(False, "response carries an audit receipt")


def _print_trail(state: DemoState) -> None:
    state.step("The auditor reads the patient's access trail and checks every receipt against the chain.")
    trail = state.http.get(f"/audit/patients/{state.patient.address}/accesses").json()
    table = Table(title=f"Access trail of patient {state.patient.address}")
    for column in ("block", "outcome", "researcher", "data class", "purpose", "consent", "reason", "transaction"):
        table.add_column(column)
    for record in trail["records"]:
        table.add_row(
            str(record["receipt"]["block_number"]),
            record["outcome"],
            record["researcher"][:10] + "...",
            record["data_class"],
            record["purpose"],
            str(record["consent_id"] or "-"),
            record["reason"],
            record["receipt"]["transaction_hash"][:18] + "...",
        )
    state.console.print(table)
    outcomes = [record["outcome"] for record in trail["records"]]
    state.expect(outcomes == ["granted", "denied", "denied"], f"trail is granted, denied, denied (got {outcomes})")
    for receipt in state.receipts:
        verdict = _post(state, "/audit/receipts/verify", receipt).json()
        direct = state.services.ledger.verify_receipt(AuditReceipt(**receipt))
        state.expect(
            verdict.get("verified") is True and direct.receipt.transaction_hash == receipt["transaction_hash"],
            f"receipt {receipt['transaction_hash'][:18]}... verifies against block {receipt['block_number']}",
        )


def _post(state: DemoState, path: str, body: dict[str, Any]) -> httpx.Response:
    return state.http.post(path, json=body)


@contextmanager
def serve_in_background(services: Services) -> Iterator[str]:
    """Serve the API on a free loopback port in a thread; yield its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
