"""Connect to the configured chain, starting the local Anvil node when no RPC URL is set."""

from __future__ import annotations

import logging
from pathlib import Path

from web3 import Web3
from web3.middleware import ExtraDataToPOAMiddleware

from ledger.errors import ChainError
from ledger.node import start_node

logger = logging.getLogger(__name__)

# Proof-of-authority chains (Besu QBFT/Clique, GoQuorum) put validator data in extraData,
# beyond the 32 bytes that web3's block formatter accepts without the PoA middleware.
_MAX_PLAIN_EXTRA_DATA = 32


def connect(rpc_url: str | None, data_dir: Path, *, anvil_port: int = 8545) -> Web3:
    """Return a connected Web3; with ``rpc_url`` None, start (or reuse) the local Anvil node."""
    if rpc_url is None:
        rpc_url = start_node(data_dir, port=anvil_port).rpc_url
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
    if not w3.is_connected():
        raise ChainError(f"no JSON-RPC node responds at {rpc_url}; start it or fix CONSENT_LEDGER_RPC_URL")

    genesis = w3.eth.get_block(0)
    extra_data = bytes(genesis.get("extraData", b""))
    if len(extra_data) > _MAX_PLAIN_EXTRA_DATA:
        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        logger.info("proof-of-authority extraData detected; PoA middleware injected")
    logger.info("connected chain_id=%d", w3.eth.chain_id)
    return w3
