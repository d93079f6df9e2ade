"""Brute-force off-target scans, kept as correctness oracles for the index search.

:func:`scan_genome_numpy` compares each guide with every 23-nt window of
every contig, position by position, with no packing and no index.
:func:`scan_genome_python` does the same in plain Python, as the baseline a
naive tool would run. Both skip windows with a base other than A, C, G or
T, as the index does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from sim.genomic.offtarget.encoding import SPACER_NT, encode
from sim.genomic.reference import iter_contigs
from sim.genomic.sequence import reverse_complement

__all__ = ["Site", "scan_genome_numpy", "scan_genome_python", "scan_sequence_python"]

#: ``(guide number, contig, 0-based plus-strand site start, strand, mismatches, PAM)``.
Site = tuple[int, str, int, str, int, str]

_SITE_NT = SPACER_NT + 3
_PAM_TAILS = {"NGG": "GG", "NAG": "AG", "NGA": "GA"}


def scan_genome_numpy(
    genome: Path | str | Iterable[tuple[str, str]],
    guides: Sequence[str],
    max_mismatches: int,
    pams: Sequence[str] = ("NGG", "NAG", "NGA"),
) -> set[Site]:
    """Scan every window of every contig with numpy comparisons, one guide at a time."""
    contigs = iter_contigs(genome) if isinstance(genome, (str, Path)) else genome
    tails = [_PAM_TAILS[p] for p in pams]
    found: set[Site] = set()
    for name, sequence in contigs:
        codes = encode(sequence)
        for strand, strand_codes in (("+", codes), ("-", encode(reverse_complement(sequence.upper())))):
            found |= _scan_strand(strand_codes, name, strand, guides, max_mismatches, tails)
    return found


def _scan_strand(
    codes: np.ndarray, name: str, strand: str, guides: Sequence[str], limit: int, tails: list[str]
) -> set[Site]:
    windows = len(codes) - _SITE_NT + 1
    if windows <= 0:
        return set()
    clean = np.ones(windows, dtype=bool)
    for offset in range(_SITE_NT):
        clean &= codes[offset : offset + windows] < 4
    pam_ok = np.zeros(windows, dtype=bool)
    for tail in tails:
        second, third = encode(tail)
        pam_ok |= (codes[21 : 21 + windows] == second) & (codes[22 : 22 + windows] == third)
    candidates = clean & pam_ok

    found = set()
    for number, guide in enumerate(guides):
        mismatches = np.zeros(windows, dtype=np.int16)
        for offset, code in enumerate(encode(guide.upper())):
            mismatches += codes[offset : offset + windows] != code
        for at in np.flatnonzero(candidates & (mismatches <= limit)):
            start = int(at) if strand == "+" else len(codes) - int(at) - _SITE_NT
            pam = "ACGT"[codes[at + 20]] + "ACGT"[codes[at + 21]] + "ACGT"[codes[at + 22]]
            found.add((number, name, start, strand, int(mismatches[at]), pam))
    return found


def scan_sequence_python(
    name: str, sequence: str, guides: Sequence[str], max_mismatches: int,
    pams: Sequence[str] = ("NGG", "NAG", "NGA"),
) -> set[Site]:  # fmt: skip
    """Scan one sequence in plain Python: a loop over windows, strands and guides."""
    tails = {_PAM_TAILS[p] for p in pams}
    upper_guides = [g.upper() for g in guides]
    found: set[Site] = set()
    for strand, text in (("+", sequence.upper()), ("-", reverse_complement(sequence.upper()))):
        for at in range(len(text) - _SITE_NT + 1):
            window = text[at : at + _SITE_NT]
            if window[21:] not in tails or window[20] not in "ACGT":
                continue
            for number, guide in enumerate(upper_guides):
                mismatches = 0
                for position in range(SPACER_NT):
                    if window[position] != guide[position]:
                        mismatches += 1
                        if mismatches > max_mismatches:
                            break
                if mismatches <= max_mismatches and set(window[:SPACER_NT]) <= set("ACGT"):
                    start = at if strand == "+" else len(text) - at - _SITE_NT
                    found.add((number, name, start, strand, mismatches, window[20:]))
    return found


def scan_genome_python(genome: Path | str, guides: Sequence[str], max_mismatches: int) -> set[Site]:
    """Run :func:`scan_sequence_python` over every contig of a genome."""
    found: set[Site] = set()
    for name, sequence in iter_contigs(genome):
        found |= scan_sequence_python(name, sequence, guides, max_mismatches)
    return found
