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


def check_record(record: PatientRecord, *, fasta_path: Path | None = None, vcf_path: Path | None = None) -> None:
    """Raise EnrolmentError unless every part of ``record`` parses as the simulations need it.

    ``fasta_path`` and ``vcf_path`` are the files the record was read from. When they are given,
    the parsers read them directly, so their messages name the user's files, not temporary copies.
    """
    vcf_name = str(vcf_path or "the VCF")
    if record.variants_vcf is not None and record.reference_fasta is None:
        raise EnrolmentError(f"{vcf_name} needs the reference FASTA it was called against; add --fasta")
    if record.reference_fasta is None and record.clinical is None:
        raise EnrolmentError("a record needs genomic data (a FASTA), clinical data, or both")
    if record.reference_fasta is not None:
        if fasta_path is not None:
            _check_genomic_files(fasta_path, vcf_path)
        else:
            _check_genomic(record.reference_fasta, record.variants_vcf)
    if record.clinical is not None:
        _check_clinical(record.clinical)


def _check_genomic(fasta: str, vcf: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="enrol-") as folder:
        reference = Path(folder) / "reference.fa"
        reference.write_text(fasta, encoding="utf-8")
        variants = None
        if vcf is not None:
            variants = Path(folder) / "variants.vcf"
            variants.write_text(vcf, encoding="utf-8")
        _check_genomic_files(reference, variants)


def _check_genomic_files(reference: Path, variants: Path | None) -> None:
    try:
        design_guides_for_patient(reference, variants)
    except GenomicInputError as exc:
        files = f"{reference} with {variants}" if variants else str(reference)
        raise EnrolmentError(f"{files} is not usable for guide design: {exc}") from exc


def _check_clinical(clinical: Any) -> None:
    try:
        parse_clinical(clinical)
    except PbpkInputError as exc:
        raise EnrolmentError(f"clinical record is not usable for the PBPK simulation: {exc}") from exc
