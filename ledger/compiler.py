"""Compile the contracts through solc's standard-JSON interface and manage their artifacts.

The committed artifacts in ``ledger/artifacts`` are what deployments use, so running the
product needs no compiler. :func:`build_artifacts` rebuilds them; a test checks that a fresh
compile reproduces the committed files byte for byte.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError

from ledger.errors import CompilationError
from ledger.toolchain import SOLC_VERSION, project_root, solc_binary

CONTRACT_NAMES = ("ConsortiumRegistry", "ConsentRegistry", "AccessLedger")

# Paris is the newest hardfork without PUSH0 (Shanghai) and MCOPY (Cancun). Permissioned
# networks such as Besu or GoQuorum often lag mainnet forks, and Anvil runs Paris code too.
DEFAULT_EVM_VERSION = "paris"
SUPPORTED_EVM_VERSIONS = ("london", "paris", "shanghai", "cancun")
OPTIMIZER_RUNS = 200

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
_IMPORT = re.compile(r'^\s*import\s+(?:[^"\']*from\s+)?["\']([^"\']+)["\']\s*;', re.MULTILINE)


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: ABI, creation and runtime bytecode, and how it was built."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    evm_version: str


def contracts_dir() -> Path:
    return project_root() / "contracts"


def build_standard_input(
    evm_version: str = DEFAULT_EVM_VERSION, roots: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Build solc's standard-JSON input with every source, imports included, embedded.

    ``roots`` are source paths relative to the project root; the product's three contracts by default.

    Embedding the sources (instead of letting solc read files) makes the output identical
    for the native compiler and the npm build, which has no file system access of its own.
    """
    if evm_version not in SUPPORTED_EVM_VERSIONS:
        raise CompilationError(f"EVM version {evm_version!r} is not supported; choose one of {SUPPORTED_EVM_VERSIONS}")
    roots = roots or tuple(f"contracts/{name}.sol" for name in CONTRACT_NAMES)
    return {
        "language": "Solidity",
        "sources": {unit: {"content": text} for unit, text in sorted(_collect_sources(list(roots)).items())},
        "settings": {
            "evmVersion": evm_version,
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }


def compile_contracts(
    evm_version: str = DEFAULT_EVM_VERSION, sources: tuple[str, ...] | None = None
) -> dict[str, Artifact]:
    """Compile with solc :data:`~ledger.toolchain.SOLC_VERSION`; one artifact per source file's contract.

    ``sources`` are paths such as ``contracts/mocks/GuardianWallet.sol``, each defining the contract
    named after the file; the product's contracts by default.
    """
    sources = sources or tuple(f"contracts/{name}.sol" for name in CONTRACT_NAMES)
    try:
        output = solcx.compile_standard(build_standard_input(evm_version, sources), solc_binary=solc_binary())
    except SolcError as exc:
        raise CompilationError(f"solc {SOLC_VERSION} failed: {exc.message}") from exc

    artifacts = {}
    for source in sources:
        name = posixpath.splitext(posixpath.basename(source))[0]
        compiled = output["contracts"][source][name]
        artifacts[name] = Artifact(
            name=name,
            abi=compiled["abi"],
            bytecode="0x" + compiled["evm"]["bytecode"]["object"],
            deployed_bytecode="0x" + compiled["evm"]["deployedBytecode"]["object"],
            evm_version=evm_version,
        )
    return artifacts


def render_artifact(artifact: Artifact) -> str:
    """Serialise an artifact deterministically, so rebuilds can be compared byte for byte."""
    document = {
        "contractName": artifact.name,
        "compiler": {"solc": SOLC_VERSION, "evmVersion": artifact.evm_version, "optimizerRuns": OPTIMIZER_RUNS},
        "abi": artifact.abi,
        "bytecode": artifact.bytecode,
        "deployedBytecode": artifact.deployed_bytecode,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def build_artifacts(directory: Path = ARTIFACTS_DIR) -> list[Path]:
    """Compile for the default EVM version and write one JSON artifact per contract."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for artifact in compile_contracts().values():
        path = directory / f"{artifact.name}.json"
        path.write_text(render_artifact(artifact), encoding="utf-8")
        written.append(path)
    return written


def load_artifacts(evm_version: str = DEFAULT_EVM_VERSION) -> dict[str, Artifact]:
    """Return the committed artifacts, or compile afresh for a non-default EVM version."""
    if evm_version != DEFAULT_EVM_VERSION:
        return _compile_cached(evm_version)
    return {name: _read_artifact(ARTIFACTS_DIR / f"{name}.json") for name in CONTRACT_NAMES}


@cache
def _compile_cached(evm_version: str) -> dict[str, Artifact]:
    return compile_contracts(evm_version)


def _read_artifact(path: Path) -> Artifact:
    if not path.is_file():
        raise CompilationError(f"artifact {path} is missing; rebuild with `consent-ledger compile`")
    document = json.loads(path.read_text(encoding="utf-8"))
    return Artifact(
        name=document["contractName"],
        abi=document["abi"],
        bytecode=document["bytecode"],
        deployed_bytecode=document["deployedBytecode"],
        evm_version=document["compiler"]["evmVersion"],
    )


def _collect_sources(roots: list[str]) -> dict[str, str]:
    """Follow import statements from ``roots`` and return every source unit's text.

    solc's own import callback exists only in its JavaScript API, so the resolution is
    written here: ``@openzeppelin/...`` maps into ``node_modules``, and relative imports
    resolve against the importing unit's name, as solc resolves them.
    """
    sources: dict[str, str] = {}
    pending = list(roots)
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        text = _source_path(unit).read_text(encoding="utf-8")
        sources[unit] = text
        for target in _IMPORT.findall(text):
            if target.startswith("."):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(unit), target))
            pending.append(target)
    return sources


def _source_path(unit: str) -> Path:
    root = project_root()
    path = root / "node_modules" / unit if unit.startswith("@") else root / unit
    if not path.is_file():
        raise CompilationError(f"source unit {unit!r} not found at {path}; run `npm ci` in {root}")
    return path
