"""Typed values exchanged with the contracts: consent terms, access requests, audit records."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any

from ledger.codes import encode_label


class GranteeKind(IntEnum):
    """Mirror of ``IConsentRegistry.GranteeKind``."""

    RESEARCHER = 0
    INSTITUTION = 1
    ANY_ACCREDITED = 2


class DenialReason(IntEnum):
    """Mirror of ``IAccessLedger.DenialReason``."""

    NONE = 0
    RESEARCHER_NOT_ACCREDITED = 1
    NO_CONSENT = 2


@dataclass(frozen=True)
class ConsentTerms:
    """Terms of a consent. Times are Unix seconds and the consent holds for valid_from <= t < valid_until."""

    grantee_kind: GranteeKind
    grantee: str
    data_class: str
    purposes: tuple[str, ...]
    valid_from: int
    valid_until: int

    def as_abi_tuple(self) -> tuple[Any, ...]:
        return (
            int(self.grantee_kind),
            self.grantee,
            encode_label(self.data_class),
            [encode_label(purpose) for purpose in self.purposes],
            self.valid_from,
            self.valid_until,
        )


@dataclass(frozen=True)
class AccessRequest:
    """A researcher's signed request as the access ledger checks it."""

    patient: str
    researcher: str
    data_class: str
    purpose: str
    request_hash: bytes
    deadline: int

    def as_abi_tuple(self) -> tuple[Any, ...]:
        return (
            self.patient,
            self.researcher,
            encode_label(self.data_class),
            encode_label(self.purpose),
            self.request_hash,
            self.deadline,
        )


@dataclass(frozen=True)
class AuditReceipt:
    """Location of an access record on chain, which anyone with chain access can check."""

    chain_id: int
    contract: str
    transaction_hash: str
    block_number: int
    block_hash: str
    log_index: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AccessRecord:
    """One ``AccessGranted`` or ``AccessDenied`` event, decoded."""

    granted: bool
    patient: str
    researcher: str
    request_hash: str
    data_class: str
    purpose: str
    consent_id: int
    reason: DenialReason
    custodian: str
    receipt: AuditReceipt

    @property
    def outcome(self) -> str:
        return "granted" if self.granted else "denied"

    def as_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["reason"] = self.reason.name.lower()
        document["outcome"] = self.outcome
        return document


@dataclass(frozen=True)
class ConsentRecord:
    """A consent as stored on chain."""

    consent_id: int
    patient: str
    active: bool
    terms: ConsentTerms
