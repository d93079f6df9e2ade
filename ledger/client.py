"""A typed client for the deployed consortium registry, consent registry and access ledger."""

from __future__ import annotations

import logging
import time
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import BlockNotFound, TransactionNotFound
from web3.types import EventData, TxReceipt

from ledger.codes import decode_label, encode_label
from ledger.compiler import load_artifacts
from ledger.deploy import Deployment
from ledger.eip712 import Domain
from ledger.errors import LedgerError, ReceiptVerificationError
from ledger.records import (
    AccessRecord,
    AccessRequest,
    AuditReceipt,
    ConsentRecord,
    ConsentTerms,
    DenialReason,
    GranteeKind,
)
from ledger.transactions import ErrorDecoder, TransactionSender

logger = logging.getLogger(__name__)

ACCESS_EVENTS = ("AccessGranted", "AccessDenied")
CONSENT_EVENTS = ("ConsentGranted", "ConsentRevoked")


class LedgerClient:
    """Calls and transactions on one deployment; one instance may serve many threads."""

    def __init__(self, w3: Web3, deployment: Deployment) -> None:
        if w3.eth.chain_id != deployment.chain_id:
            raise LedgerError(
                f"node chain id {w3.eth.chain_id} differs from the deployment's {deployment.chain_id}; "
                "point CONSENT_LEDGER_RPC_URL at the chain you deployed to"
            )
        self.w3 = w3
        self.deployment = deployment
        artifacts = load_artifacts(deployment.evm_version)
        self.consortium = self._contract(w3, deployment, artifacts, "ConsortiumRegistry")
        self.consents = self._contract(w3, deployment, artifacts, "ConsentRegistry")
        self.access_ledger = self._contract(w3, deployment, artifacts, "AccessLedger")
        self.decoder = ErrorDecoder([artifact.abi for artifact in artifacts.values()])
        self._senders: dict[str, TransactionSender] = {}

    @staticmethod
    def _contract(w3: Web3, deployment: Deployment, artifacts: dict[str, Any], name: str) -> Contract:
        return w3.eth.contract(address=Web3.to_checksum_address(deployment.address(name)), abi=artifacts[name].abi)

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    def chain_time(self) -> int:
        """Return the latest block's timestamp in Unix seconds."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def now(self) -> int:
        """Return the earliest timestamp the next block can carry, in Unix seconds.

        That is the later of the latest block's timestamp and this machine's clock: Anvil mines only
        when a transaction arrives, so on an idle chain the latest block lags the clock, and the
        next block is stamped with the clock. Deadlines are checked against this time.
        """
        return max(self.chain_time(), int(time.time()))

    def sender(self, account: LocalAccount) -> TransactionSender:
        """Return the one sender for ``account``, so its nonces are serialised."""
        if account.address not in self._senders:
            self._senders[account.address] = TransactionSender(self.w3, account, self.decoder)
        return self._senders[account.address]

    # Consortium registry

    def approve_institution(self, governor: LocalAccount, institution: str) -> TxReceipt:
        return self.sender(governor).transact(self.consortium.functions.approveInstitutionAdmission(institution))

    def accredit_researcher(self, institution: LocalAccount, researcher: str, until: int) -> TxReceipt:
        function = self.consortium.functions.accreditResearcher(researcher, until)
        return self.sender(institution).transact(function)

    def grant_role(self, governor: LocalAccount, role_name: str, account: str) -> TxReceipt:
        """Grant ``CUSTODIAN_ROLE`` or ``AUDITOR_ROLE``; only governors may."""
        registry = self.consortium
        role = getattr(registry.functions, role_name)().call()
        return self.sender(governor).transact(registry.functions.grantRole(role, account))

    def has_role(self, role_name: str, account: str) -> bool:
        registry = self.consortium
        return bool(registry.functions.hasRole(getattr(registry.functions, role_name)().call(), account).call())

    def is_institution(self, institution: str) -> bool:
        return bool(self.consortium.functions.isInstitution(institution).call())

    def is_accredited(self, researcher: str) -> bool:
        return bool(self.consortium.functions.isAccredited(researcher).call())

    # Consent registry

    def consent_domain(self) -> Domain:
        return Domain("ConsentRegistry", "1", self.chain_id, self.consents.address)

    def consent_nonce(self, patient: str) -> int:
        return int(self.consents.functions.nonces(patient).call())

    def grant_consent(self, patient: LocalAccount, terms: ConsentTerms) -> tuple[int, TxReceipt]:
        function = self.consents.functions.grantConsent(terms.as_abi_tuple())
        receipt = self.sender(patient).transact(function)
        return self._granted_id(receipt), receipt

    def grant_consent_by_signature(
        self, relayer: LocalAccount, patient: str, terms: ConsentTerms, nonce: int, deadline: int, signature: bytes
    ) -> tuple[int, TxReceipt]:
        function = self.consents.functions.grantConsentBySignature(
            patient, terms.as_abi_tuple(), nonce, deadline, signature
        )
        receipt = self.sender(relayer).transact(function)
        return self._granted_id(receipt), receipt

    def revoke_consent(self, patient: LocalAccount, consent_id: int) -> TxReceipt:
        return self.sender(patient).transact(self.consents.functions.revokeConsent(consent_id))

    def revoke_consent_by_signature(
        self, relayer: LocalAccount, consent_id: int, nonce: int, deadline: int, signature: bytes
    ) -> TxReceipt:
        function = self.consents.functions.revokeConsentBySignature(consent_id, nonce, deadline, signature)
        return self.sender(relayer).transact(function)

    def is_access_allowed(self, patient: str, researcher: str, data_class: str, purpose: str) -> tuple[bool, int]:
        allowed, consent_id = self.consents.functions.isAccessAllowed(
            patient, researcher, encode_label(data_class), encode_label(purpose)
        ).call()
        return bool(allowed), int(consent_id)

    def get_consent(self, consent_id: int) -> ConsentRecord:
        try:
            patient, status, terms = self.consents.functions.getConsent(consent_id).call()
        except Exception as exc:  # noqa: BLE001 - re-raised as the decoded custom error
            raise self._decode_call_error(exc) from exc
        kind, grantee, data_class, purposes, valid_from, valid_until = terms
        return ConsentRecord(
            consent_id=consent_id,
            patient=patient,
            active=status == 1,
            terms=ConsentTerms(
                GranteeKind(kind),
                grantee,
                decode_label(data_class),
                tuple(decode_label(p) for p in purposes),
                valid_from,
                valid_until,
            ),
        )

    def live_consents(self, patient: str, data_class: str) -> list[ConsentRecord]:
        """Return the patient's unrevoked consents for ``data_class`` (expired ones included)."""
        ids = self.consents.functions.liveConsentIds(patient, encode_label(data_class)).call()
        return [self.get_consent(int(consent_id)) for consent_id in ids]

    def _granted_id(self, receipt: TxReceipt) -> int:
        events = self.consents.events.ConsentGranted().process_receipt(receipt)
        return int(events[0]["args"]["consentId"])

    # Access ledger

    def access_domain(self) -> Domain:
        return Domain("AccessLedger", "1", self.chain_id, self.access_ledger.address)

    def record_access(self, custodian: LocalAccount, request: AccessRequest, signature: bytes) -> AccessRecord:
        """Record ``request`` from the custodian gateway and return the decoded outcome event."""
        function = self.access_ledger.functions.recordAccess(request.as_abi_tuple(), signature)
        receipt = self.sender(custodian).transact(function)
        for log in receipt["logs"]:
            if HexBytes(log["address"]) == HexBytes(self.access_ledger.address):
                return self._access_record(self._decode_access_log(log))
        raise LedgerError(f"transaction {receipt['transactionHash'].to_0x_hex()} emitted no access event")

    def is_recorded(self, request_hash: bytes) -> bool:
        return bool(self.access_ledger.functions.isRecorded(request_hash).call())

    def access_records(
        self, *, patient: str | None = None, researcher: str | None = None, from_block: int = 0
    ) -> list[AccessRecord]:
        """Return access events in chain order, filtered on the indexed patient and researcher."""
        if from_block > self.w3.eth.block_number:
            return []
        filters = {key: value for key, value in (("patient", patient), ("researcher", researcher)) if value}
        ledger = self.access_ledger
        events: list[EventData] = []
        for name in ACCESS_EVENTS:
            event = getattr(ledger.events, name)()
            events.extend(event.get_logs(from_block=from_block, to_block="latest", argument_filters=filters))
        events.sort(key=lambda item: (item["blockNumber"], item["logIndex"]))
        return [self._access_record(item) for item in events]

    def verify_receipt(self, receipt: AuditReceipt) -> AccessRecord:
        """Check an access receipt against the chain and return the record it points to.

        Raises ReceiptVerificationError when the chain id, contract, transaction, block or log differ.
        """
        if HexBytes(receipt.contract) != HexBytes(self.access_ledger.address):
            raise ReceiptVerificationError(f"receipt contract {receipt.contract} is not the access ledger")
        return self._access_record(self._decode_access_log(self._locate_log(receipt)))

    def verify_consent_receipt(self, receipt: AuditReceipt) -> dict[str, Any]:
        """Check a grant or revocation receipt against the chain and return its decoded event."""
        if HexBytes(receipt.contract) != HexBytes(self.consents.address):
            raise ReceiptVerificationError(f"receipt contract {receipt.contract} is not the consent registry")
        log = self._locate_log(receipt)
        topic = HexBytes(log["topics"][0])
        for name in CONSENT_EVENTS:
            event = getattr(self.consents.events, name)()
            if topic == HexBytes(event.topic):
                decoded = event.process_log(log)
                return {"event": name, **{key: _plain_arg(value) for key, value in decoded["args"].items()}}
        raise ReceiptVerificationError(f"log {receipt.log_index} is not a consent event")

    def consent_receipt(self, receipt: TxReceipt) -> AuditReceipt:
        """Return the audit receipt of the consent event a grant or revocation transaction emitted."""
        for log in receipt["logs"]:
            if HexBytes(log["address"]) == HexBytes(self.consents.address):
                return AuditReceipt(
                    chain_id=self.chain_id,
                    contract=self.consents.address,
                    transaction_hash=receipt["transactionHash"].to_0x_hex(),
                    block_number=receipt["blockNumber"],
                    block_hash=HexBytes(receipt["blockHash"]).to_0x_hex(),
                    log_index=log["logIndex"],
                )
        raise LedgerError(f"transaction {receipt['transactionHash'].to_0x_hex()} emitted no consent event")

    def _locate_log(self, receipt: AuditReceipt) -> Any:
        """Return the log a receipt points to, after checking chain id, transaction and block."""
        if receipt.chain_id != self.chain_id:
            raise ReceiptVerificationError(f"receipt chain id {receipt.chain_id} is not this chain's {self.chain_id}")
        try:
            chain_receipt = self.w3.eth.get_transaction_receipt(HexStr(receipt.transaction_hash))
            canonical = self.w3.eth.get_block(receipt.block_number)["hash"]
        except (TransactionNotFound, BlockNotFound) as exc:
            raise ReceiptVerificationError(f"the chain has no such transaction or block: {exc}") from exc
        if chain_receipt["blockNumber"] != receipt.block_number:
            raise ReceiptVerificationError(
                f"transaction {receipt.transaction_hash} is in block {chain_receipt['blockNumber']}, "
                f"not {receipt.block_number}"
            )
        if HexBytes(canonical) != HexBytes(receipt.block_hash):
            raise ReceiptVerificationError(
                f"block {receipt.block_number} has hash {HexBytes(canonical).to_0x_hex()}, not {receipt.block_hash}"
            )
        matches = [log for log in chain_receipt["logs"] if log["logIndex"] == receipt.log_index]
        if not matches or HexBytes(matches[0]["address"]) != HexBytes(receipt.contract):
            raise ReceiptVerificationError(f"no event of {receipt.contract} at log index {receipt.log_index}")
        return matches[0]

    def _decode_access_log(self, log: Any) -> EventData:
        ledger = self.access_ledger
        topic = HexBytes(log["topics"][0])
        for name in ACCESS_EVENTS:
            event = getattr(ledger.events, name)()
            if topic == HexBytes(event.topic):
                decoded: EventData = event.process_log(log)
                return decoded
        raise ReceiptVerificationError(f"log {log['logIndex']} is not an access event")

    def _access_record(self, event: EventData) -> AccessRecord:
        args = event["args"]
        granted = event["event"] == "AccessGranted"
        return AccessRecord(
            granted=granted,
            patient=args["patient"],
            researcher=args["researcher"],
            request_hash="0x" + bytes(args["requestHash"]).hex(),
            data_class=decode_label(args["dataClass"]),
            purpose=decode_label(args["purpose"]),
            consent_id=int(args["consentId"]),
            reason=DenialReason.NONE if granted else DenialReason(args["reason"]),
            custodian=args["custodian"],
            receipt=AuditReceipt(
                chain_id=self.chain_id,
                contract=event["address"],
                transaction_hash=event["transactionHash"].to_0x_hex(),
                block_number=event["blockNumber"],
                block_hash=event["blockHash"].to_0x_hex(),
                log_index=event["logIndex"],
            ),
        )

    def _decode_call_error(self, exc: Exception) -> Exception:
        data = getattr(exc, "data", None)
        if isinstance(data, str) and data.startswith("0x"):
            return self.decoder.decode(data)
        return exc


def _plain_arg(value: Any) -> Any:
    if isinstance(value, bytes):
        return decode_label(value)
    if isinstance(value, list | tuple):
        return [_plain_arg(item) for item in value]
    return value
