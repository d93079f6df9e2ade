"""Entry point for guide design on a patient's own sequence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.genomic.design import design_guides
from sim.genomic.errors import RegionError
from sim.genomic.nucleases import Nuclease, get_nuclease
from sim.genomic.offtarget import (
    PUBLISHED,
    OfftargetIndex,
    OfftargetSearcher,
    SpecificityRules,
)
from sim.genomic.offtarget.annotate import annotate_offtargets
from sim.genomic.reference import ReferenceRegion, read_reference
from sim.genomic.sequence import count_ambiguous, find_n_runs
from sim.genomic.variants import VariantCalls, build_haplotypes, read_variants

__all__ = ["MAX_REGION_NT", "design_guides_for_patient"]

#: Maximum region length designed in one call, in nucleotides. A longer
#: region is a genome-scale screen, which this in-memory design is not built for.
MAX_REGION_NT = 1_000_000


def design_guides_for_patient(
    reference_fasta: Path | str,
    vcf: Path | str | None = None,
    *,
    nuclease: str | Nuclease = "SpCas9",
    region: str | None = None,
    sample: str | None = None,
    offtarget_index: Path | str | OfftargetIndex | OfftargetSearcher | None = None,
    max_mismatches: int = 4,
    rules: SpecificityRules = PUBLISHED,
) -> dict[str, Any]:
    """Design CRISPR guides on a patient's haplotypes of one region.

    Parameters
    ----------
    reference_fasta : Path or str
        Reference genome, FASTA or UCSC 2bit.
    vcf : Path or str, optional
        The patient's variants. Without it, guides are designed on the
        reference alone.
    nuclease : str or Nuclease
        ``SpCas9`` (NGG, with NAG and NGA as weak PAMs), ``SaCas9`` (NNGRRT)
        or ``Cas12a`` (TTTV).
    region : str, optional
        ``CONTIG`` or ``CONTIG:START-END``, 1-based inclusive; required when
        the reference has more than one contig.
    sample : str, optional
        VCF sample column; the first by default.
    offtarget_index : Path, str, OfftargetIndex or OfftargetSearcher, optional
        Index of the genome to search for off-targets (SpCas9 only; build it
        with :func:`sim.genomic.offtarget.load_or_build_index`). Without it
        no genome-wide search runs and the call stays well under a second.
    max_mismatches : int
        Mismatch limit of the off-target search, 0 to 4.
    rules : SpecificityRules
        :data:`~sim.genomic.offtarget.PUBLISHED` or
        :data:`~sim.genomic.offtarget.CRISPOR` aggregation.

    Returns
    -------
    dict
        JSON-serialisable result: ``nuclease``, ``region``, ``guides`` (see
        :func:`sim.genomic.design.design_guides`), ``variants_applied``,
        ``variants_filtered``, ``variants_no_call``, ``phase_known``,
        ``haplotypes`` (name, length, applied variant names and guide count
        per haplotype), ``variant_positions`` (name and position of each
        variant in the region, no alleles) and ``reference`` (length and
        masking summary). With an off-target index each guide also gets
        ``mit_specificity``, ``cfd_specificity``, ``offtargets``,
        ``offtargets_by_mismatches`` and its five highest-CFD ``offtarget_sites``.
        The input and haplotype sequences are never included.

    Raises
    ------
    GenomicInputError
        A subclass names the bad file, contig, region, variant or nuclease.
    """
    chosen = get_nuclease(nuclease)
    reference = read_reference(reference_fasta, region)
    if len(reference.sequence) > MAX_REGION_NT:
        raise RegionError(
            f"region {reference.region} is {len(reference.sequence)} nt long; design at most "
            f"{MAX_REGION_NT} nt per call by passing a narrower region"
        )
    calls = read_variants(vcf, reference, sample=sample) if vcf is not None else None
    haplotypes = build_haplotypes(reference, calls)
    guides = design_guides(reference, haplotypes, chosen, calls.variants if calls else None)
    if offtarget_index is not None:
        annotate_offtargets(guides, reference, chosen, offtarget_index, max_mismatches, rules)
    return {
        "nuclease": chosen.name,
        "region": str(reference.region),
        "reference": _reference_summary(reference),
        "guides": guides,
        **_variant_summary(calls),
        "haplotypes": [
            {
                "name": haplotype.name,
                "length": len(haplotype.sequence),
                "variants": list(haplotype.variants),
                "guides": sum(haplotype.name in guide["haplotypes"] for guide in guides),
            }
            for haplotype in haplotypes
        ],
        "variant_positions": [{"name": v.name, "position": v.pos} for v in (calls.variants if calls else [])],
    }


def _reference_summary(reference: ReferenceRegion) -> dict[str, Any]:
    sequence = reference.sequence
    return {
        "length": len(sequence),
        "soft_masked_nt": sum(1 for base in sequence if base.islower()),
        "n_runs": [list(run) for run in find_n_runs(sequence, reference.start)],
        "ambiguous_nt": count_ambiguous(sequence),
    }


def _variant_summary(calls: VariantCalls | None) -> dict[str, Any]:
    if calls is None:
        return {"variants_applied": 0, "variants_filtered": 0, "variants_no_call": 0,
                "phase_known": True}  # fmt: skip
    applied = [v for v in calls.variants if any(v.allele_on(h) for h in range(calls.ploidy))]
    unphased = [v for v in calls.variants if v.heterozygous and not v.phased]
    return {
        "variants_applied": len(applied),
        "variants_filtered": calls.filtered,
        "variants_no_call": calls.no_calls,
        "phase_known": len(unphased) <= 1,
    }
