"""Shared fixtures: one real Anvil node per test session, deployed contracts, and accounts.

Chain tests take ``fresh_chain``, which snapshots the chain before the test and reverts it
after, so every test starts from the same onboarded state.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy
from ledger.node import NodeInfo, start_node, stop_node

# Anvil's development keys from its default mnemonic; funded on the test chain.
ANVIL_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
)
ONE_DAY_S = 24 * 3600


@dataclass(frozen=True)
class Actors:
    governor: LocalAccount
    custodian: LocalAccount
    institution: LocalAccount
    other_institution: LocalAccount
    outsider: LocalAccount
    relayer: LocalAccount
    researcher: LocalAccount
    patient: LocalAccount


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def keyed_account(label: str) -> LocalAccount:
    """A deterministic unfunded account, like a patient's or researcher's wallet."""
    account: LocalAccount = Account.from_key(keccak(text=label))
    return account


@pytest.fixture(scope="session")
def chain_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chain-data")


@pytest.fixture(scope="session")
def node(chain_data_dir: Path) -> Iterator[NodeInfo]:
    info = start_node(chain_data_dir, port=free_port())
    yield info
    stop_node(chain_data_dir)


@pytest.fixture(scope="session")
def w3(node: NodeInfo) -> Web3:
    return Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 30}))


@pytest.fixture(scope="session")
def actors() -> Actors:
    funded = [Account.from_key(key) for key in ANVIL_KEYS]
    return Actors(
        governor=funded[0],
        custodian=funded[1],
        institution=funded[2],
        other_institution=funded[3],
        outsider=funded[4],
        relayer=funded[5],
        researcher=keyed_account("researcher"),
        patient=keyed_account("patient"),
    )


@pytest.fixture(scope="session")
def deployment(w3: Web3, actors: Actors, chain_data_dir: Path) -> Deployment:
    record, _ = deploy(w3, actors.governor, chain_data_dir, custodians=[actors.custodian.address])
    return record


@pytest.fixture(scope="session")
def ledger(w3: Web3, deployment: Deployment, actors: Actors) -> LedgerClient:
    """The client, with the institution admitted and the researcher accredited for 30 days."""
    client = LedgerClient(w3, deployment)
    client.approve_institution(actors.governor, actors.institution.address)
    client.accredit_researcher(actors.institution, actors.researcher.address, client.chain_time() + 30 * ONE_DAY_S)
    return client


@pytest.fixture()
def fresh_chain(w3: Web3, ledger: LedgerClient) -> Iterator[Web3]:
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    yield w3
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


def advance_time(w3: Web3, seconds: int) -> None:
    """Move the chain's clock forward and mine a block, so views see the new time."""
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
