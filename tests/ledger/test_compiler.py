"""Compiling the contracts: reproducible artifacts and the EVM version setting."""

from __future__ import annotations

import pytest

from ledger.compiler import (
    ARTIFACTS_DIR,
    CONTRACT_NAMES,
    build_standard_input,
    compile_contracts,
    render_artifact,
)
from ledger.errors import CompilationError

# The opcode bytes that separate the EVM versions: PUSH0 (Shanghai) and MCOPY (Cancun).
PUSH0 = "5f"


@pytest.fixture(scope="module")
def fresh_artifacts():
    return compile_contracts()


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_fresh_compile_matches_committed_artifact(fresh_artifacts, name):
    committed = (ARTIFACTS_DIR / f"{name}.json").read_bytes()

    assert render_artifact(fresh_artifacts[name]).encode("utf-8") == committed


def test_standard_input_embeds_openzeppelin_sources():
    sources = build_standard_input()["sources"]

    assert "@openzeppelin/contracts/access/AccessControl.sol" in sources
    assert "@openzeppelin/contracts/utils/cryptography/ECDSA.sol" in sources
    assert all(unit.startswith(("contracts/", "@openzeppelin/contracts/")) for unit in sources)


def test_unknown_evm_version_rejected():
    with pytest.raises(CompilationError, match="'istanbul' is not supported"):
        build_standard_input("istanbul")


@pytest.mark.slow
def test_shanghai_build_differs_from_paris(fresh_artifacts):
    shanghai = compile_contracts("shanghai")

    assert shanghai["ConsentRegistry"].evm_version == "shanghai"
    assert shanghai["ConsentRegistry"].bytecode != fresh_artifacts["ConsentRegistry"].bytecode
