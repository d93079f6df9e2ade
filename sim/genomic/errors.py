"""Exceptions and warnings of :mod:`sim.genomic`.

Every input problem raises a subclass of :class:`GenomicInputError`, itself a
:class:`ValueError`, whose message names the offending value and the fix.

- :class:`GenomicInputError`: the root; catch it to handle any bad input.
- :class:`SequenceError`: a FASTA or 2bit file, or a sequence, is unreadable
  or contains a character outside the IUPAC nucleotide alphabet.
- :class:`RegionError`: a region string is malformed or lies outside its
  contig.
- :class:`ContigNotFoundError`: a contig name is absent from the reference.
- :class:`VariantError`: a VCF record does not fit the reference (REF
  mismatch, unsupported allele, overlap that cannot be phased).
- :class:`NucleaseError`: a nuclease name is not supported.
- :class:`GuideError`: a guide, target or context sequence is malformed, or
  a requested guide is not in the design.
- :class:`IndexFileError`: an off-target index file is missing, corrupt or
  built for another genome.
- :class:`PhaseUnknownWarning`: heterozygous variants were combined in an
  assumed phase.
"""

__all__ = [
    "ContigNotFoundError",
    "GenomicInputError",
    "GuideError",
    "IndexFileError",
    "NucleaseError",
    "PhaseUnknownWarning",
    "RegionError",
    "SequenceError",
    "VariantError",
]


class GenomicInputError(ValueError):
    """Invalid input to a genomic simulation."""


class SequenceError(GenomicInputError):
    """Unreadable sequence file or invalid sequence character."""


class RegionError(GenomicInputError):
    """Malformed region, or a region outside its contig."""


class ContigNotFoundError(GenomicInputError):
    """Contig name absent from the reference."""


class VariantError(GenomicInputError):
    """VCF record inconsistent with the reference or impossible to apply."""


class NucleaseError(GenomicInputError):
    """Unsupported nuclease name."""


class GuideError(GenomicInputError):
    """Malformed guide, target or context sequence, or unknown guide."""


class IndexFileError(GenomicInputError):
    """Missing, corrupt or mismatched off-target index file."""


class PhaseUnknownWarning(UserWarning):
    """Heterozygous variants were placed on haplotypes in an assumed phase."""
