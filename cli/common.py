"""Helpers shared by the CLI commands: settings loading and one-line errors."""

from __future__ import annotations

from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from api.core.config import Settings

console = Console(soft_wrap=True)


def fail(message: str) -> NoReturn:
    """Print one error line and exit with status 2, the CLI's code for bad input or configuration."""
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


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
