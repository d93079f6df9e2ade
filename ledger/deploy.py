"""Deploy the three contracts and keep one deployment record per chain id.

A record (``deployments/<chain id>.json`` in the data folder) names each contract's address
and the hash of the creation bytecode it was deployed from. Deploying again reuses a record
whose contracts still have code on the chain and match the current artifacts.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from ledger.compiler import CONTRACT_NAMES, DEFAULT_EVM_VERSION, Artifact, load_artifacts
from ledger.errors import DeploymentError
from ledger.transactions import ErrorDecoder, TransactionSender

logger = logging.getLogger(__name__)

RECORD_VERSION = 1


@dataclass(frozen=True)
class DeployedContract:
    address: str
    transaction_hash: str
    block_number: int
    bytecode_hash: str


@dataclass(frozen=True)
class Deployment:
    """Addresses and provenance of the contracts on one chain."""

    chain_id: int
    evm_version: str
    deployer: str
    contracts: dict[str, DeployedContract]

    def address(self, name: str) -> str:
        return self.contracts[name].address

    def to_json(self) -> str:
        document = {"version": RECORD_VERSION, **asdict(self)}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Deployment:
        document = json.loads(text)
        if document.get("version") != RECORD_VERSION:
            raise DeploymentError(f"deployment record version {document.get('version')!r} is not {RECORD_VERSION}")
        contracts = {name: DeployedContract(**entry) for name, entry in document["contracts"].items()}
        return cls(document["chain_id"], document["evm_version"], document["deployer"], contracts)


def record_path(data_dir: Path, chain_id: int) -> Path:
    return data_dir / "deployments" / f"{chain_id}.json"


def load_deployment(data_dir: Path, chain_id: int) -> Deployment:
    """Return the deployment record for ``chain_id`` or raise DeploymentError."""
    path = record_path(data_dir, chain_id)
    if not path.is_file():
        raise DeploymentError(f"no deployment for chain {chain_id} at {path}; run `consent-ledger deploy`")
    return Deployment.from_json(path.read_text(encoding="utf-8"))


def deploy(
    w3: Web3,
    deployer: LocalAccount,
    data_dir: Path,
    *,
    governors: list[str] | None = None,
    threshold: int = 1,
    custodians: list[str] | None = None,
    evm_version: str = DEFAULT_EVM_VERSION,
    replace: bool = False,
) -> tuple[Deployment, bool]:
    """Deploy the contracts unless a valid record exists; return the record and whether it is new.

    The deployer becomes the only governor unless ``governors`` is given. The deployer then appoints
    the ``custodians`` (the gateway accounts that record accesses), so it must be one of the governors.

    A new deployment starts an empty consent registry and audit trail, so one compiled for another
    EVM version than the recorded one is refused unless ``replace`` is set. A replaced record, or
    one whose contracts changed or vanished, is archived beside the new one, never overwritten.
    """
    chain_id = w3.eth.chain_id
    artifacts = load_artifacts(evm_version)
    path = record_path(data_dir, chain_id)
    if path.is_file():
        recorded = Deployment.from_json(path.read_text(encoding="utf-8"))
        if recorded.evm_version != evm_version and not replace:
            raise DeploymentError(
                f"chain {chain_id} already has a deployment compiled for {recorded.evm_version}, not {evm_version}; "
                "a new one would start with no consents or audit history. Use the recorded EVM version, "
                "or pass --replace to deploy anew (the old record is archived)"
            )
        if not replace and _is_live(w3, recorded, artifacts):
            logger.info("deployment reused chain_id=%d", chain_id)
            return recorded, False
        archived = _archive(path)
        logger.warning("deployment record archived chain_id=%d archive=%s; deploying anew", chain_id, archived.name)

    sender = TransactionSender(w3, deployer, ErrorDecoder([a.abi for a in artifacts.values()]))
    consortium = _deploy_one(w3, sender, artifacts["ConsortiumRegistry"], governors or [deployer.address], threshold)
    consents = _deploy_one(w3, sender, artifacts["ConsentRegistry"], consortium.address)
    ledger = _deploy_one(w3, sender, artifacts["AccessLedger"], consortium.address, consents.address)
    deployment = Deployment(
        chain_id=chain_id,
        evm_version=evm_version,
        deployer=deployer.address,
        contracts={"ConsortiumRegistry": consortium, "ConsentRegistry": consents, "AccessLedger": ledger},
    )

    registry = w3.eth.contract(
        address=Web3.to_checksum_address(consortium.address), abi=artifacts["ConsortiumRegistry"].abi
    )
    custodian_role = registry.functions.CUSTODIAN_ROLE().call()
    for custodian in custodians or []:
        sender.transact(registry.functions.grantRole(custodian_role, custodian))
    _write_atomically(record_path(data_dir, chain_id), deployment.to_json())
    logger.info("deployment written chain_id=%d consortium=%s", chain_id, consortium.address)
    return deployment, True


def _deploy_one(w3: Web3, sender: TransactionSender, artifact: Artifact, *arguments: Any) -> DeployedContract:
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = sender.transact(factory.constructor(*arguments))
    return DeployedContract(
        address=str(receipt["contractAddress"]),
        transaction_hash=receipt["transactionHash"].to_0x_hex(),
        block_number=receipt["blockNumber"],
        bytecode_hash=bytecode_hash(artifact),
    )


def bytecode_hash(artifact: Artifact) -> str:
    return "0x" + keccak(hexstr=artifact.bytecode).hex()


def _is_live(w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]) -> bool:
    """Return whether every recorded contract has code on chain and matches the current artifact."""
    for name in CONTRACT_NAMES:
        entry = deployment.contracts.get(name)
        if entry is None or entry.bytecode_hash != bytecode_hash(artifacts[name]):
            logger.warning("deployment record stale chain_id=%d contract=%s", deployment.chain_id, name)
            return False
        if len(w3.eth.get_code(Web3.to_checksum_address(entry.address))) == 0:
            logger.warning("deployment record has no code chain_id=%d contract=%s", deployment.chain_id, name)
            return False
    return True


def _archive(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    archived = path.with_name(f"{path.stem}.replaced-{stamp}.json")
    os.replace(path, archived)
    return archived


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
