"""On-target and off-target scores: Rule Set 1, MIT and CFD.

References
----------
Doench et al., "Rational design of highly active sgRNAs for CRISPR-Cas9-
mediated gene inactivation", Nature Biotechnology 32:1262 (2014): Rule Set 1.
Hsu et al., "DNA targeting specificity of RNA-guided Cas9 nucleases", Nature
Biotechnology 31:827 (2013): MIT hit and specificity scores.
Doench et al., "Optimized sgRNA design to maximize activity and minimize
off-target effects of CRISPR-Cas9", Nature Biotechnology 34:184 (2016): CFD.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from sim.genomic.errors import GuideError
from sim.genomic.tables import cfd_tables, rule_set_1_model

__all__ = [
    "MIT_WEIGHTS",
    "cfd_score",
    "cfd_specificity",
    "mit_hit_score",
    "mit_hit_scores_from_masks",
    "mit_specificity",
    "rule_set_1",
]

#: Hsu et al. (2013) mismatch position weights, position 1 (PAM-distal) to 20.
MIT_WEIGHTS = np.array([
    0, 0, 0.014, 0, 0, 0.395, 0.317, 0, 0.389, 0.079,
    0.445, 0.508, 0.613, 0.851, 0.732, 0.828, 0.615, 0.804, 0.685, 0.583,
])  # fmt: skip

_BASE_CODE = {"A": 0, "C": 1, "G": 2, "T": 3}
_SPACER_NT = 20
_RS1_CONTEXT_NT = 30
# Rule Set 1 weighs the GC count of the 20-nt spacer by its distance from 10.
_RS1_GC_CENTRE = 10


def _check_dna(sequence: str, argument: str, length: int) -> str:
    upper = sequence.upper()
    if len(upper) != length or any(base not in _BASE_CODE for base in upper):
        raise GuideError(f"invalid {argument} {sequence!r}: expected {length} nt of A, C, G and T only")
    return upper


def rule_set_1(context: str) -> float:
    """Compute the Doench 2014 Rule Set 1 on-target score.

    Parameters
    ----------
    context : str
        30-mer: 4 nt 5' flank, 20-nt spacer, NGG PAM, 3 nt 3' flank.

    Returns
    -------
    float
        Predicted probability (0-1) that the guide is highly active.
    """
    context = _check_dna(context, "context", _RS1_CONTEXT_NT)
    model = rule_set_1_model()
    gc_count = context[4:24].count("G") + context[4:24].count("C")
    gc_weight = model.gc_low if gc_count < _RS1_GC_CENTRE else model.gc_high
    logit = model.intercept + abs(_RS1_GC_CENTRE - gc_count) * gc_weight
    for position, motif, weight in model.features:
        if context[position : position + len(motif)] == motif:
            logit += weight
    return 1.0 / (1.0 + math.exp(-logit))


def mit_hit_score(guide: str, offtarget: str) -> float:
    """Compute the MIT (Hsu 2013) hit score of one off-target, 0-100.

    Parameters
    ----------
    guide, offtarget : str
        20-nt spacer and the aligned 20 nt of the off-target, PAM excluded.

    Notes
    -----
    ``100 * prod(1 - W[i]) * 1 / (4 * (19 - d) / 19 + 1) * 1 / n**2`` over
    the ``n`` mismatches, with ``d`` the mean distance between consecutive
    mismatches as a real number. The middle factor is 1 for fewer than two
    mismatches and the last is 1 for none.
    """
    guide = _check_dna(guide, "guide", _SPACER_NT)
    offtarget = _check_dna(offtarget, "offtarget", _SPACER_NT)
    mask = sum(1 << i for i in range(_SPACER_NT) if guide[i] != offtarget[i])
    return float(mit_hit_scores_from_masks(np.array([mask], dtype=np.uint32))[0])


def mit_hit_scores_from_masks(masks: np.ndarray, *, integer_mean_distance: bool = False) -> np.ndarray:
    """Compute MIT hit scores from mismatch bit masks (bit ``i``: position ``i + 1``).

    Parameters
    ----------
    masks : ndarray of uint32
        One mask per off-target.
    integer_mean_distance : bool
        Truncate the mean mismatch distance to an integer, as CRISPOR's
        Python 2 releases did; the published formula uses the real value.

    Returns
    -------
    ndarray of float64
        Hit scores, 0-100.
    """
    bits = (masks[:, None] >> np.arange(_SPACER_NT, dtype=np.uint32)) & 1
    mismatched = bits.astype(bool)
    count = mismatched.sum(axis=1)
    position_term = np.prod(np.where(mismatched, 1.0 - MIT_WEIGHTS, 1.0), axis=1)

    # The mean of consecutive gaps telescopes to (last - first) / (n - 1).
    index = np.arange(_SPACER_NT)
    first = np.where(mismatched, index, _SPACER_NT).min(axis=1)
    last = np.where(mismatched, index, -1).max(axis=1)
    gaps = np.maximum(count - 1, 1)
    mean_distance = (last - first) // gaps if integer_mean_distance else (last - first) / gaps
    distance_term = np.where(count >= 2, 1.0 / ((19.0 - mean_distance) / 19.0 * 4.0 + 1.0), 1.0)
    count_term = 1.0 / np.maximum(count, 1) ** 2
    scores: np.ndarray = 100.0 * position_term * distance_term * count_term
    return scores


def cfd_score(guide: str, target: str) -> float:
    """Compute the CFD score of one site, 0-1.

    Parameters
    ----------
    guide : str
        20-nt spacer (a 23-mer with PAM is accepted and its PAM ignored).
    target : str
        23-nt off-target site: 20 nt aligned to the spacer, then the PAM.

    Notes
    -----
    The product of the mismatch activities at every mismatched position
    and the activity of the site's PAM (its last two bases).
    """
    guide = _check_dna(guide[:_SPACER_NT] if len(guide) == 23 else guide, "guide", _SPACER_NT)
    target = _check_dna(target, "target", _SPACER_NT + 3)
    tables = cfd_tables()
    score = float(tables.pam[_BASE_CODE[target[21]], _BASE_CODE[target[22]]])
    for position in range(_SPACER_NT):
        guide_code, site_code = _BASE_CODE[guide[position]], _BASE_CODE[target[position]]
        score *= float(tables.mismatch[position, guide_code, site_code])
    return score


def mit_specificity(hit_scores: Iterable[float]) -> float:
    """Compute the MIT guide specificity, 0-100: ``100 * 100 / (100 + sum of hit scores)``.

    Pass the hit scores of off-targets only, not of the intended site.
    """
    return 100.0 * 100.0 / (100.0 + float(sum(hit_scores)))


def cfd_specificity(cfd_scores: Iterable[float]) -> float:
    """Compute the CFD specificity, 0-100: ``100 * 100 / (100 + sum of CFD scores)``.

    CRISPOR (Haeussler et al., Genome Biology 17:148, 2016) aggregates CFD
    scores with the MIT formula, passing them on their 0-1 scale. Pass the
    scores of off-targets only.
    """
    return 100.0 * 100.0 / (100.0 + float(sum(cfd_scores)))
