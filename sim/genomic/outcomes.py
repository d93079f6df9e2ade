"""Microhomology-mediated deletions at a cut site (Bae et al., Nature Methods 11:705, 2014).

Take two identical stretches of at least 2 nt, one ending at or before the
cut and one starting at or after it. End joining can anneal the two copies
and delete the bases between them together with one copy. Each deletion
pattern scores

    ``100 * (2 * GC + AT) * exp(-deletion_length / 20)``

where GC and AT count the microhomology's bases and 20 is the published
length weight factor. A microhomology inside a longer one with the same
deletion length is the same event and is dropped. The microhomology score
sums the pattern scores. The out-of-frame score is the share (0-100) of
that sum from deletions whose length is not a multiple of 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.genomic.errors import GuideError

__all__ = ["DeletionPattern", "MicrohomologyParameters", "MicrohomologyResult", "predict_deletions"]


@dataclass(frozen=True)
class MicrohomologyParameters:
    """Parameters of :func:`predict_deletions`.

    Attributes
    ----------
    flank_nt : int
        Nucleotides considered on each side of the cut. The default 30
        (a 60-nt window) matches the input of the Bae et al. web tool as
        used by CRISPOR.
    min_microhomology_nt : int
        Shortest microhomology scored (2 in the paper).
    length_weight_nt : float
        Length weight factor in ``exp(-length / weight)`` (20 in the paper).
    """

    flank_nt: int = 30
    min_microhomology_nt: int = 2
    length_weight_nt: float = 20.0


@dataclass(frozen=True)
class DeletionPattern:
    """One microhomology-mediated deletion.

    ``left_start`` and ``right_start`` are 0-based window indices of the two
    copies. The deletion removes ``window[left_start:right_start]``: the
    left copy and the bases up to the right copy.
    """

    microhomology: str
    left_start: int
    right_start: int
    deletion_nt: int
    deleted: str
    score: float

    @property
    def frameshift(self) -> bool:
        """Whether the deletion shifts the reading frame."""
        return self.deletion_nt % 3 != 0


@dataclass(frozen=True)
class MicrohomologyResult:
    """Deletion patterns of one cut, highest score first, with the aggregate scores."""

    patterns: list[DeletionPattern]
    microhomology_score: float
    out_of_frame_score: float

    @property
    def frameshift_fraction(self) -> float:
        """Expected fraction (0-1) of microhomology-mediated deletions that shift the frame."""
        return self.out_of_frame_score / 100.0


def predict_deletions(
    sequence: str, cut: int, parameters: MicrohomologyParameters = MicrohomologyParameters()
) -> MicrohomologyResult:
    """Predict the microhomology deletion patterns of a double-strand break.

    Parameters
    ----------
    sequence : str
        Sequence around the break, A, C, G and T.
    cut : int
        Number of bases of ``sequence`` left of the break; at least
        ``flank_nt`` bases must lie on each side.

    Raises
    ------
    GuideError
        If the flanks are too short or contain other characters.
    """
    flank = parameters.flank_nt
    if cut < flank or len(sequence) - cut < flank:
        raise GuideError(
            f"cut at {cut} leaves fewer than {flank} nt on one side of a {len(sequence)}-nt "
            "sequence; pass more flanking sequence or a smaller flank_nt"
        )
    window = sequence[cut - flank : cut + flank].upper()
    if not set(window) <= set("ACGT"):
        raise GuideError("the sequence around the cut contains bases other than A, C, G and T")

    patterns = _maximal_patterns(window, flank, parameters)
    total = sum(p.score for p in patterns)
    shifted = sum(p.score for p in patterns if p.frameshift)
    out_of_frame = 100.0 * shifted / total if total else 0.0
    ranked = sorted(patterns, key=lambda p: (-p.score, p.left_start))
    return MicrohomologyResult(ranked, total, out_of_frame)


def _maximal_patterns(window: str, flank: int, parameters: MicrohomologyParameters) -> list[DeletionPattern]:
    found: list[DeletionPattern] = []
    covered: set[tuple[int, int]] = set()
    for length in range(flank, parameters.min_microhomology_nt - 1, -1):
        for left in range(0, flank - length + 1):
            for right in range(flank, 2 * flank - length + 1):
                if window[left : left + length] != window[right : right + length]:
                    continue
                # Skip a stretch inside a longer microhomology of the same deletion.
                if (left, right) in covered:
                    continue
                covered.update((left + k, right + k) for k in range(length))
                found.append(_pattern(window, left, right, length, parameters.length_weight_nt))
    return found


def _pattern(window: str, left: int, right: int, length: int, weight: float) -> DeletionPattern:
    microhomology = window[left : left + length]
    gc = microhomology.count("G") + microhomology.count("C")
    score = 100.0 * (2 * gc + (length - gc)) * math.exp(-(right - left) / weight)
    return DeletionPattern(microhomology, left, right, right - left, window[left:right], score)
