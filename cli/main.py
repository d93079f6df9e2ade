"""The ``consent-ledger`` command line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from cli import sim_genomic, sim_nanotherapy  # noqa: F401 - registers the sim commands
from cli.common import console, fail, load_settings
from cli.consortium import consortium_app
from cli.custodian import custodian_app
from cli.sim import sim_app
from ledger.errors import LedgerError

app = typer.Typer(
    help="Consent ledger: on-chain consent and audit for consent-gated research simulations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
chain_app = typer.Typer(help="Run the local Anvil chain (state kept in the data folder).", no_args_is_help=True)
app.add_typer(chain_app, name="chain")
app.add_typer(custodian_app, name="custodian")
app.add_typer(consortium_app, name="consortium")
app.add_typer(sim_app, name="sim")

T = TypeVar("T")


@app.callback()
def configure(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO level.")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@chain_app.command("start")
def chain_start(port: Annotated[int, typer.Option(help="Loopback port for JSON-RPC.")] = 0) -> None:
    """Start the local Anvil node in the background, or report the one already running."""
    from ledger.node import start_node

    settings = load_settings()
    info = _run(lambda: start_node(settings.data_dir, port=port or settings.anvil_port))
    console.print(f"chain running: pid {info.pid}, {info.rpc_url}, chain id {info.chain_id}, state {info.state_file}")


@chain_app.command("stop")
def chain_stop() -> None:
    """Stop the local node; its state is written to the data folder first."""
    from ledger.node import stop_node

    stopped = _run(lambda: stop_node(load_settings().data_dir))
    console.print("chain stopped" if stopped else "no chain was running")


@chain_app.command("status")
def chain_status() -> None:
    """Report whether the local node runs; exits 1 when it does not."""
    from ledger.node import node_status

    info = node_status(load_settings().data_dir)
    if info is None:
        console.print("chain not running")
        raise typer.Exit(1)
    console.print(f"chain running: pid {info.pid}, {info.rpc_url}, chain id {info.chain_id}")


@app.command("compile")
def compile_contracts() -> None:
    """Rebuild the committed contract artifacts in ledger/artifacts with the pinned solc."""
    from ledger.compiler import build_artifacts

    for path in _run(build_artifacts):
        console.print(f"wrote {path}")


@app.command("deploy")
def deploy_contracts(
    evm_version: Annotated[
        str | None, typer.Option(help="EVM version to compile for (london, paris, shanghai, cancun).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Deploy anew even if a deployment exists; the old record is archived.")
    ] = False,
) -> None:
    """Deploy the contracts to the configured chain, or reuse the recorded deployment."""
    from eth_account import Account

    from ledger.connect import connect
    from ledger.deploy import deploy, record_path

    settings = load_settings()
    w3 = _run(lambda: connect(settings.rpc_url, settings.data_dir, anvil_port=settings.anvil_port))
    deployer = Account.from_key(settings.deployer_secret)
    custodian = Account.from_key(settings.custodian_secret)
    deployment, created = _run(
        lambda: deploy(
            w3,
            deployer,
            settings.data_dir,
            custodians=[custodian.address],
            evm_version=evm_version or settings.evm_version,
            replace=replace,
        )
    )
    console.print(("deployed" if created else "reused deployment") + f" on chain {deployment.chain_id}:")
    for name, entry in deployment.contracts.items():
        console.print(f"  {name:<20} {entry.address}")
    console.print(f"record: {record_path(settings.data_dir, deployment.chain_id)}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
) -> None:
    """Run the API (OpenAPI at /openapi.json); starts the local chain when no RPC URL is set."""
    import socket

    import uvicorn

    from api.main import create_app

    settings = load_settings()
    # Binding first makes a busy port fail at once, before the chain is started or contracts deployed.
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror}); stop what uses it or pass another --port")
    logging.getLogger().setLevel(logging.INFO)
    uvicorn.run(create_app(settings=settings), host=host, port=port, log_level="info")


@app.command("demo")
def demo() -> None:
    """Run the end-to-end scenario on the shipped HBB sickle-cell patient; exits 1 if a step differs."""
    import sys

    from cli.demo import run_demo

    # Logs and CI capture output without a terminal; a fixed width keeps the trail table readable.
    demo_console = Console(width=None if sys.stdout.isatty() else 150)
    raise typer.Exit(0 if run_demo(load_settings(), demo_console) else 1)


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
