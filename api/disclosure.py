"""Disclosure control: what of a simulation's output may leave the custodian.

Researchers get results, never the patient's data. The simulations return rich outputs for
people running them on their own files, so before a gated result is released this module
removes what is the patient's data itself, or would let a researcher rebuild it:

- PBPK: the clinical record that went in and the absolute dose (dose per kg times body weight).
- Guide design: all but the best ``max_guides`` guides, because the full set tiles the whole
  region and rebuilds the patient's sequence. The names of the patient's variants go too, since
  they state the genotype. Each released guide still states whether a variant created, destroyed
  or changed it, which is the result the researcher asked for.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

DEFAULT_MAX_GUIDES = 20
MAX_GUIDES_LIMIT = 50
# Distinct guides one researcher may ever receive for one patient, over all requests and
# nucleases: about 50 x 23 nt, well short of tiling a gene, while enough to choose from.
MAX_GUIDES_PER_PAIR = 50

_PBPK_WITHHELD = ("clinical", "dose_mg")
# Absolute amounts per volume. With the organ volume and the dose per kg they give the body
# weight back exactly, and the tumour's volume is the patient's own.
_ABSOLUTE_FIELDS = ("concentration_mg_per_l", "auc_mg_h_per_l", "cmax_mg_per_l", "volume_l")
_CLINICAL_KEYS = ("body_weight", "tumour_volume", "egfr", "liver_function", "haematocrit")

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
    """Return the PBPK result as %ID curves and ratios, without the patient's clinical values.

    Concentrations, AUCs in mg*h/L and organ volumes are withheld as well, because they rebuild
    the body weight and tumour volume. Assumptions that name a clinical field are dropped too,
    because they reveal which measurements the record lacks.
    """
    released = {key: value for key, value in result.items() if key not in _PBPK_WITHHELD}
    released["organs"] = {name: _relative(organ) for name, organ in result.get("organs", {}).items()}
    drug = result.get("released_drug")
    if drug:
        released["released_drug"] = {
            key: _relative(value) if isinstance(value, dict) else value for key, value in drug.items()
        }
    released["assumptions"] = [
        text for text in result.get("assumptions", []) if not any(key in text for key in _CLINICAL_KEYS)
    ]
    released["withheld"] = [*_PBPK_WITHHELD, *_ABSOLUTE_FIELDS, "assumptions about clinical fields"]
    return released


def _relative(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key not in _ABSOLUTE_FIELDS}


class DisclosureBudget:
    """Guides already released to each researcher for each patient, kept by the custodian.

    A cap per request alone would let repeated requests (or other nucleases) tile the region, so
    the budget counts distinct guides per (patient, researcher) pair across requests. Guides
    released before may be released again; new ones only while the pair's budget lasts.
    """

    _lock = threading.Lock()

    def __init__(self, directory: Path, limit: int = MAX_GUIDES_PER_PAIR) -> None:
        self.directory = directory
        self.limit = limit

    def select(
        self, patient: str, researcher: str, nuclease: str, ranked: list[dict[str, Any]], max_guides: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Return up to ``max_guides`` guides from ``ranked`` within the budget, and the budget left."""
        with self._lock:
            path = self.directory / f"{patient}-{researcher}.json"
            released = set(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else set()
            chosen = []
            for guide in ranked:
                key = f"{nuclease}:{guide.get('id')}"
                if key not in released and len(released) >= self.limit:
                    continue
                released.add(key)
                chosen.append(guide)
                if len(chosen) == max_guides:
                    break
            _write_json(path, sorted(released))
        return chosen, self.limit - len(released)


def release_guides(
    result: dict[str, Any],
    max_guides: int = DEFAULT_MAX_GUIDES,
    *,
    budget: DisclosureBudget | None = None,
    patient: str = "",
    researcher: str = "",
) -> dict[str, Any]:
    """Return the best ``max_guides`` guides, ranked canonical PAM first, then Rule Set 1 score.

    Guides that a variant created, destroyed or changed are kept ahead of unchanged ones, since
    patient-aware design is what the researcher asked for. With a ``budget``, only guides within
    the (patient, researcher) pair's remaining budget are released.
    """
    ranked = sorted(result.get("guides", []), key=_rank)
    remaining = None
    if budget is None:
        guides = ranked[:max_guides]
    else:
        guides, remaining = budget.select(patient, researcher, str(result.get("nuclease")), ranked, max_guides)
    return {
        "nuclease": result.get("nuclease"),
        "region": result.get("region"),
        "variants_applied": result.get("variants_applied"),
        "phase_known": result.get("phase_known"),
        "guides_designed": len(result.get("guides", [])),
        "guides": [{key: guide[key] for key in _GUIDE_FIELDS if key in guide} for guide in guides],
        "guide_budget_remaining": remaining,
        "withheld": ["guides beyond the ranked limit or the pair's budget", "variant names", "haplotype details"],
    }


def _rank(guide: dict[str, Any]) -> tuple[int, int, float]:
    affected = 0 if guide.get("effect", "unchanged") != "unchanged" else 1
    weak = 1 if guide.get("weak_pam") else 0
    score = guide.get("rs1")
    return (weak, affected, -(score if isinstance(score, int | float) else 0.0))


def _write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(document, stream)
    os.replace(temporary, path)
