"""``consent-ledger custodian``: the custodian's encrypted patient-data store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from api.enrolment import EnrolmentError, check_record
from api.store import CustodianStore, PatientRecord, StoreKeyError
from cli.common import console, fail, load_settings, parse_address

custodian_app = typer.Typer(help="Manage the custodian's encrypted patient-data store.", no_args_is_help=True)

_ZERO_ADDRESS = "0x" + "00" * 20
_FILE = {"exists": True, "dir_okay": False, "readable": True}


@custodian_app.command("enrol")
def enrol(
    patient: Annotated[str, typer.Option(help="The patient's account address (EIP-55 checksummed or all lowercase).")],
    fasta: Annotated[
        Path | None, typer.Option(help="Reference FASTA of the patient's region (genomic data).", **_FILE)
    ] = None,
    vcf: Annotated[Path | None, typer.Option(help="VCF of the patient's variants against the FASTA.", **_FILE)] = None,
    clinical: Annotated[
        Path | None, typer.Option(help="JSON object of clinical parameters (body_weight_kg, ...).", **_FILE)
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace the patient's existing record.")] = False,
) -> None:
    """Check a patient's data with the simulations' parsers, then store it encrypted."""
    address = _patient_address(patient)
    record = PatientRecord(
        reference_fasta=_read_text(fasta),
        variants_vcf=_read_text(vcf),
        clinical=_read_clinical(clinical) if clinical else None,
    )
    try:
        check_record(record, fasta_path=fasta, vcf_path=vcf)
    except EnrolmentError as exc:
        fail(str(exc))
    store = _open_store()
    if store.has(address) and not replace:
        fail(f"patient {address} is already enrolled; pass --replace to replace their record")
    store.put(address, record)
    held = [name for name in ("genomic", "clinical") if record.has(name)]
    console.print(f"patient {address} {'re-enrolled' if replace else 'enrolled'} with {' and '.join(held)} data")


@custodian_app.command("list")
def list_patients() -> None:
    """List the enrolled patients' addresses (no data is decrypted)."""
    for address in _open_store().patients():
        console.print(address)


@custodian_app.command("remove")
def remove(patient: Annotated[str, typer.Option(help="The patient's account address.")]) -> None:
    """Delete a patient's record from the store; their consents and audit trail stay on chain."""
    address = _patient_address(patient)
    if not _open_store().remove(address):
        fail(f"patient {address} is not enrolled")
    console.print(f"patient {address} removed")


def _patient_address(value: str) -> str:
    return parse_address(value, "patient", signer=True)


def _open_store() -> CustodianStore:
    settings = load_settings()
    try:
        return CustodianStore.open(
            settings.data_dir, settings.store_key.get_secret_value() if settings.store_key else None
        )
    except StoreKeyError as exc:
        fail(str(exc))


def _read_text(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{path} is not UTF-8 text")


def _read_clinical(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path} is not valid JSON: {exc}")
    if not isinstance(document, dict):
        fail(f"{path} must hold a JSON object of clinical parameters, not a {type(document).__name__}")
    return dict(document)
