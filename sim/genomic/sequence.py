"""Nucleotide alphabet, reverse complement, validation and region parsing.

Sequences keep their case: lowercase marks soft-masked repeats, as in UCSC
and Ensembl FASTA files. Every IUPAC nucleotide code is accepted (Cornish-Bowden,
Nucleic Acids Research 13:3021, 1985), and guides are only designed on
unambiguous A, C, G and T.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.genomic.errors import RegionError, SequenceError

__all__ = [
    "IUPAC_BASES",
    "Region",
    "count_ambiguous",
    "find_n_runs",
    "parse_region",
    "reverse_complement",
    "validate_sequence",
]

#: Bases each IUPAC nucleotide code stands for.
IUPAC_BASES: dict[str, str] = {
    "A": "A", "C": "C", "G": "G", "T": "T", "U": "T",
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}  # fmt: skip

_COMPLEMENT = str.maketrans(
    "ACGTURYSWKMBDHVNacgturyswkmbdhvn",
    "TGCAAYRSWMKVHDBNtgcaayrswmkvhdbn",
)
_VALID_CHARS = frozenset(IUPAC_BASES) | frozenset(c.lower() for c in IUPAC_BASES)
_REGION_PATTERN = re.compile(r"^(?P<contig>[^\s:]+)(?::(?P<start>[\d,]+)-(?P<end>[\d,]+))?$")
_N_RUN_PATTERN = re.compile(r"[Nn]+")


def reverse_complement(sequence: str) -> str:
    """Return the reverse complement, keeping case and IUPAC codes."""
    return sequence.translate(_COMPLEMENT)[::-1]


def validate_sequence(sequence: str, *, contig: str = "sequence", offset: int = 1) -> None:
    """Raise :class:`SequenceError` at the first character outside the IUPAC alphabet.

    Parameters
    ----------
    sequence : str
        Sequence to check.
    contig : str
        Name used in the message.
    offset : int
        1-based coordinate of ``sequence[0]`` on ``contig``, so the message
        gives the position on the contig.
    """
    for index, char in enumerate(sequence):
        if char not in _VALID_CHARS:
            raise SequenceError(
                f"invalid character {char!r} at {contig}:{offset + index}; a sequence may "
                "contain only IUPAC nucleotide codes (ACGTU RYSWKMBDHVN, either case). "
                "Remove gaps, digits and spaces from the file."
            )


def count_ambiguous(sequence: str) -> int:
    """Count IUPAC ambiguity codes other than N, which :func:`find_n_runs` reports."""
    return sum(1 for char in sequence.upper() if char not in "ACGTUN")


def find_n_runs(sequence: str, offset: int = 1) -> list[tuple[int, int]]:
    """Return the 1-based inclusive ``(start, end)`` of every run of N."""
    return [(match.start() + offset, match.end() - 1 + offset) for match in _N_RUN_PATTERN.finditer(sequence)]


@dataclass(frozen=True)
class Region:
    """Interval on a contig, 1-based and inclusive at both ends (the samtools convention).

    ``start`` and ``end`` are ``None`` for a whole contig whose length is
    not yet known.
    """

    contig: str
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        if self.start is None:
            return self.contig
        return f"{self.contig}:{self.start}-{self.end}"

    @property
    def length(self) -> int:
        """Length in nucleotides."""
        if self.start is None or self.end is None:
            raise RegionError(f"region {self} has no bounds yet; resolve it against the reference")
        return self.end - self.start + 1


def parse_region(text: str) -> Region:
    """Parse ``contig`` or ``contig:start-end`` (1-based, inclusive, commas allowed).

    Raises
    ------
    RegionError
        If the text has another form or ``start`` exceeds ``end``.
    """
    match = _REGION_PATTERN.match(text.strip())
    if match is None:
        raise RegionError(
            f"invalid region {text!r}; write it as CONTIG or CONTIG:START-END "
            "with 1-based inclusive coordinates, e.g. chr11:5225464-5227071"
        )
    contig = match["contig"]
    if match["start"] is None:
        return Region(contig)

    start = int(match["start"].replace(",", ""))
    end = int(match["end"].replace(",", ""))
    if start < 1 or end < start:
        raise RegionError(f"invalid region {text!r}: start must be at least 1 and no greater than end")
    return Region(contig, start, end)
