"""Run a local Anvil node on loopback, with its state kept in the project's data folder.

Anvil dumps its state (accounts, contracts, blocks and event logs) to ``state.json`` on a clean
exit and every :data:`STATE_INTERVAL_S` seconds, and loads it on start, so consents and the
audit trail survive a restart. The node runs in its own process group; ``node.json`` beside the
state records its pid and RPC URL for ``status`` and ``stop``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from web3 import Web3

from ledger.errors import ChainError
from ledger.toolchain import anvil_binary

logger = logging.getLogger(__name__)

LOCAL_CHAIN_ID = 31337
# A crash loses at most this many seconds of blocks; a clean stop loses none.
STATE_INTERVAL_S = 2
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0

# Nodes started by this process. Holding the Popen objects lets a stop reap the child, and
# keeps a running node from being garbage-collected with a ResourceWarning.
_started: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class NodeInfo:
    """A running node as recorded in ``node.json``."""

    pid: int
    host: str
    port: int
    chain_id: int
    state_file: str

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def chain_dir(data_dir: Path) -> Path:
    return data_dir / "chain"


def start_node(
    data_dir: Path, *, host: str = "127.0.0.1", port: int = 8545, chain_id: int = LOCAL_CHAIN_ID
) -> NodeInfo:
    """Start Anvil in the background, or return the node already running for ``data_dir``."""
    running = node_status(data_dir)
    if running is not None:
        return running
    if not _port_free(host, port):
        raise ChainError(f"port {port} on {host} is in use; stop that process or pass another --port")

    directory = chain_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    state_file = directory / "state.json"
    process = _spawn(directory, state_file, host, port, chain_id)
    _started[process.pid] = process
    info = NodeInfo(process.pid, host, port, chain_id, str(state_file))
    try:
        _wait_until_ready(info, process)
    except ChainError:
        _terminate_group(process.pid)
        raise

    (directory / "node.json").write_text(json.dumps(asdict(info)), encoding="utf-8")
    logger.info("anvil started pid=%d rpc=%s chain_id=%d", info.pid, info.rpc_url, chain_id)
    return info


def stop_node(data_dir: Path) -> bool:
    """Stop the node recorded for ``data_dir`` and wait for its state dump; False if none ran."""
    record = chain_dir(data_dir) / "node.json"
    info = _read_record(record)
    if info is None:
        return False

    if _alive(info.pid):
        # SIGINT makes Anvil shut down cleanly and dump its state; SIGTERM may skip the dump.
        _signal_group(info.pid, signal.SIGINT)
        if not _wait_exit(info.pid, STOP_TIMEOUT_S):
            logger.warning("anvil pid=%d ignored SIGINT for %.0f s; killing it", info.pid, STOP_TIMEOUT_S)
            _terminate_group(info.pid)
    record.unlink(missing_ok=True)
    logger.info("anvil stopped pid=%d", info.pid)
    return True


def node_status(data_dir: Path) -> NodeInfo | None:
    """Return the node running for ``data_dir`` if it responds to JSON-RPC, else None."""
    record = chain_dir(data_dir) / "node.json"
    info = _read_record(record)
    if info is None:
        return None
    if not _alive(info.pid) or not _answers(info.rpc_url):
        record.unlink(missing_ok=True)
        return None
    return info


def _spawn(directory: Path, state_file: Path, host: str, port: int, chain_id: int) -> subprocess.Popen[bytes]:
    command = [
        str(anvil_binary()),
        "--host",
        host,
        "--port",
        str(port),
        "--chain-id",
        str(chain_id),
        "--state",
        str(state_file),
        "--state-interval",
        str(STATE_INTERVAL_S),
        "--preserve-historical-states",
    ]
    # A new session puts Anvil in its own process group, so a stop reaches it and nothing else.
    with (directory / "anvil.log").open("ab") as log:
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )


def _wait_until_ready(info: NodeInfo, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ChainError(
                f"anvil exited with status {process.returncode}; see {Path(info.state_file).parent / 'anvil.log'}"
            )
        if _answers(info.rpc_url):
            return
        time.sleep(0.1)
    raise ChainError(f"anvil did not respond on {info.rpc_url} within {START_TIMEOUT_S:.0f} s")


def _answers(rpc_url: str) -> bool:
    try:
        return Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 2})).is_connected()
    except OSError:
        return False


def _read_record(record: Path) -> NodeInfo | None:
    try:
        return NodeInfo(**json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, port)) != 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return False


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def _wait_exit(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _reap(pid)
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _reap(pid: int) -> None:
    process = _started.get(pid)
    if process is not None:
        if process.poll() is not None:
            del _started[pid]
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _terminate_group(pid: int) -> None:
    _signal_group(pid, signal.SIGKILL)
    _wait_exit(pid, 5.0)
