"""CRISPR guide design on a patient's own genome.

The public entry point is :func:`design_guides_for_patient`. Every input
error raises a subclass of :class:`GenomicInputError` (a ``ValueError``).
This package never imports ``ledger`` or ``api``: consent checks happen
before it is called.
"""

from sim.genomic.errors import (
    ContigNotFoundError,
    GenomicInputError,
    GuideError,
    IndexFileError,
    NucleaseError,
    PhaseUnknownWarning,
    RegionError,
    SequenceError,
    VariantError,
)
from sim.genomic.nucleases import CAS12A, SACAS9, SPCAS9, Nuclease, get_nuclease
from sim.genomic.patient import design_guides_for_patient

__all__ = [
    "CAS12A",
    "SACAS9",
    "SPCAS9",
    "ContigNotFoundError",
    "GenomicInputError",
    "GuideError",
    "IndexFileError",
    "Nuclease",
    "NucleaseError",
    "PhaseUnknownWarning",
    "RegionError",
    "SequenceError",
    "VariantError",
    "design_guides_for_patient",
    "get_nuclease",
]
