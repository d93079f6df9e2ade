"""EIP-712 typed data for the signatures the contracts accept, and signing helpers.

The type strings here must match the contracts' ``*_TYPEHASH`` constants; a test signs each
message in Python and has the contract verify it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError
from hexbytes import HexBytes

from ledger.codes import encode_label

_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

GRANT_CONSENT_TYPE = [
    {"name": "patient", "type": "address"},
    {"name": "granteeKind", "type": "uint8"},
    {"name": "grantee", "type": "address"},
    {"name": "dataClass", "type": "bytes32"},
    {"name": "purposes", "type": "bytes32[]"},
    {"name": "validFrom", "type": "uint64"},
    {"name": "validUntil", "type": "uint64"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]

REVOKE_CONSENT_TYPE = [
    {"name": "consentId", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]

ACCESS_REQUEST_TYPE = [
    {"name": "patient", "type": "address"},
    {"name": "researcher", "type": "address"},
    {"name": "dataClass", "type": "bytes32"},
    {"name": "purpose", "type": "bytes32"},
    {"name": "requestHash", "type": "bytes32"},
    {"name": "deadline", "type": "uint256"},
]


@dataclass(frozen=True)
class Domain:
    """An EIP-712 domain: one contract on one chain."""

    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


def grant_consent_message(
    domain: Domain,
    *,
    patient: str,
    grantee_kind: int,
    grantee: str,
    data_class: str,
    purposes: list[str],
    valid_from: int,
    valid_until: int,
    nonce: int,
    deadline: int,
) -> dict[str, Any]:
    """Build the ``GrantConsent`` typed data a patient signs (JSON-ready: bytes as 0x hex)."""
    message = {
        "patient": patient,
        "granteeKind": grantee_kind,
        "grantee": grantee,
        "dataClass": _hex(encode_label(data_class)),
        "purposes": [_hex(encode_label(purpose)) for purpose in purposes],
        "validFrom": valid_from,
        "validUntil": valid_until,
        "nonce": nonce,
        "deadline": deadline,
    }
    return _typed_data(domain, "GrantConsent", GRANT_CONSENT_TYPE, message)


def revoke_consent_message(domain: Domain, *, consent_id: int, nonce: int, deadline: int) -> dict[str, Any]:
    """Build the ``RevokeConsent`` typed data a patient signs."""
    message = {"consentId": consent_id, "nonce": nonce, "deadline": deadline}
    return _typed_data(domain, "RevokeConsent", REVOKE_CONSENT_TYPE, message)


def access_request_message(
    domain: Domain,
    *,
    patient: str,
    researcher: str,
    data_class: str,
    purpose: str,
    request_hash: bytes,
    deadline: int,
) -> dict[str, Any]:
    """Build the ``AccessRequest`` typed data a researcher signs."""
    message = {
        "patient": patient,
        "researcher": researcher,
        "dataClass": _hex(encode_label(data_class)),
        "purpose": _hex(encode_label(purpose)),
        "requestHash": _hex(request_hash),
        "deadline": deadline,
    }
    return _typed_data(domain, "AccessRequest", ACCESS_REQUEST_TYPE, message)


def sign_typed_data(private_key: str | bytes, typed_data: dict[str, Any]) -> str:
    """Sign typed data with a local key and return the 65-byte signature as 0x hex."""
    signed = Account.sign_message(encode_typed_data(full_message=typed_data), private_key)
    return HexBytes(signed.signature).to_0x_hex()


def recover_signer(typed_data: dict[str, Any], signature: str | bytes) -> str | None:
    """Return the address that produced an ECDSA ``signature`` over ``typed_data``, or None if it is malformed.

    A signature with an invalid r, s or v (all zeros, v outside 27/28, s in the upper half) recovers no
    address, which callers treat like a signature by the wrong key.
    """
    try:
        return str(Account.recover_message(encode_typed_data(full_message=typed_data), signature=signature))
    except (BadSignature, ValidationError, ValueError):
        return None


def _typed_data(domain: Domain, primary: str, fields: list[dict[str, str]], message: dict[str, Any]) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": _DOMAIN_TYPE, primary: fields},
        "primaryType": primary,
        "domain": domain.as_dict(),
        "message": message,
    }


def _hex(value: bytes) -> str:
    return "0x" + value.hex()
