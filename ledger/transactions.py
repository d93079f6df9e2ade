"""Send signed transactions from a local key and decode custom-error reverts.

Keys never leave this process: transactions are signed with eth-account and sent raw, so the
same code works against Anvil, Besu or any JSON-RPC node that stores no keys.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, cast

from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxParams, TxReceipt

from ledger.errors import ChainError, ContractRevertError

logger = logging.getLogger(__name__)

RECEIPT_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ErrorAbi:
    name: str
    input_names: tuple[str, ...]
    input_types: tuple[str, ...]


class ErrorDecoder:
    """Maps 4-byte selectors of the contracts' custom errors to names and arguments."""

    def __init__(self, abis: list[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, ErrorAbi] = {}
        for abi in abis:
            for entry in abi:
                if entry["type"] == "error":
                    self._add(entry)

    def _add(self, entry: dict[str, Any]) -> None:
        types = tuple(_canonical_type(item) for item in entry["inputs"])
        selector = function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})")
        names = tuple(item["name"] or f"arg{index}" for index, item in enumerate(entry["inputs"]))
        self._errors[selector] = ErrorAbi(entry["name"], names, types)

    def decode(self, data: str | bytes) -> ContractRevertError:
        raw = HexBytes(data)
        known = self._errors.get(bytes(raw[:4]))
        if known is None:
            return ContractRevertError("UnknownError", {"data": raw.to_0x_hex()}, raw.to_0x_hex())
        values = abi_decode(list(known.input_types), bytes(raw[4:]))
        arguments = {
            name: _plain(value, abi_type)
            for name, abi_type, value in zip(known.input_names, known.input_types, values, strict=True)
        }
        return ContractRevertError(known.name, arguments, raw.to_0x_hex())


class TransactionSender:
    """Signs and sends transactions for one account, one at a time, and waits for receipts.

    Sends are serialised with a lock and the nonce is read from the node's pending count each
    time, so concurrent API requests in one process never reuse a nonce.
    """

    def __init__(self, w3: Web3, account: LocalAccount, decoder: ErrorDecoder) -> None:
        self.w3 = w3
        self.account = account
        self.decoder = decoder
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        return str(self.account.address)

    def transact(self, function: ContractFunction | ContractConstructor) -> TxReceipt:
        """Simulate ``function``, then sign, send and wait; raises ContractRevertError on revert."""
        with self._lock:
            transaction = self._build(function)
            signed = self.account.sign_transaction(transaction)
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S)
        if receipt["status"] != 1:
            raise self._mined_revert(tx_hash, receipt["blockNumber"])
        logger.info(
            "tx mined fn=%s hash=%s block=%d gas=%d",
            getattr(function, "fn_name", "constructor"),
            tx_hash.to_0x_hex(),
            receipt["blockNumber"],
            receipt["gasUsed"],
        )
        return receipt

    def _mined_revert(self, tx_hash: HexBytes, block_number: int) -> Exception:
        """Explain a transaction that passed simulation but reverted when mined.

        It happens when the mined block differs from the simulated one, for example a later
        timestamp that passes a deadline. Replaying the call in the mined block's context
        recovers the custom error.
        """
        sent = self.w3.eth.get_transaction(tx_hash)
        replay = cast(TxParams, {"from": sent["from"], "to": sent["to"], "data": sent["input"], "value": sent["value"]})
        logger.warning("tx reverted when mined hash=%s block=%d", tx_hash.to_0x_hex(), block_number)
        try:
            self.w3.eth.call(replay, block_identifier=block_number)
        except ContractCustomError as exc:
            return self.decoder.decode(_revert_data(exc))
        except ContractLogicError as exc:
            return ContractRevertError("Revert", {"message": exc.message})
        return ChainError(f"transaction {tx_hash.to_0x_hex()} reverted when mined in block {block_number}")

    def call(self, function: ContractFunction) -> Any:
        """Run a read-only call, decoding a custom-error revert."""
        try:
            return function.call({"from": self.address})
        except ContractCustomError as exc:
            raise self.decoder.decode(_revert_data(exc)) from exc

    def _build(self, function: ContractFunction | ContractConstructor) -> dict[str, Any]:
        try:
            nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
            transaction = function.build_transaction(cast(TxParams, {"from": self.account.address, "nonce": nonce}))
        except ContractCustomError as exc:
            raise self.decoder.decode(_revert_data(exc)) from exc
        except ContractLogicError as exc:
            raise ContractRevertError("Revert", {"message": exc.message}) from exc
        return dict(transaction)


def _revert_data(exc: ContractCustomError) -> str:
    data = exc.data
    if isinstance(data, dict):
        return str(data.get("data", ""))
    return str(data)


def _canonical_type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_canonical_type(component) for component in item["components"])
        return f"({inner}){item['type'][5:]}"
    return str(item["type"])


def _plain(value: Any, abi_type: str) -> Any:
    if abi_type == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple | list):
        return [_plain(item, abi_type.removesuffix("[]")) for item in value]
    return value
