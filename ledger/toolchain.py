"""Locate the pinned chain toolchain: the Anvil node and the Solidity compiler.

Both come from the npm packages pinned in ``package.json`` (installed into ``node_modules``
beside the project), except that a native ``solc`` of the pinned version on ``PATH`` is
preferred because it compiles several times faster than the WebAssembly build.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

from ledger.errors import ToolchainError

SOLC_VERSION = "0.8.28"
ANVIL_VERSION = "1.7.1"

_NPM_PLATFORMS = {
    ("Linux", "x86_64"): "linux-amd64",
    ("Linux", "aarch64"): "linux-arm64",
    ("Darwin", "x86_64"): "darwin-amd64",
    ("Darwin", "arm64"): "darwin-arm64",
}


def project_root() -> Path:
    """Return the folder holding ``package.json`` and ``node_modules``.

    ``CONSENT_LEDGER_TOOLCHAIN_DIR`` overrides it for installs outside the source tree.
    """
    override = os.environ.get("CONSENT_LEDGER_TOOLCHAIN_DIR")
    return Path(override) if override else Path(__file__).resolve().parent.parent


def anvil_binary() -> Path:
    """Return the platform Anvil binary from ``@foundry-rs/anvil``.

    The ``node_modules/.bin/anvil`` entry is a Node shim that spawns this binary; stopping
    the shim would leave Anvil running, so the project starts the binary itself.
    """
    suffix = _NPM_PLATFORMS.get((platform.system(), platform.machine()))
    if suffix is None:
        raise ToolchainError(
            f"no Anvil build for {platform.system()} {platform.machine()}; "
            "set CONSENT_LEDGER_RPC_URL to use another node"
        )
    binary = project_root() / "node_modules" / "@foundry-rs" / f"anvil-{suffix}" / "bin" / "anvil"
    if not binary.is_file():
        raise ToolchainError(f"Anvil not found at {binary}; run `npm ci` in {project_root()}")
    return binary


def solc_binary() -> Path:
    """Return a solc of version :data:`SOLC_VERSION`: native if on PATH, else the npm build."""
    native = shutil.which("solc")
    if native and _native_version(native) == SOLC_VERSION:
        return Path(native)

    shim = Path(__file__).resolve().parent / "solcjs_standard_json.cjs"
    if not (project_root() / "node_modules" / "solc" / "package.json").is_file():
        raise ToolchainError(f"solc {SOLC_VERSION} not found: install it natively or run `npm ci` in {project_root()}")
    return shim


def _native_version(binary: str) -> str | None:
    try:
        output = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for token in output.split():
        if token[:1].isdigit() and "+commit" in token:
            return token.split("+", 1)[0]
    return None
