"""Scoring tables shipped as package data (``sim/genomic/data``).

Sources, as distributed with the CRISPOR tool (Haeussler et al., Genome
Biology 17:148, 2016):

- ``cfd_mismatch.tsv``, ``cfd_pam.tsv``: Cutting Frequency Determination
  (Doench et al., Nature Biotechnology 34:184, 2016). Mismatch key
  ``rX:dY,P``: guide RNA base X (U for T), complement Y of the off-target
  DNA base, position P from 1 (PAM-distal) to 20 (PAM-proximal). PAM key:
  the last two PAM bases; missing keys score 0.
- ``doench2014_ruleset1.tsv``: Rule Set 1 (Doench et al., Nature
  Biotechnology 32:1262, 2014): intercept, GC weights and position-specific
  (di)nucleotide weights over a 30-mer.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["CfdTables", "RuleSet1Model", "cfd_tables", "rule_set_1_model"]

_BASE_CODE = {"A": 0, "C": 1, "G": 2, "T": 3}
_COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}


@dataclass(frozen=True)
class CfdTables:
    """CFD scores as arrays indexed by base codes (A=0, C=1, G=2, T=3).

    Attributes
    ----------
    mismatch : ndarray, shape (20, 4, 4)
        ``mismatch[p, g, o]``: activity with guide base ``g`` facing
        off-target base ``o`` at 0-based position ``p`` (0 is PAM-distal);
        1.0 where ``g == o``.
    pam : ndarray, shape (4, 4)
        ``pam[x, y]``: activity with PAM ending in bases ``x`` then ``y``.
    """

    mismatch: np.ndarray
    pam: np.ndarray


@dataclass(frozen=True)
class RuleSet1Model:
    """Rule Set 1 logistic model over a 30-mer.

    ``features`` contains ``(pos0, sequence, weight)`` with ``pos0`` a 0-based
    index into the 30-mer.
    """

    intercept: float
    gc_low: float
    gc_high: float
    features: tuple[tuple[int, str, float], ...]


def _read_tsv(name: str) -> list[dict[str, str]]:
    text = resources.files("sim.genomic").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


@lru_cache(maxsize=1)
def cfd_tables() -> CfdTables:
    """Load the CFD tables once."""
    mismatch = np.ones((20, 4, 4))
    for row in _read_tsv("cfd_mismatch.tsv"):
        pair, position = row["key"].split(",")
        guide_base = pair[1].replace("U", "T")
        offtarget_base = _COMPLEMENT[pair[4]]
        code = _BASE_CODE[guide_base], _BASE_CODE[offtarget_base]
        mismatch[int(position) - 1, code[0], code[1]] = float(row["score"])

    pam = np.zeros((4, 4))
    for row in _read_tsv("cfd_pam.tsv"):
        pam[_BASE_CODE[row["key"][0]], _BASE_CODE[row["key"][1]]] = float(row["score"])
    mismatch.setflags(write=False)
    pam.setflags(write=False)
    return CfdTables(mismatch, pam)


@lru_cache(maxsize=1)
def rule_set_1_model() -> RuleSet1Model:
    """Load the Rule Set 1 weights once."""
    scalars: dict[str, float] = {}
    features = []
    for row in _read_tsv("doench2014_ruleset1.tsv"):
        if row["kind"] in ("nt", "dinuc"):
            features.append((int(row["pos0"]), row["seq"], float(row["weight"])))
        else:
            scalars[row["kind"]] = float(row["weight"])
    return RuleSet1Model(scalars["intercept"], scalars["gc_low"], scalars["gc_high"], tuple(features))
