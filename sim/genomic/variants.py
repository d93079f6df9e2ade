"""Apply a patient's VCF (vcfpy) to a reference region to build haplotype sequences.

SNVs, MNVs and indels shorter than 50 bp are applied; symbolic and
breakend alleles are rejected. Each haplotype takes the allele its GT field
assigns. Phased calls (``0|1``) keep their phase. A single unphased
heterozygous call needs no phase, since haplotype labels are arbitrary.
Several unphased heterozygous calls are combined in GT order with a
:class:`PhaseUnknownWarning`. Overlapping alleles that would land on the
same haplotype are rejected.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vcfpy

from sim.genomic.errors import (
    ContigNotFoundError,
    GenomicInputError,
    PhaseUnknownWarning,
    VariantError,
)
from sim.genomic.reference import ReferenceRegion

__all__ = ["Haplotype", "Variant", "VariantCalls", "build_haplotypes", "read_variants"]

#: Maximum indel length applied, in nucleotides. Indels of 50 bp and longer
#: are structural variants by the usual convention and need other tools.
MAX_INDEL_NT = 49
_PASSING_FILTERS: tuple[set[str], ...] = ({"PASS"}, set())
_SEQUENCE_ALLELE_TYPES = {"SNV", "MNV", "INS", "DEL", "INDEL", "MIXED"}


@dataclass(frozen=True)
class Variant:
    """One VCF record on the region, with the patient's genotype.

    Attributes
    ----------
    contig : str
        Contig name.
    pos : int
        1-based position of the first REF base.
    ref : str
        Reference allele.
    alts : tuple of str
        Alternate alleles; ``"*"`` marks an allele deleted by another record.
    name : str
        VCF ID, or ``contig:pos:REF>ALT`` when the ID is missing.
    alleles : tuple of int or None
        GT allele index per haplotype (0 is REF, ``None`` a no-call).
    phased : bool
        Whether the GT is phased.
    """

    contig: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    name: str
    alleles: tuple[int | None, ...]
    phased: bool

    @property
    def end(self) -> int:
        """1-based position of the last REF base."""
        return self.pos + len(self.ref) - 1

    @property
    def heterozygous(self) -> bool:
        """Whether the haplotypes carry different alleles."""
        return len(set(self.alleles)) > 1

    def allele_on(self, haplotype: int) -> str | None:
        """Return the ALT sequence on one haplotype, or ``None`` for REF, no-call or ``*``."""
        index = self.alleles[haplotype]
        if not index:
            return None
        alt = self.alts[index - 1]
        return None if alt == "*" else alt


@dataclass(frozen=True)
class VariantCalls:
    """Variants read from a VCF for one region.

    Attributes
    ----------
    variants : list of Variant
        Passing records that overlap the region, in position order.
    ploidy : int
        Haplotypes per genotype (2 unless every call is haploid).
    sample : str
        Sample whose genotypes were used.
    filtered : int
        Records in the region skipped because FILTER is neither PASS nor ``.``.
    no_calls : int
        Records in the region whose GT has a missing allele (``.``); the
        missing allele is treated as REF.
    """

    variants: list[Variant]
    ploidy: int
    sample: str
    filtered: int
    no_calls: int


@dataclass(frozen=True)
class Haplotype:
    """A patient haplotype of the region.

    Attributes
    ----------
    name : str
        ``hap1``, ``hap2``, or ``reference`` when no VCF was given.
    sequence : str
        The haplotype's sequence; case is kept from the reference and
        inserted bases are uppercase.
    ref_positions : ndarray of int64
        1-based reference coordinate of each haplotype base. Inserted bases
        take the coordinate of the reference base before them.
    variants : tuple of str
        Names of the variants applied.
    """

    name: str
    sequence: str
    ref_positions: np.ndarray
    variants: tuple[str, ...]


def read_variants(vcf: Path | str, reference: ReferenceRegion, *, sample: str | None = None) -> VariantCalls:
    """Read the records of ``vcf`` that overlap ``reference.region`` and check them.

    Parameters
    ----------
    vcf : Path or str
        VCF file (plain or bgzip-compressed) with at least one sample and GT.
    reference : ReferenceRegion
        The region and its reference sequence.
    sample : str, optional
        Sample column to use; the first one by default.

    Raises
    ------
    ContigNotFoundError
        If any record names a contig absent from the reference.
    VariantError
        If the file is unreadable, REF differs from the reference, an allele
        is symbolic or too long, a record straddles the region boundary, or
        a record on the region's contig lies past the contig's end.
    """
    path = Path(vcf)
    if path.is_dir():
        raise VariantError(f"VCF {str(path)!r} is a folder; give the path of a VCF file")
    if not path.is_file():
        raise VariantError(f"VCF file {str(path)!r} not found; check the path")
    # vcfpy warns about header lines a VCF omits (FILTER, contig, INFO
    # declarations), and they do not change the genotypes read here.
    # NOTE: catch_warnings swaps process-wide filters, so a thread reading a
    # VCF at the same moment can briefly see vcfpy warnings silenced.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vcfpy.exceptions.VCFPyWarning)
        # The stream is opened here, not by vcfpy, so it is closed when the header fails to parse.
        with path.open("rt", encoding="utf-8", errors="replace") as stream:
            try:
                reader = vcfpy.Reader.from_stream(stream, path=str(path))
            except (vcfpy.exceptions.VCFPyException, ValueError, OSError) as error:
                raise VariantError(f"cannot read VCF file {path.name}: {error}") from error
            sample = _choose_sample(reader.header.samples.names, sample, path)
            return _collect_calls(reader, reference, sample, path)


def _choose_sample(names: list[str], sample: str | None, path: Path) -> str:
    if not names:
        raise VariantError(
            f"VCF file {path.name} has no sample column; a genotype (GT) per record is "
            "needed to build the patient's haplotypes"
        )
    if sample is None:
        return names[0]
    if sample not in names:
        raise VariantError(f"sample {sample!r} not found in {path.name}; available samples: {', '.join(names)}")
    return sample


def _collect_calls(reader: vcfpy.Reader, reference: ReferenceRegion, sample: str, path: Path) -> VariantCalls:
    region = reference.region
    variants: list[Variant] = []
    ploidies: set[int] = set()
    filtered = no_calls = 0
    try:
        for record in reader:
            _check_contig(record, reference, path)
            _check_within_contig(record, reference, path)
            call = record.call_for_sample.get(sample)
            alleles = _genotype(record, call, path)
            ploidies.add(len(alleles))
            if record.CHROM != region.contig or not _overlaps(record, reference):
                continue
            if set(record.FILTER) not in _PASSING_FILTERS:
                filtered += 1
                continue
            no_calls += None in alleles
            variants.append(_to_variant(record, alleles, call.is_phased, reference))
    except (vcfpy.exceptions.VCFPyException, ValueError) as error:
        if isinstance(error, GenomicInputError):
            raise
        raise VariantError(f"cannot parse VCF file {path.name}: {error}") from error
    if len(ploidies) > 1:
        raise VariantError(
            f"VCF file {path.name} mixes genotype ploidies {sorted(ploidies)}; give calls of one ploidy per contig"
        )
    ploidy = ploidies.pop() if ploidies else 2
    return VariantCalls(sorted(variants, key=lambda v: v.pos), ploidy, sample, filtered, no_calls)


def _check_contig(record: vcfpy.Record, reference: ReferenceRegion, path: Path) -> None:
    if record.CHROM not in reference.contig_names:
        shown = ", ".join(reference.contig_names[:10])
        raise ContigNotFoundError(
            f"contig {record.CHROM!r} of the VCF record at {record.CHROM}:{record.POS} in "
            f"{path.name} is not in the reference (contigs: {shown}); use the reference the "
            "VCF was called against, or rename contigs to match (e.g. 'chr11' vs '11')"
        )


def _check_within_contig(record: vcfpy.Record, reference: ReferenceRegion, path: Path) -> None:
    # Only the region's contig length is known here; records on other contigs are not applied.
    end = record.POS + len(record.REF) - 1
    if record.CHROM != reference.region.contig or end <= reference.contig_length:
        return
    raise VariantError(
        f"VCF record at {record.CHROM}:{record.POS} in {path.name} ends at {end}, past the end of "
        f"contig {record.CHROM} ({reference.contig_length} nt) in the reference; use the VCF called "
        "against this reference build, or remove the record"
    )


def _genotype(record: vcfpy.Record, call: vcfpy.Call | None, path: Path) -> tuple[int | None, ...]:
    if call is None or call.data.get("GT") is None or call.gt_alleles is None:
        raise VariantError(
            f"VCF record at {record.CHROM}:{record.POS} in {path.name} has no GT field; add the sample's genotype"
        )
    return tuple(call.gt_alleles)


def _overlaps(record: vcfpy.Record, reference: ReferenceRegion) -> bool:
    end = record.POS + len(record.REF) - 1
    region = reference.region
    assert region.start is not None and region.end is not None
    return record.POS <= region.end and end >= region.start


def _to_variant(
    record: vcfpy.Record, alleles: tuple[int | None, ...], phased: bool, reference: ReferenceRegion
) -> Variant:
    region = reference.region
    name = record.ID[0] if record.ID else None
    label = name or f"{record.CHROM}:{record.POS}:{record.REF}>{','.join(_alt_values(record))}"
    end = record.POS + len(record.REF) - 1
    assert region.start is not None and region.end is not None
    if record.POS < region.start or end > region.end:
        raise VariantError(
            f"variant {label} ({record.CHROM}:{record.POS}-{end}) straddles the boundary of "
            f"region {region}; widen the region to contain the whole REF allele"
        )

    offset = record.POS - region.start
    expected = reference.sequence[offset : offset + len(record.REF)]
    if expected.upper() != record.REF.upper():
        raise VariantError(
            f"REF {record.REF!r} of variant {label} at {record.CHROM}:{record.POS} does not "
            f"match the reference {expected.upper()!r}; use the VCF called against this "
            "reference build"
        )
    alts = tuple(_check_alt(record, alt, label) for alt in record.ALT)
    return Variant(record.CHROM, record.POS, record.REF.upper(), alts, label, alleles, phased)


def _alt_values(record: vcfpy.Record) -> list[str]:
    return [alt.serialize() for alt in record.ALT]


def _check_alt(record: vcfpy.Record, alt: vcfpy.AltRecord, label: str) -> str:
    value = str(alt.serialize())
    if value == "*":
        return value
    allele_type = getattr(alt, "type", None)
    if allele_type not in _SEQUENCE_ALLELE_TYPES or not set(value.upper()) <= set("ACGTN"):
        raise VariantError(
            f"ALT {value!r} of variant {label} at {record.CHROM}:{record.POS} is not a "
            "sequence allele; only SNVs, MNVs and small indels can be applied"
        )
    if abs(len(value) - len(record.REF)) > MAX_INDEL_NT:
        raise VariantError(
            f"variant {label} at {record.CHROM}:{record.POS} changes the length by "
            f"{len(value) - len(record.REF)} nt; indels longer than {MAX_INDEL_NT} nt are "
            "structural variants and are not applied, so remove the record"
        )
    return value.upper()


def build_haplotypes(reference: ReferenceRegion, calls: VariantCalls | None) -> list[Haplotype]:
    """Apply the variants to the reference region, one sequence per haplotype.

    Returns a single ``reference`` haplotype when ``calls`` is ``None``.

    Raises
    ------
    VariantError
        If overlapping alternate alleles would land on one haplotype.

    Warns
    -----
    PhaseUnknownWarning
        If two or more unphased heterozygous calls were combined in GT order.
    """
    positions = np.arange(reference.start, reference.start + len(reference.sequence))
    if calls is None:
        return [Haplotype("reference", reference.sequence, positions, ())]

    haplotypes = [_apply(reference, calls.variants, index, f"hap{index + 1}") for index in range(calls.ploidy)]
    unphased = [v for v in calls.variants if v.heterozygous and not v.phased]
    if len(unphased) > 1:
        warnings.warn(
            f"{len(unphased)} unphased heterozygous variants in {reference.region} were "
            "combined in GT order; phase the VCF to know which guides share a haplotype",
            PhaseUnknownWarning,
            stacklevel=2,
        )
    return haplotypes


def _apply(reference: ReferenceRegion, variants: list[Variant], haplotype: int, name: str) -> Haplotype:
    pieces: list[str] = []
    coordinates: list[np.ndarray] = []
    applied: list[Variant] = []
    cursor = reference.start
    for variant in variants:
        alt = variant.allele_on(haplotype)
        if alt is None:
            continue
        _check_no_overlap(applied, variant, name)
        pieces.append(_slice(reference, cursor, variant.pos))
        coordinates.append(np.arange(cursor, variant.pos))
        pieces.append(alt)
        coordinates.append(_alt_coordinates(variant, alt))
        cursor = variant.end + 1
        applied.append(variant)
    end = reference.start + len(reference.sequence)
    pieces.append(_slice(reference, cursor, end))
    coordinates.append(np.arange(cursor, end))
    return Haplotype(name, "".join(pieces), np.concatenate(coordinates), tuple(v.name for v in applied))


def _check_no_overlap(applied: list[Variant], variant: Variant, haplotype: str) -> None:
    if not applied or applied[-1].end < variant.pos:
        return
    previous = applied[-1]
    unphased = [v.name for v in (previous, variant) if v.heterozygous and not v.phased]
    reason = (
        f"{' and '.join(unphased)} unphased, so they cannot be phased; phase the VCF"
        if unphased
        else "they cannot both be applied; merge them into one record"
    )
    raise VariantError(
        f"variants {previous.name} ({previous.contig}:{previous.pos}-{previous.end}) and "
        f"{variant.name} ({variant.contig}:{variant.pos}-{variant.end}) overlap on {haplotype} "
        f"with {reason}"
    )


def _slice(reference: ReferenceRegion, start: int, stop: int) -> str:
    return reference.sequence[start - reference.start : stop - reference.start]


def _alt_coordinates(variant: Variant, alt: str) -> np.ndarray:
    """Map ALT bases to REF coordinates; bases past the REF length are insertions."""
    offsets = np.minimum(np.arange(len(alt)), len(variant.ref) - 1)
    return variant.pos + offsets
