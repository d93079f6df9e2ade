"""Fixtures shared by the genomic tests."""

from __future__ import annotations

import pytest

from tests.sim.genomic.files import HBB_FASTA


@pytest.fixture(scope="session")
def hbb_sequence() -> str:
    """The HBB reference sequence, read independently of the package."""
    lines = HBB_FASTA.read_text().splitlines()
    return "".join(line.strip() for line in lines if not line.startswith(">"))
