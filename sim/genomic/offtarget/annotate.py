"""Attach off-target counts and specificities to designed guides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.genomic.errors import NucleaseError
from sim.genomic.nucleases import SPCAS9, Nuclease
from sim.genomic.offtarget import (
    OfftargetIndex,
    OfftargetSearcher,
    OnTarget,
    SpecificityRules,
    find_offtargets,
    load_index,
)
from sim.genomic.reference import ReferenceRegion

__all__ = ["annotate_offtargets"]

#: Off-target sites listed per guide in a design result (highest CFD first).
TOP_SITES = 5


def annotate_offtargets(
    guides: list[dict[str, Any]],
    reference: ReferenceRegion,
    nuclease: Nuclease,
    index: Path | str | OfftargetIndex | OfftargetSearcher,
    max_mismatches: int,
    rules: SpecificityRules,
) -> None:
    """Search every guide's spacer and add its off-target summary in place.

    When the region's contig is in the index, the reference is the indexed
    genome, so each guide's own site is excluded. Otherwise one perfect
    match is taken as the on-target.

    Raises
    ------
    NucleaseError
        If the nuclease is not SpCas9, the only one the index covers.
    """
    if nuclease != SPCAS9:
        raise NucleaseError(
            f"off-target search covers SpCas9 (NGG/NAG/NGA) only, not {nuclease.name}; "
            "drop the index or design SpCas9 guides"
        )
    if isinstance(index, (str, Path)):
        index = load_index(index)
    searcher = index if isinstance(index, OfftargetSearcher) else OfftargetSearcher(index)
    on_targets = [_on_target(guide, reference, searcher.index) for guide in guides]
    results = find_offtargets(
        searcher, [g["protospacer"] for g in guides], max_mismatches=max_mismatches,
        on_targets=on_targets, rules=rules,
    )  # fmt: skip
    for guide, result in zip(guides, results, strict=True):
        sites = result.pop("sites")
        result.pop("guide")
        guide.update(result)
        guide["offtarget_sites"] = sites[:TOP_SITES]


def _on_target(guide: dict[str, Any], reference: ReferenceRegion, index: OfftargetIndex) -> OnTarget | None:
    if reference.region.contig not in index.contig_names:
        return None
    # The 23-nt site starts at the protospacer (plus) or at the PAM (minus).
    start = guide["start"] if guide["strand"] == "+" else guide["start"] - 3
    return OnTarget(reference.region.contig, start - 1, guide["strand"])
