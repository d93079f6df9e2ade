"""HDR donor design that reverts a patient variant, with a silent PAM-blocking change.

The donor is the reference sequence, so it carries the reference allele at
the variant, spanning ``arm_nt`` on each side of the edit. The guide would
still cut a donor whose PAM is NGG or one of SpCas9's weak PAMs (NAG, NGA)
and whose protospacer has at most one mismatch. Then one base of the PAM's
GG is changed: inside the CDS only to a synonymous codon, outside it to any
base, preferring a change that leaves no weak PAM. If the PAM change leaves
a weak PAM, or none exists, up to two synonymous changes go into the
PAM-proximal 10 nt of the protospacer as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.genomic.codons import GENETIC_CODE, CodingSequence
from sim.genomic.errors import GuideError, VariantError
from sim.genomic.reference import ReferenceRegion
from sim.genomic.sequence import reverse_complement
from sim.genomic.variants import Variant

__all__ = ["DonorParameters", "design_donor"]

_SEED_NT = 10
# Last two PAM bases SpCas9 cuts: NGG, and the weak NAG and NGA (Hsu et al., 2013).
_CUT_PAM_ENDS = ("GG", "AG", "GA")


@dataclass(frozen=True)
class DonorParameters:
    """Parameters of :func:`design_donor`.

    Attributes
    ----------
    arm_nt : int
        Homology arm length on each side of the edit, in nucleotides
        (single-stranded oligo donors commonly use 30-90 nt arms).
    max_cut_to_edit_nt : int
        Distance beyond which the result carries a warning, because HDR
        incorporation falls steeply as the edit moves away from the cut
        (Paquet et al., Nature 533:125, 2016).
    """

    arm_nt: int = 50
    max_cut_to_edit_nt: int = 10


def design_donor(
    reference: ReferenceRegion,
    variant: Variant,
    guide: dict[str, Any],
    cds: CodingSequence | None = None,
    parameters: DonorParameters = DonorParameters(),
) -> dict[str, Any]:
    """Design a donor that reverts ``variant`` and resists recutting by ``guide``.

    Parameters
    ----------
    reference : ReferenceRegion
        The reference region; the donor carries its alleles at the variant.
    variant : Variant
        The variant to revert; SNVs and MNVs only.
    guide : dict
        A guide record from :func:`sim.genomic.design.design_guides`
        (SpCas9-type, 3' PAM).
    cds : CodingSequence, optional
        Coding exons, to keep blocking changes synonymous.

    Raises
    ------
    VariantError
        If the variant changes the length or its flanks leave the region.
    """
    if len(variant.ref) != len(variant.alts[0]):
        raise VariantError(f"variant {variant.name} is an indel; donor design supports SNV and MNV reversion only")
    # NOTE: other patient variants inside the arms are not applied, so the donor
    # reverts them too; a haplotype-based donor would need the haplotype's coordinates.
    sequence = list(reference.sequence.upper())
    offset = reference.start
    low, high = variant.pos - parameters.arm_nt, variant.end + parameters.arm_nt
    if low < offset or high >= offset + len(sequence):
        raise VariantError(
            f"arms of {parameters.arm_nt} nt around {variant.name} leave region {reference.region}; "
            "widen the region or shorten the arms"
        )

    changes = _blocking_changes(sequence, offset, guide, cds)
    for change in changes:
        sequence[change["position"] - offset] = change["alt"]
    donor = "".join(sequence[low - offset : high - offset + 1])
    cut_distance = _cut_to_edit(guide["cut_position"], variant)
    return {
        "guide": guide["id"],
        "variant": variant.name,
        "edit": f"{variant.contig}:{variant.pos} {variant.alts[0]}>{variant.ref}",
        "donor": donor,
        "donor_start": low,
        "donor_end": high,
        "arm_nt": parameters.arm_nt,
        "cut_position": guide["cut_position"],
        "cut_to_edit_nt": cut_distance,
        "cut_to_edit_warning": cut_distance > parameters.max_cut_to_edit_nt,
        "blocking_changes": changes,
        "donor_recut": _is_target(sequence, offset, guide),
        "codon_check": _codon_check(reference, variant, cds),
    }


def _cut_to_edit(cut_position: int, variant: Variant) -> int:
    """Count the bases between the cut (right of ``cut_position``) and the edit."""
    if variant.end <= cut_position:
        return cut_position - variant.end
    return max(variant.pos - cut_position - 1, 0)


def _guide_positions(guide: dict[str, Any]) -> tuple[list[int], list[int]]:
    """Return the PAM's GG positions and the PAM-proximal seed positions, plus strand."""
    if guide["strand"] == "+":
        pam_gg = [guide["end"] + 2, guide["end"] + 3]
        seed = list(range(guide["end"], guide["end"] - _SEED_NT, -1))
    else:
        pam_gg = [guide["start"] - 2, guide["start"] - 3]
        seed = list(range(guide["start"], guide["start"] + _SEED_NT))
    return pam_gg, seed


def _blocking_changes(
    sequence: list[str], offset: int, guide: dict[str, Any], cds: CodingSequence | None
) -> list[dict[str, Any]]:
    if guide.get("pam_rule", "NGG")[1:] != "GG" and guide.get("pam_rule") is not None:
        raise GuideError(f"guide {guide['id']} has PAM rule {guide['pam_rule']}; use an NGG guide")
    if not _is_target(sequence, offset, guide):
        return []
    pam_gg, seed = _guide_positions(guide)
    changes = _pam_change(sequence, offset, guide, pam_gg, cds)
    for position in seed:
        if not _is_target(sequence, offset, guide):
            break
        change = _silent_change(sequence, offset, position, cds, "seed")
        if change is not None and change["region"] == "CDS":
            changes.append(change)
            sequence[position - offset] = change["alt"]
    for change in changes:
        sequence[change["position"] - offset] = change["ref"]
    return changes


def _pam_change(
    sequence: list[str], offset: int, guide: dict[str, Any], pam_gg: list[int], cds: CodingSequence | None
) -> list[dict[str, Any]]:
    """Apply and return the PAM change that blocks best: none left, else a weak PAM left."""
    options: list[tuple[bool, int, dict[str, Any]]] = []
    for position in pam_gg:
        for base in "ACGT":
            change = _silent_change(sequence, offset, position, cds, "PAM", base)
            if change is None:
                continue
            sequence[position - offset] = base
            options.append((_is_target(sequence, offset, guide), len(options), change))
            sequence[position - offset] = change["ref"]
    if not options:
        return []
    _, _, best = min(options, key=lambda option: option[:2])
    sequence[best["position"] - offset] = best["alt"]
    return [best]


def _silent_change(
    sequence: list[str], offset: int, position: int, cds: CodingSequence | None, target: str, only: str = "ACGT"
) -> dict[str, Any] | None:
    original = sequence[position - offset]
    codon = cds.codon_of(position) if cds is not None else None
    for base in only:
        if base == original:
            continue
        if codon is None:
            return {"position": position, "ref": original, "alt": base, "disrupts": target,
                    "region": "non-coding", "synonymous": None}  # fmt: skip
        number, positions = codon
        before = "".join(sequence[p - offset] for p in positions)
        after = "".join(base if p == position else sequence[p - offset] for p in positions)
        if GENETIC_CODE[before] == GENETIC_CODE[after]:
            return {
                "position": position, "ref": original, "alt": base, "disrupts": target,
                "region": "CDS", "codon": number, "codon_before": before, "codon_after": after,
                "amino_acid_before": GENETIC_CODE[before], "amino_acid_after": GENETIC_CODE[after],
                "synonymous": True,
            }  # fmt: skip
    return None


def _is_target(sequence: list[str], offset: int, guide: dict[str, Any]) -> bool:
    """Return True if the donor has an NGG, NAG or NGA PAM and at most one protospacer mismatch."""
    start, end = guide["start"] - offset, guide["end"] - offset
    if guide["strand"] == "+":
        site = "".join(sequence[start : end + 4])
    else:
        site = reverse_complement("".join(sequence[start - 3 : end + 1]))
    protospacer, pam = site[:-3], site[-3:]
    mismatches = sum(a != b for a, b in zip(protospacer, guide["protospacer"], strict=True))
    return pam[1:] in _CUT_PAM_ENDS and mismatches <= 1


def _codon_check(reference: ReferenceRegion, variant: Variant, cds: CodingSequence | None) -> dict[str, Any] | None:
    codon = cds.codon_of(variant.pos) if cds is not None else None
    if codon is None:
        return None
    number, positions = codon
    corrected = "".join(reference.sequence[p - reference.start].upper() for p in positions)
    patient = "".join(
        variant.alts[0][p - variant.pos] if variant.pos <= p <= variant.end else corrected[i]
        for i, p in enumerate(positions)
    )
    return {
        "codon": number,
        "patient_codon": patient,
        "corrected_codon": corrected,
        "patient_amino_acid": GENETIC_CODE[patient],
        "corrected_amino_acid": GENETIC_CODE[corrected],
    }
