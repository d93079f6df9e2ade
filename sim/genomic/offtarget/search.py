"""Exhaustive off-target search over an :class:`OfftargetIndex` (pigeonhole on halves).

If a site differs from a guide at ``d <= k`` of 20 positions, one of the
two 10-nt halves differs at ``floor(k / 2)`` positions or fewer. So every
site within ``k`` mismatches shares, in one half, a key from the guide's
half-key neighbourhood of radius ``floor(k / 2)`` (436 keys at radius 2).
Each key is a contiguous slice of the half-sorted index. The candidates
are then checked exactly with an XOR and a popcount on the packed 20-mers,
so the search misses nothing and reports nothing extra. Sites found
through the PAM-distal half are dropped from the PAM-proximal pass, so
each site is reported once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product

import numpy as np

from sim.genomic.errors import GuideError
from sim.genomic.offtarget.encoding import (
    HALF_BITS,
    HALF_MASK,
    HALF_NT,
    SPACER_NT,
    mismatch_bits,
    pack,
)
from sim.genomic.offtarget.index import INDEXED_PAMS, OfftargetIndex

__all__ = ["MAX_MISMATCHES", "OfftargetHits", "OfftargetSearcher"]

#: Maximum mismatch count searched, the same limit as CRISPOR's BWA search.
MAX_MISMATCHES = 4
#: Guides searched per batch, which keeps the candidate arrays small (an
#: estimated 30 MB for typical guides).
_BATCH_GUIDES = 256


@dataclass(frozen=True)
class OfftargetHits:
    """Sites within the mismatch limit, one entry per (guide, site) pair.

    Attributes
    ----------
    guide : ndarray of int64
        Index of the guide in the searched list.
    site : ndarray of int64
        Index of the site in the :class:`OfftargetIndex`.
    bits : ndarray of uint64
        :func:`~sim.genomic.offtarget.encoding.mismatch_bits` of the pair.
    mismatches : ndarray of int64
        Mismatch count, 0 to ``max_mismatches``.
    """

    guide: np.ndarray
    site: np.ndarray
    bits: np.ndarray
    mismatches: np.ndarray

    def __len__(self) -> int:
        return len(self.guide)


@lru_cache(maxsize=MAX_MISMATCHES + 1)
def _neighbourhood_masks(radius: int) -> np.ndarray:
    """XOR masks that change up to ``radius`` bases of a 10-nt half-key."""
    masks = []
    for count in range(radius + 1):
        for positions in combinations(range(HALF_NT), count):
            for changes in product((1, 2, 3), repeat=count):
                mask = 0
                for position, change in zip(positions, changes, strict=True):
                    mask |= change << (2 * (HALF_NT - 1 - position))
                masks.append(mask)
    return np.array(masks, dtype=np.int64)


class OfftargetSearcher:
    """Search many guides against one index; reuse it to amortise the slice tables.

    Parameters
    ----------
    index : OfftargetIndex
        The genome's site index.
    """

    def __init__(self, index: OfftargetIndex) -> None:
        self.index = index
        self._left_offsets = index.left_offsets()
        self._right_kmers, self._right_offsets = index.right_sorted()

    def search(
        self,
        guides: Sequence[str],
        max_mismatches: int = MAX_MISMATCHES,
        pams: Sequence[str] = tuple(INDEXED_PAMS),
        progress: Callable[[int, int], None] | None = None,
    ) -> OfftargetHits:
        """Find every indexed site within ``max_mismatches`` of each 20-nt guide.

        Parameters
        ----------
        guides : sequence of str
            20-nt spacers (A, C, G, T), PAM excluded.
        max_mismatches : int
            0 to 4.
        pams : sequence of str
            PAM rules to report, from ``NGG``, ``NAG`` and ``NGA``.
        progress : callable, optional
            Called as ``progress(guides_done, guides_total)`` after each batch.

        Raises
        ------
        GuideError
            If a guide is not 20 nt of ACGT, ``max_mismatches`` is out of
            range or a PAM rule is not indexed.
        """
        packed = _pack_guides(guides)
        _check_options(max_mismatches, pams)
        parts = []
        for start in range(0, len(packed), _BATCH_GUIDES):
            batch = packed[start : start + _BATCH_GUIDES]
            parts.append(self._search_batch(batch, max_mismatches, start))
            if progress is not None:
                progress(min(start + _BATCH_GUIDES, len(packed)), len(packed))
        hits = _concatenate(parts)
        return _filter_pams(hits, self.index, pams)

    def _search_batch(self, guides: np.ndarray, limit: int, first: int) -> OfftargetHits:
        radius = limit // 2
        left = self._half_pass(guides, guides >> np.uint64(HALF_BITS), self.index.kmers,
                               self._left_offsets, limit, radius, None)  # fmt: skip
        right = self._half_pass(guides, guides & HALF_MASK, self._right_kmers,
                                self._right_offsets, limit, radius, radius)  # fmt: skip
        right = OfftargetHits(right.guide, self.index.right_order[right.site].astype(np.int64),
                              right.bits, right.mismatches)  # fmt: skip
        hits = _concatenate([left, right])
        return OfftargetHits(hits.guide + first, hits.site, hits.bits, hits.mismatches)

    @staticmethod
    def _half_pass(
        guides: np.ndarray,
        half_keys: np.ndarray,
        kmers: np.ndarray,
        offsets: np.ndarray,
        limit: int,
        radius: int,
        skip_left_within: int | None,
    ) -> OfftargetHits:
        probes = half_keys.astype(np.int64)[:, None] ^ _neighbourhood_masks(radius)[None, :]
        low, high = offsets[probes].ravel(), offsets[probes + 1].ravel()
        counts = high - low
        owner = np.repeat(np.arange(len(guides)), probes.shape[1])
        nonempty = counts > 0
        low, counts, owner = low[nonempty], counts[nonempty], owner[nonempty]

        # Expand each [low, high) slice into candidate row numbers.
        total = int(counts.sum())
        slice_start = np.repeat(low - (np.cumsum(counts) - counts), counts)
        rows = slice_start + np.arange(total)
        guide = np.repeat(owner, counts)

        bits = mismatch_bits(kmers[rows], guides[guide])
        mismatches = np.bitwise_count(bits).astype(np.int64)
        keep = mismatches <= limit
        if skip_left_within is not None:
            left_mismatches = np.bitwise_count(bits >> np.uint64(HALF_BITS))
            keep &= left_mismatches > skip_left_within
        return OfftargetHits(guide[keep], rows[keep], bits[keep], mismatches[keep])


def _pack_guides(guides: Sequence[str]) -> np.ndarray:
    packed = []
    for number, guide in enumerate(guides):
        upper = guide.strip().upper()
        if len(upper) != SPACER_NT or not set(upper) <= set("ACGT"):
            raise GuideError(
                f"invalid guide {guide!r} (number {number + 1}): off-target search needs "
                f"{SPACER_NT} nt of A, C, G and T without the PAM"
            )
        packed.append(pack(upper))
    return np.array(packed, dtype=np.uint64)


def _check_options(max_mismatches: int, pams: Sequence[str]) -> None:
    if not 0 <= max_mismatches <= MAX_MISMATCHES:
        raise GuideError(f"invalid max_mismatches {max_mismatches}; choose 0 to {MAX_MISMATCHES}")
    unknown = [pam for pam in pams if pam not in INDEXED_PAMS]
    if unknown:
        raise GuideError(f"PAM rules {unknown} are not indexed; choose from {', '.join(INDEXED_PAMS)}")


def _concatenate(parts: list[OfftargetHits]) -> OfftargetHits:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return OfftargetHits(empty, empty, empty.astype(np.uint64), empty)
    return OfftargetHits(
        np.concatenate([p.guide for p in parts]).astype(np.int64),
        np.concatenate([p.site for p in parts]).astype(np.int64),
        np.concatenate([p.bits for p in parts]),
        np.concatenate([p.mismatches for p in parts]),
    )


def _filter_pams(hits: OfftargetHits, index: OfftargetIndex, pams: Sequence[str]) -> OfftargetHits:
    if set(pams) == set(INDEXED_PAMS):
        return hits
    tail = index.pams[hits.site] & 0xF
    keep = np.zeros(len(hits), dtype=bool)
    for rule in pams:
        second, third = INDEXED_PAMS[rule]
        keep |= tail == ((second << 2) | third)
    return OfftargetHits(hits.guide[keep], hits.site[keep], hits.bits[keep], hits.mismatches[keep])
