"""Standard genetic code and mapping of reference positions to codons of a CDS."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from sim.genomic.errors import GenomicInputError

__all__ = ["CodingSequence", "GENETIC_CODE", "translate"]

# NCBI translation table 1, codons in TCAG order of first, second, third base.
_AMINO_ACIDS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
#: Amino acid (one-letter, ``*`` for stop) of every DNA codon.
GENETIC_CODE: dict[str, str] = {
    "".join(codon): amino for codon, amino in zip(product("TCAG", repeat=3), _AMINO_ACIDS, strict=True)
}


def translate(cds: str) -> str:
    """Translate a CDS codon by codon; a trailing partial codon is ignored."""
    upper = cds.upper()
    return "".join(GENETIC_CODE.get(upper[i : i + 3], "X") for i in range(0, len(upper) - 2, 3))


@dataclass(frozen=True)
class CodingSequence:
    """CDS exons as 1-based inclusive reference intervals on the plus strand, 5' to 3'.

    The reference must be in transcript orientation (as ``hbb.fa`` is).
    """

    exons: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        previous = 0
        for start, end in self.exons:
            if start <= previous or end < start:
                raise GenomicInputError(
                    f"invalid CDS exons {list(self.exons)}: give ascending, non-overlapping "
                    "1-based (start, end) intervals"
                )
            previous = end

    def positions(self) -> list[int]:
        """Return every coding reference position, 5' to 3'."""
        return [p for start, end in self.exons for p in range(start, end + 1)]

    def codon_of(self, position: int) -> tuple[int, list[int]] | None:
        """Return the 1-based codon number and the codon's three positions, or ``None`` outside the CDS."""
        coding = self.positions()
        if position not in coding:
            return None
        offset = coding.index(position)
        first = offset - offset % 3
        return first // 3 + 1, coding[first : first + 3]
