"""Disclosure control: what of a simulation's output may leave the custodian.

Researchers get results, never the patient's data. The simulations return rich outputs for
people running them on their own files, so before a gated result is released this module
removes what is the patient's data itself, or would let a researcher rebuild it:

- PBPK: the clinical record that went in and the absolute dose (dose per kg times body weight).
- Guide design: all but the best ``max_guides`` guides, because the full set tiles the whole
  region and rebuilds the patient's sequence. The names of the patient's variants go too, since
  they state the genotype. Each released guide still says whether a variant created, destroyed
  or changed it, which is the result the researcher asked for.
"""

from __future__ import annotations

from typing import Any

DEFAULT_MAX_GUIDES = 20
MAX_GUIDES_LIMIT = 50

_PBPK_WITHHELD = ("clinical", "dose_mg")
_GUIDE_FIELDS = (
    "id",
    "protospacer",
    "pam",
    "pam_rule",
    "weak_pam",
    "start",
    "end",
    "strand",
    "cut_position",
    "target_cut_position",
    "gc_fraction",
    "rs1",
    "flags",
    "effect",
    "allele_specific",
    "mit_specificity",
    "cfd_specificity",
    "offtargets",
    "offtargets_by_mismatches",
)


def release_pbpk(result: dict[str, Any]) -> dict[str, Any]:
    """Return the PBPK result without the patient's clinical values."""
    released = {key: value for key, value in result.items() if key not in _PBPK_WITHHELD}
    released["withheld"] = list(_PBPK_WITHHELD)
    return released


def release_guides(result: dict[str, Any], max_guides: int = DEFAULT_MAX_GUIDES) -> dict[str, Any]:
    """Return the best ``max_guides`` guides, ranked canonical PAM first, then Rule Set 1 score.

    Guides that a variant created, destroyed or changed are kept ahead of unchanged ones, since
    patient-aware design is what the researcher asked for.
    """
    guides = sorted(result.get("guides", []), key=_rank)[:max_guides]
    return {
        "nuclease": result.get("nuclease"),
        "region": result.get("region"),
        "variants_applied": result.get("variants_applied"),
        "phase_known": result.get("phase_known"),
        "guides_designed": len(result.get("guides", [])),
        "guides": [{key: guide[key] for key in _GUIDE_FIELDS if key in guide} for guide in guides],
        "withheld": ["guides beyond the ranked limit", "variant names", "haplotype details"],
    }


def _rank(guide: dict[str, Any]) -> tuple[int, int, float]:
    affected = 0 if guide.get("effect", "unchanged") != "unchanged" else 1
    weak = 1 if guide.get("weak_pam") else 0
    score = guide.get("rs1")
    return (weak, affected, -(score if isinstance(score, int | float) else 0.0))
