"""The custodian's patient-data store: encrypted at rest, outside the chain.

Each patient's record (reference FASTA and VCF of their variants for genomic data, clinical
parameters for clinical data) is one Fernet token (AES-128-CBC with HMAC-SHA256) in
``custodian/patients/<address>.bin``. Files are written to a temporary name and renamed, so a
crash never leaves a half-written record.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from eth_utils import is_address, to_checksum_address


class PatientNotFoundError(LookupError):
    """The custodian has no record, or no data of the requested class, for this patient."""

    def __init__(self, patient: str, data_class: str | None = None) -> None:
        super().__init__(patient, data_class)
        self.patient = patient
        self.data_class = data_class


class StoreCorruptedError(RuntimeError):
    """A record could not be decrypted with the configured key."""


class StoreKeyError(ValueError):
    """The configured store key is not a Fernet key."""


@dataclass(frozen=True)
class PatientRecord:
    """One patient's data as the custodian stores it; it never leaves the custodian.

    Genomic data is the reference FASTA with an optional VCF; clinical data is the mapping of
    clinical parameters. A record has at least one of the two.
    """

    reference_fasta: str | None
    variants_vcf: str | None
    clinical: dict[str, Any] | None

    def has(self, data_class: str) -> bool:
        if data_class == "genomic":
            return self.reference_fasta is not None
        if data_class == "clinical":
            return self.clinical is not None
        return False


@dataclass(frozen=True)
class PatientFiles:
    """A patient's genomic data written to a private temporary folder for a simulation."""

    reference_fasta: Path
    variants_vcf: Path | None


class CustodianStore:
    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise StoreKeyError(
                "CONSENT_LEDGER_STORE_KEY is not a Fernet key (32 url-safe base64-encoded bytes); "
                "generate one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`"
            ) from exc

    @classmethod
    def open(cls, data_dir: Path, key: str | None) -> CustodianStore:
        """Open the store; without a key (development), create and keep one beside the data."""
        directory = data_dir / "custodian"
        directory.mkdir(parents=True, exist_ok=True)
        return cls(directory / "patients", key.encode() if key else _development_key(directory))

    def put(self, patient: str, record: PatientRecord) -> None:
        document = {
            "reference_fasta": record.reference_fasta,
            "variants_vcf": record.variants_vcf,
            "clinical": record.clinical,
        }
        token = self._fernet.encrypt(json.dumps(document).encode("utf-8"))
        self.directory.mkdir(parents=True, exist_ok=True)
        _write_atomically(self._path(patient), token)

    def has(self, patient: str, data_class: str | None = None) -> bool:
        """Return whether the store has a record for ``patient``, with data of ``data_class`` if given."""
        if not self._path(patient).is_file():
            return False
        return data_class is None or self.get(patient).has(data_class)

    def get(self, patient: str) -> PatientRecord:
        path = self._path(patient)
        if not path.is_file():
            raise PatientNotFoundError(patient)
        try:
            document = json.loads(self._fernet.decrypt(path.read_bytes()))
        except InvalidToken as exc:
            raise StoreCorruptedError(f"record {path.name} does not decrypt with the configured store key") from exc
        return PatientRecord(document["reference_fasta"], document["variants_vcf"], document["clinical"])

    def patients(self) -> list[str]:
        """Return the enrolled patients' addresses, sorted."""
        if not self.directory.is_dir():
            return []
        return sorted(path.stem for path in self.directory.glob("*.bin"))

    def remove(self, patient: str) -> bool:
        """Delete a patient's record; False if there was none."""
        path = self._path(patient)
        if not path.is_file():
            return False
        path.unlink()
        return True

    @contextmanager
    def materialise(self, patient: str) -> Iterator[PatientFiles]:
        """Write the decrypted genomic data to a private temporary folder, removed on exit."""
        record = self.get(patient)
        if record.reference_fasta is None:
            raise PatientNotFoundError(patient, "genomic")
        with tempfile.TemporaryDirectory(prefix="custodian-") as folder:
            reference = Path(folder) / "reference.fa"
            reference.write_text(record.reference_fasta, encoding="utf-8")
            variants = None
            if record.variants_vcf is not None:
                variants = Path(folder) / "variants.vcf"
                variants.write_text(record.variants_vcf, encoding="utf-8")
            yield PatientFiles(reference, variants)

    def _path(self, patient: str) -> Path:
        if not is_address(patient):
            raise ValueError(f"patient {patient!r} is not an Ethereum address")
        return self.directory / f"{to_checksum_address(patient)}.bin"


def _development_key(directory: Path) -> bytes:
    path = directory / "store.key"
    if not path.is_file():
        _write_atomically(path, Fernet.generate_key())
        path.chmod(0o600)
    return path.read_bytes()


def _write_atomically(path: Path, payload: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(payload)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
