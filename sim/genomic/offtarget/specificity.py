"""Score off-target hits (MIT, CFD) and aggregate them into guide specificity.

Two rule sets are provided. :data:`PUBLISHED` applies the published
formulas to every site found: the MIT hit score of Hsu et al. (Nature
Biotechnology 31:827, 2013) with the real-valued mean distance between
mismatches, and the CFD score of Doench et al. (Nature Biotechnology
34:184, 2016). :data:`CRISPOR` reproduces the CRISPOR tool (Haeussler et
al., Genome Biology 17:148, 2016, as in the crisporWebsite 4.x source).
Alternative PAM (NAG, NGA) sites whose MIT hit score is below 1.0 are
dropped, and the remaining ones count at 0.2 of their MIT hit score. The
mean mismatch distance is truncated to an integer (Python 2 division), and
the specificities are rounded to integers.

Specificities, both on a 0-100 scale:

- MIT: ``100 * 100 / (100 + sum of MIT hit scores)``;
- CFD: ``100 * 100 / (100 + sum of CFD scores)``, with the CFD scores on
  their 0-1 scale, as CRISPOR computes it by default. CRISPOR's optional
  ``fixCfd`` mode scales them to 0-100 and is not reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.genomic.offtarget.encoding import SPACER_NT, mismatch_masks, pack, unpack
from sim.genomic.offtarget.index import OfftargetIndex
from sim.genomic.offtarget.search import OfftargetHits
from sim.genomic.scoring import cfd_specificity, mit_hit_scores_from_masks, mit_specificity
from sim.genomic.tables import cfd_tables

__all__ = [
    "CRISPOR",
    "PUBLISHED",
    "HitScores",
    "OnTarget",
    "SpecificityRules",
    "score_hits",
    "site_records",
    "summarise_guide",
]

_BASES = "ACGT"


@dataclass(frozen=True)
class SpecificityRules:
    """Rules for scoring hits and summing them into a specificity.

    Attributes
    ----------
    integer_mean_distance : bool
        Truncate the MIT mean mismatch distance to an integer.
    alt_pam_min_mit : float
        Alternative-PAM sites with a lower MIT hit score are not counted.
    alt_pam_mit_weight : float
        Factor on the MIT hit score of alternative-PAM sites.
    round_specificity : bool
        Round the MIT and CFD specificities to integers.
    """

    integer_mean_distance: bool = False
    alt_pam_min_mit: float = 0.0
    alt_pam_mit_weight: float = 1.0
    round_specificity: bool = False


PUBLISHED = SpecificityRules()
CRISPOR = SpecificityRules(True, 1.0, 0.2, True)


@dataclass(frozen=True)
class OnTarget:
    """The intended site, excluded from the off-targets: contig, 0-based plus-strand start, strand."""

    contig: str
    start: int
    strand: str


@dataclass(frozen=True)
class HitScores:
    """Per-hit scores aligned with an :class:`OfftargetHits`.

    ``mit`` is the published hit score (0-100) under the rules' distance
    convention, before any alternative-PAM weight. ``cfd`` is on a 0-1
    scale, and ``canonical`` marks NGG sites.
    """

    mit: np.ndarray
    cfd: np.ndarray
    canonical: np.ndarray


def score_hits(
    index: OfftargetIndex, hits: OfftargetHits, guides: list[str], rules: SpecificityRules = PUBLISHED
) -> HitScores:
    """Compute the MIT hit score and CFD score of every hit."""
    masks = mismatch_masks(hits.bits)
    mit = mit_hit_scores_from_masks(masks, integer_mean_distance=rules.integer_mean_distance)
    packed_guides = np.array([pack(g.upper()) for g in guides], dtype=np.uint64)
    cfd = _cfd(packed_guides[hits.guide], index.kmers[hits.site], index.pams[hits.site])
    canonical = (index.pams[hits.site] & 0xF) == 0b1010
    return HitScores(mit, cfd, canonical)


def _cfd(guides: np.ndarray, kmers: np.ndarray, pams: np.ndarray) -> np.ndarray:
    tables = cfd_tables()
    score = tables.pam[(pams >> 2) & 3, pams & 3].astype(np.float64)
    for position in range(SPACER_NT):
        shift = np.uint64(2 * (SPACER_NT - 1 - position))
        guide_base = ((guides >> shift) & np.uint64(3)).astype(np.intp)
        site_base = ((kmers >> shift) & np.uint64(3)).astype(np.intp)
        score *= tables.mismatch[position, guide_base, site_base]
    result: np.ndarray = score
    return result


def summarise_guide(
    index: OfftargetIndex,
    hits: OfftargetHits,
    scores: HitScores,
    guide: int,
    on_target: OnTarget | None = None,
    rules: SpecificityRules = PUBLISHED,
) -> tuple[dict[str, Any], np.ndarray]:
    """Aggregate one guide's hits into counts and specificities.

    Parameters
    ----------
    on_target : OnTarget, optional
        The intended site. Without it, one perfect match is taken as the
        on-target, preferring an NGG site (CRISPOR takes the first perfect
        match it finds).

    Returns
    -------
    summary : dict
        ``offtargets`` (count), ``offtargets_by_mismatches`` (list indexed
        by mismatch count), ``perfect_matches`` (including the on-target),
        ``on_target_found``, ``mit_specificity``, ``cfd_specificity``.
    rows : ndarray of int
        Positions in ``hits`` of the counted off-targets.
    """
    rows = np.flatnonzero(hits.guide == guide)
    excluded = _on_target_row(index, hits, scores, rows, on_target)
    if excluded is not None:
        rows = rows[rows != excluded]
    alternative = ~scores.canonical[rows]
    rows = rows[~alternative | (scores.mit[rows] >= rules.alt_pam_min_mit)]

    weights = np.where(scores.canonical[rows], 1.0, rules.alt_pam_mit_weight)
    mit_sum = float(np.sum(scores.mit[rows] * weights))
    cfd_sum = float(np.sum(scores.cfd[rows]))
    mit_spec, cfd_spec = mit_specificity([mit_sum]), cfd_specificity([cfd_sum])
    if rules.round_specificity:
        mit_spec, cfd_spec = float(round(mit_spec)), float(round(cfd_spec))
    by_mismatches = np.bincount(hits.mismatches[rows], minlength=5).tolist()
    summary = {
        "offtargets": len(rows),
        "offtargets_by_mismatches": by_mismatches,
        "perfect_matches": int(np.sum(hits.mismatches[hits.guide == guide] == 0)),
        "on_target_found": excluded is not None,
        "mit_specificity": mit_spec,
        "cfd_specificity": cfd_spec,
    }
    return summary, rows


def _on_target_row(
    index: OfftargetIndex,
    hits: OfftargetHits,
    scores: HitScores,
    rows: np.ndarray,
    on_target: OnTarget | None,
) -> int | None:
    perfect = rows[hits.mismatches[rows] == 0]
    if on_target is not None:
        for row in perfect:
            site = hits.site[row]
            if (
                index.contig_names[index.contigs[site]] == on_target.contig
                and int(index.starts[site]) == on_target.start
                and "+-"[index.strands[site]] == on_target.strand
            ):
                return int(row)
        return None
    if len(perfect) == 0:
        return None
    canonical = perfect[scores.canonical[perfect]]
    return int(canonical[0] if len(canonical) else perfect[0])


def site_records(
    index: OfftargetIndex, hits: OfftargetHits, scores: HitScores, rows: np.ndarray
) -> list[dict[str, Any]]:
    """Describe off-target sites; mismatched bases are lowercase in ``sequence``.

    ``start`` and ``end`` are 1-based plus-strand coordinates of the 23-nt
    site (protospacer and PAM).
    """
    records = []
    masks = mismatch_masks(hits.bits[rows])
    for row, mask in zip(rows, masks, strict=True):
        site = hits.site[row]
        kmer = unpack(int(index.kmers[site]))
        marked = "".join(b.lower() if (int(mask) >> i) & 1 else b for i, b in enumerate(kmer))
        pam = "".join(_BASES[(int(index.pams[site]) >> shift) & 3] for shift in (4, 2, 0))
        start = int(index.starts[site]) + 1
        records.append({
            "contig": index.contig_names[index.contigs[site]],
            "start": start,
            "end": start + SPACER_NT + 2,
            "strand": "+-"[index.strands[site]],
            "sequence": marked + pam,
            "mismatches": int(hits.mismatches[row]),
            "mit": round(float(scores.mit[row]), 4),
            "cfd": round(float(scores.cfd[row]), 6),
        })  # fmt: skip
    return sorted(records, key=lambda r: (-r["cfd"], r["mismatches"]))
