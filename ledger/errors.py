"""Exceptions of the ``ledger`` package.

Every error raised on purpose here derives from :class:`LedgerError`, so callers can catch the
package's failures in one place. Subclasses that mirror a standard condition also derive from
the matching built-in exception.

- :class:`ToolchainError`: the Solidity compiler or the Anvil node is missing or failed.
- :class:`CompilationError`: solc reported errors.
- :class:`ChainError`: the node could not be started, reached or stopped.
- :class:`DeploymentError`: a deployment record is missing, stale or inconsistent.
- :class:`ContractRevertError`: a transaction or call reverted with a decoded custom error.
- :class:`ReceiptVerificationError`: an audit receipt does not match the chain.
"""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Root of the errors that the ``ledger`` package raises on purpose."""


class ToolchainError(LedgerError, FileNotFoundError):
    """The compiler or node binary is missing or does not run."""


class CompilationError(LedgerError):
    """solc rejected the sources."""


class ChainError(LedgerError, ConnectionError):
    """The chain node could not be started, reached or stopped."""


class DeploymentError(LedgerError):
    """A deployment record is missing, stale or does not match the chain."""


class ContractRevertError(LedgerError):
    """A contract reverted with a custom error, decoded to its name and arguments."""

    def __init__(self, error_name: str, arguments: dict[str, Any], raw: str | None = None) -> None:
        self.error_name = error_name
        self.arguments = arguments
        self.raw = raw
        rendered = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
        super().__init__(f"{error_name}({rendered})")


class ReceiptVerificationError(LedgerError):
    """An audit receipt does not match what the chain recorded."""
