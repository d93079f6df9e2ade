"""Standard genetic code and mapping of reference positions to codons of a CDS."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from sim.genomic.errors import GenomicInputError

__all__ = ["CodingSequence", "GENETIC_CODE", "parse_cds", "translate"]

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


def parse_cds(text: str, contig_length: int | None = None) -> CodingSequence:
    """Parse CDS exons written as ``START-END,START-END`` (1-based, inclusive reference positions).

    Parameters
    ----------
    text : str
        Exons in transcript order, e.g. ``51-142,273-495,1347-1475``.
    contig_length : int, optional
        Length of the reference contig in nucleotides; exons must end within it.

    Raises
    ------
    GenomicInputError
        If an exon is not two positive integers joined by ``-``, ends before
        it starts, ends past the contig, or overlaps the exon before it.
    """
    exons = tuple(_parse_exon(part.strip(), text, contig_length) for part in text.split(","))
    return CodingSequence(exons)


def _parse_exon(part: str, text: str, contig_length: int | None) -> tuple[int, int]:
    bounds = [bound.strip() for bound in part.split("-")]
    if len(bounds) != 2 or not all(bound.isdigit() for bound in bounds):
        raise GenomicInputError(
            f"invalid CDS exon {part!r} in {text!r}; write exons as START-END,START-END with "
            "1-based positions, e.g. 51-142,273-495"
        )
    start, end = int(bounds[0]), int(bounds[1])
    if start < 1 or end < start:
        raise GenomicInputError(
            f"invalid CDS exon {part!r}: positions are 1-based and START must not exceed END, "
            "because exons are given on the plus strand; write it as START-END"
        )
    if contig_length is not None and end > contig_length:
        raise GenomicInputError(
            f"CDS exon {part!r} ends past the end of the contig ({contig_length} nt); "
            f"give exons that end at or before {contig_length}"
        )
    return start, end
