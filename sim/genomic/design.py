"""Design guides on a patient's haplotypes and compare them with the reference.

A guide site is identified by its strand and the reference coordinate of
its PAM-adjacent protospacer base. Against the reference, each guide is:

- ``unchanged``: the reference has the same protospacer and PAM there;
- ``changed``: the reference has a guide there with another sequence (a
  variant in the protospacer, or in the PAM's N);
- ``created``: the reference has no guide there (a variant made the PAM or
  removed an ambiguous base);
- ``destroyed``: a reference guide that at least one haplotype has lost
  without a replacement at that site.

``haplotypes`` lists the haplotypes that carry the exact guide, and
``allele_specific`` is true when some but not all do.

A guide's id is the reference coordinate (1-based, on the contig) of its
PAM's leftmost plus-strand base, followed by ``forw`` or ``rev``. It follows
CRISPOR's form, but CRISPOR counts from the start of its input sequence, so
the two agree only when the region starts at base 1 of the contig.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.genomic.guides import GuideFlags, GuideSite, find_guide_sites, guide_flags
from sim.genomic.nucleases import Nuclease
from sim.genomic.reference import ReferenceRegion
from sim.genomic.variants import Haplotype, Variant

__all__ = ["PlacedGuide", "design_guides", "guide_id", "place_sites"]


@dataclass(frozen=True)
class PlacedGuide:
    """A guide site with reference coordinates (1-based, inclusive).

    ``cut_position`` is the reference base immediately left of the cut on
    the plus strand (the non-target-strand cut for a staggered nuclease),
    and ``target_cut_position`` the same for the target strand.
    """

    site: GuideSite
    start: int
    end: int
    pam_start: int
    pam_end: int
    cut_position: int
    target_cut_position: int
    anchor: int

    @property
    def key(self) -> tuple[str, int]:
        """Site identity: strand and PAM-adjacent protospacer base."""
        return self.site.strand, self.anchor

    @property
    def exact(self) -> tuple[str, int, str, str]:
        """Site identity plus sequence."""
        return self.site.strand, self.anchor, self.site.protospacer, self.site.pam


def place_sites(haplotype: Haplotype, nuclease: Nuclease) -> list[PlacedGuide]:
    """Find the guide sites of a haplotype and map them to reference coordinates."""
    to_reference = haplotype.ref_positions
    placed = []
    for site in find_guide_sites(haplotype.sequence, nuclease):
        last = site.start + len(site.protospacer) - 1
        pam_last = site.pam_start + len(site.pam) - 1
        anchor_index = _anchor_index(site, nuclease, last)
        placed.append(
            PlacedGuide(
                site,
                int(to_reference[site.start]),
                int(to_reference[last]),
                int(to_reference[site.pam_start]),
                int(to_reference[pam_last]),
                int(to_reference[site.cut_index(nuclease)]),
                int(to_reference[site.cut_index(nuclease, target_strand=True)]),
                int(to_reference[anchor_index]),
            )
        )
    return placed


def guide_id(pam_start: int, strand: str) -> str:
    """Return a guide's id from its PAM's leftmost reference coordinate (1-based) and its strand."""
    return f"{pam_start}{'forw' if strand == '+' else 'rev'}"


def _anchor_index(site: GuideSite, nuclease: Nuclease, last: int) -> int:
    pam_on_right = (nuclease.pam_side == "3prime") == (site.strand == "+")
    return last if pam_on_right else site.start


def design_guides(
    reference: ReferenceRegion,
    haplotypes: list[Haplotype],
    nuclease: Nuclease,
    variants: list[Variant] | None = None,
    flags: GuideFlags | None = None,
) -> list[dict[str, Any]]:
    """Design guides on every haplotype and label each against the reference.

    Returns one JSON-serialisable dict per distinct guide, sorted by
    position; see the module docstring for ``effect``.
    """
    flags = flags or GuideFlags()
    reference_haplotype = Haplotype("reference", reference.sequence, _identity(reference), ())
    on_reference = place_sites(reference_haplotype, nuclease)
    per_haplotype = {h.name: place_sites(h, nuclease) for h in haplotypes}
    names = [h.name for h in haplotypes]

    carriers: dict[tuple[str, int, str, str], list[str]] = {}
    first: dict[tuple[str, int, str, str], PlacedGuide] = {}
    for name, guides in per_haplotype.items():
        for guide in guides:
            carriers.setdefault(guide.exact, []).append(name)
            first.setdefault(guide.exact, guide)
    keys_by_haplotype = {name: {g.key for g in guides} for name, guides in per_haplotype.items()}
    reference_by_key = {g.key: g for g in on_reference}

    records = []
    for exact, guide in first.items():
        effect = _effect(guide, carriers[exact], names, reference_by_key, keys_by_haplotype)
        records.append(_record(guide, nuclease, effect, carriers[exact], names, variants, flags))
        if effect == "changed":
            original = reference_by_key[guide.key].site
            records[-1]["reference_protospacer"] = original.protospacer
            records[-1]["reference_pam"] = original.pam
    for guide in on_reference:
        if guide.exact not in first and any(guide.key not in keys_by_haplotype[n] for n in names):
            records.append(_record(guide, nuclease, "destroyed", [], names, variants, flags))
    return sorted(records, key=lambda r: (r["start"], r["strand"], r["effect"]))


def _identity(reference: ReferenceRegion) -> np.ndarray:
    return np.arange(reference.start, reference.start + len(reference.sequence))


def _effect(
    guide: PlacedGuide,
    carriers: list[str],
    names: list[str],
    reference_by_key: dict[tuple[str, int], PlacedGuide],
    keys_by_haplotype: dict[str, set[tuple[str, int]]],
) -> str:
    original = reference_by_key.get(guide.key)
    if original is None:
        return "created"
    if original.exact != guide.exact:
        return "changed"
    lost = [n for n in names if n not in carriers and guide.key not in keys_by_haplotype[n]]
    return "destroyed" if lost else "unchanged"


def _record(
    guide: PlacedGuide,
    nuclease: Nuclease,
    effect: str,
    carriers: list[str],
    names: list[str],
    variants: list[Variant] | None,
    flags: GuideFlags,
) -> dict[str, Any]:
    site = guide.site
    low, high = min(guide.start, guide.pam_start), max(guide.end, guide.pam_end)
    record: dict[str, Any] = {
        "id": guide_id(guide.pam_start, site.strand),
        "protospacer": site.protospacer,
        "pam": site.pam,
        "pam_rule": site.pam_rule,
        "weak_pam": site.pam_rule != nuclease.pam,
        "start": guide.start,
        "end": guide.end,
        "strand": site.strand,
        "cut_position": guide.cut_position,
        "gc_fraction": round(site.gc_fraction, 4),
        "rs1": None if site.rs1 is None else round(site.rs1, 6),
        "flags": guide_flags(site, flags),
        "effect": effect,
        "haplotypes": sorted(carriers),
        "allele_specific": 0 < len(set(carriers)) < len(names),
        "variants": [v.name for v in variants or () if v.pos <= high and v.end >= low],
    }
    if not nuclease.blunt:
        record["target_cut_position"] = guide.target_cut_position
    return record
