"""The long-lived objects the API needs: chain client, custodian account and patient store."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount

from api.core.config import Settings
from api.store import CustodianStore
from ledger.client import LedgerClient
from ledger.connect import connect
from ledger.deploy import deploy, load_deployment

logger = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    ledger: LedgerClient
    custodian: LocalAccount
    store: CustodianStore


def build_services(settings: Settings) -> Services:
    """Connect to the chain and open the store.

    On the local Anvil chain (no RPC URL set) the contracts are deployed on first use. Any other
    chain needs the deployment record that ``consent-ledger deploy`` writes.
    """
    w3 = connect(settings.rpc_url, settings.data_dir, anvil_port=settings.anvil_port)
    custodian = Account.from_key(settings.custodian_secret)
    if settings.rpc_url is None:
        deployer = Account.from_key(settings.deployer_secret)
        deployment, _ = deploy(
            w3, deployer, settings.data_dir, custodians=[custodian.address], evm_version=settings.evm_version
        )
    else:
        deployment = load_deployment(settings.data_dir, w3.eth.chain_id)
    store_key = settings.store_key.get_secret_value() if settings.store_key else None
    store = CustodianStore.open(settings.data_dir, store_key)
    logger.info("services ready chain_id=%d custodian=%s", deployment.chain_id, custodian.address)
    return Services(settings, LedgerClient(w3, deployment), custodian, store)
