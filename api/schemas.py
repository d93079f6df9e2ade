"""Request and response bodies of the API, validated by pydantic."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ledger.codes import DUO_PURPOSES, normalise_purpose

_HEX = re.compile(r"^0x[0-9a-fA-F]*$")
_MAX_UINT64 = 2**64 - 1
_MAX_UINT256 = 2**256 - 1
# Block numbers and log indexes fit in a signed 64-bit integer on every JSON-RPC node.
_MAX_BLOCK = 2**63 - 1


def _address(value: str) -> str:
    if not value.startswith("0x") or not is_hex_address(value):
        raise ValueError(f"{value!r} is not an Ethereum address; expected 0x followed by 40 hex digits")
    if value != value.lower() and not is_checksum_address(value):
        raise ValueError(f"{value!r} has an invalid EIP-55 checksum; copy the address again or send it in lowercase")
    return str(to_checksum_address(value))


def _account(value: str) -> str:
    if int(value, 16) == 0:
        raise ValueError("the zero address cannot sign; use the account's own address")
    return value


def _signature(value: str) -> str:
    if not _HEX.match(value) or len(value) != 132:
        raise ValueError("signature must be 65 bytes as 0x-prefixed hex (132 characters)")
    return value.lower()


def _bytes32(value: str) -> str:
    if not _HEX.match(value) or len(value) != 66:
        raise ValueError("value must be 32 bytes as 0x-prefixed hex (66 characters)")
    return value.lower()


def _purpose(value: str) -> str:
    return normalise_purpose(value)


Address = Annotated[str, AfterValidator(_address)]
# An address that must belong to someone who signs: a patient or a researcher.
Account = Annotated[str, AfterValidator(_address), AfterValidator(_account)]
Signature = Annotated[str, AfterValidator(_signature)]
Bytes32 = Annotated[str, AfterValidator(_bytes32)]
Purpose = Annotated[str, Field(examples=["HMB", "DUO:0000006"]), AfterValidator(_purpose)]
UnixTime = Annotated[int, Field(strict=True, ge=0, le=_MAX_UINT64, description="Unix time in seconds")]
DataClass = Literal["genomic", "clinical"]
GranteeKindName = Literal["researcher", "institution", "any_accredited"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ConsentTermsIn(StrictModel):
    """The consent a patient grants. Purposes are DUO permission terms (abbreviation or CURIE)."""

    patient: Account
    grantee_kind: GranteeKindName
    grantee: Address | None = Field(
        default=None, description="Researcher or institution account; omit for any_accredited."
    )
    data_class: DataClass
    purposes: list[Purpose] = Field(min_length=1, max_length=8)
    valid_from: UnixTime | None = Field(default=None, description="Defaults to the latest block's time.")
    valid_until: UnixTime

    @model_validator(mode="after")
    def _check_grantee(self) -> ConsentTermsIn:
        if self.grantee_kind == "any_accredited" and self.grantee is not None:
            raise ValueError("grantee must be omitted when grantee_kind is any_accredited")
        if self.grantee_kind != "any_accredited" and self.grantee is None:
            raise ValueError(f"grantee is required when grantee_kind is {self.grantee_kind}")
        if self.grantee is not None and int(self.grantee, 16) == 0:
            raise ValueError("grantee must not be the zero address; use grantee_kind any_accredited for everyone")
        if self.valid_from is not None and self.valid_from >= self.valid_until:
            raise ValueError(f"valid_from {self.valid_from} must be earlier than valid_until {self.valid_until}")
        repeated = sorted({purpose for purpose in self.purposes if self.purposes.count(purpose) > 1})
        if repeated:
            raise ValueError(f"purposes lists {', '.join(repeated)} more than once; name each purpose once")
        return self


class GrantPayloadIn(ConsentTermsIn):
    deadline: UnixTime | None = Field(
        default=None, description="Signature deadline; defaults to now + the request TTL."
    )


class SignedGrantIn(ConsentTermsIn):
    valid_from: UnixTime
    nonce: int = Field(ge=0, le=_MAX_UINT256)
    deadline: UnixTime
    signature: Signature


class RevokePayloadIn(StrictModel):
    consent_id: int = Field(ge=1, le=_MAX_UINT256)
    deadline: UnixTime | None = None


class SignedRevokeIn(StrictModel):
    consent_id: int = Field(ge=1, le=_MAX_UINT256)
    nonce: int = Field(ge=0, le=_MAX_UINT256)
    deadline: UnixTime
    signature: Signature


class TypedDataOut(BaseModel):
    """EIP-712 typed data to sign with ``eth_signTypedData_v4``, and the values to send back."""

    typed_data: dict[str, Any]
    nonce: int | None = None
    deadline: int
    request_hash: str | None = None
    salt: str | None = None


class ChainReceiptOut(BaseModel):
    """Location of a grant or revocation event on chain, which /audit/receipts/verify checks."""

    chain_id: int
    contract: str
    transaction_hash: str
    block_number: int
    block_hash: str
    log_index: int


class ConsentOut(BaseModel):
    consent_id: int
    receipt: ChainReceiptOut


class GuideParameters(StrictModel):
    nuclease: Literal["SpCas9", "SaCas9", "Cas12a"] = "SpCas9"
    max_guides: int = Field(
        default=20, ge=1, le=50, description="Guides returned, best first; the rest stay with the custodian."
    )


class PbpkParameters(StrictModel):
    formulation: str | None = Field(
        default=None, max_length=120, description="Preset name; the model's default when omitted."
    )
    dose_mg_per_kg: float | None = Field(default=None, gt=0, le=1_000, allow_inf_nan=False)
    # The simulation's own limit: 12 weeks, by when the slowest RES release is complete.
    hours: float = Field(default=168.0, gt=0, le=2_016, allow_inf_nan=False)


class ResearchRequestBase(StrictModel):
    patient: Account
    researcher: Account
    purpose: Purpose
    salt: Bytes32 | None = Field(default=None, description="32 random bytes; generated when omitted.")
    deadline: UnixTime | None = None


class GuideRequestPayloadIn(ResearchRequestBase):
    parameters: GuideParameters = Field(default_factory=GuideParameters)


class PbpkRequestPayloadIn(ResearchRequestBase):
    parameters: PbpkParameters = Field(default_factory=PbpkParameters)


class SignedGuideRequestIn(GuideRequestPayloadIn):
    salt: Bytes32
    deadline: UnixTime
    signature: Signature


class SignedPbpkRequestIn(PbpkRequestPayloadIn):
    salt: Bytes32
    deadline: UnixTime
    signature: Signature


class AuditReceiptIn(StrictModel):
    chain_id: int = Field(ge=1, le=_MAX_UINT256)
    contract: Address
    transaction_hash: Bytes32
    block_number: int = Field(ge=0, le=_MAX_BLOCK)
    block_hash: Bytes32
    log_index: int = Field(ge=0, le=_MAX_BLOCK)


class ResearchResultOut(BaseModel):
    outcome: Literal["granted"]
    result: dict[str, Any]
    receipt: dict[str, Any]
    record: dict[str, Any]


class AccessRecordsOut(BaseModel):
    patient: str
    count: int
    records: list[dict[str, Any]]


def purposes_help() -> str:
    return ", ".join(f"{code} = {curie}" for code, curie in DUO_PURPOSES.items())
