"""Helpers shared by the CLI commands: settings loading and one-line errors."""

from __future__ import annotations

from typing import NoReturn

import typer
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import ValidationError
from rich.console import Console

from api.core.config import Settings

console = Console(soft_wrap=True)


def fail(message: str) -> NoReturn:
    """Print one error line and exit with status 2, the CLI's code for bad input or configuration."""
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def parse_address(value: str, name: str, *, signer: bool = False) -> str:
    """Return ``value`` checksummed, or fail naming ``name``; ``signer`` also rejects the zero address."""
    if not value.startswith("0x") or not is_hex_address(value):
        fail(f"{name} {value!r} is not an Ethereum address (0x and 40 hex digits)")
    if value != value.lower() and not is_checksum_address(value):
        fail(f"{name} {value!r} has an invalid EIP-55 checksum; copy the address again or give it in lowercase")
    if signer and int(value, 16) == 0:
        fail(f"{name} 0x000...000 is the zero address, which no wallet can sign for")
    return str(to_checksum_address(value))


def load_settings() -> Settings:
    """Read the settings, turning a bad ``CONSENT_LEDGER_*`` value into a one-line error."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "CONSENT_LEDGER_" + "_".join(str(part) for part in error["loc"]).upper()
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}" if error["loc"] else message)
        fail("invalid configuration: " + "; ".join(problems))
