"""Checks a patient's data before the custodian stores it.

A record that the simulations would reject must be caught here: after enrolment the first
sign of trouble would be a granted access on chain followed by no result. The checks run the
simulations' own parsers, so they accept exactly what the simulations accept.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from api.store import PatientRecord
from sim.genomic import GenomicInputError, design_guides_for_patient
from sim.nanotherapy import PbpkInputError
from sim.nanotherapy.clinical import parse_clinical


class EnrolmentError(ValueError):
    """The patient's data would not work in the simulations; the message names the file and the fault."""


def check_record(record: PatientRecord, *, fasta_name: str = "FASTA", vcf_name: str = "VCF") -> None:
    """Raise EnrolmentError unless every part of ``record`` parses as the simulations need it."""
    if record.variants_vcf is not None and record.reference_fasta is None:
        raise EnrolmentError(f"{vcf_name} needs the reference FASTA it was called against")
    if record.reference_fasta is None and record.clinical is None:
        raise EnrolmentError("a record needs genomic data (a FASTA), clinical data, or both")
    if record.reference_fasta is not None:
        _check_genomic(record.reference_fasta, record.variants_vcf, fasta_name, vcf_name)
    if record.clinical is not None:
        _check_clinical(record.clinical)


def _check_genomic(fasta: str, vcf: str | None, fasta_name: str, vcf_name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="enrol-") as folder:
        reference = Path(folder) / "reference.fa"
        reference.write_text(fasta, encoding="utf-8")
        variants = None
        if vcf is not None:
            variants = Path(folder) / "variants.vcf"
            variants.write_text(vcf, encoding="utf-8")
        try:
            design_guides_for_patient(reference, variants)
        except GenomicInputError as exc:
            raise EnrolmentError(f"{fasta_name} or {vcf_name} is not usable for guide design: {exc}") from exc


def _check_clinical(clinical: Any) -> None:
    try:
        parse_clinical(clinical)
    except PbpkInputError as exc:
        raise EnrolmentError(f"clinical record is not usable for the PBPK simulation: {exc}") from exc
