"""Builders shared by the chain and API tests."""

from __future__ import annotations

import os

from eth_account.signers.local import LocalAccount

from ledger.client import LedgerClient
from ledger.eip712 import Domain, access_request_message, grant_consent_message, revoke_consent_message, sign_typed_data
from ledger.records import AccessRecord, AccessRequest, ConsentTerms, GranteeKind

HMB = "DUO:0000006"
GRU = "DUO:0000042"
ZERO_ADDRESS = "0x" + "00" * 20


def any_accredited_terms(
    ledger: LedgerClient, *, data_class: str = "genomic", purposes: tuple[str, ...] = (HMB,), lifetime_s: int = 3600
) -> ConsentTerms:
    now = ledger.chain_time()
    return ConsentTerms(GranteeKind.ANY_ACCREDITED, ZERO_ADDRESS, data_class, purposes, now - 1, now + lifetime_s)


def sign_grant(
    signer: LocalAccount, domain: Domain, terms: ConsentTerms, nonce: int, deadline: int, *, patient: str | None = None
) -> bytes:
    """Sign a grant with ``signer``'s key; ``patient`` defaults to the signer (an EOA patient)."""
    typed_data = grant_consent_message(
        domain,
        patient=patient or signer.address,
        grantee_kind=int(terms.grantee_kind),
        grantee=terms.grantee,
        data_class=terms.data_class,
        purposes=list(terms.purposes),
        valid_from=terms.valid_from,
        valid_until=terms.valid_until,
        nonce=nonce,
        deadline=deadline,
    )
    return bytes.fromhex(sign_typed_data(signer.key, typed_data)[2:])


def sign_revoke(patient: LocalAccount, domain: Domain, consent_id: int, nonce: int, deadline: int) -> bytes:
    typed_data = revoke_consent_message(domain, consent_id=consent_id, nonce=nonce, deadline=deadline)
    return bytes.fromhex(sign_typed_data(patient.key, typed_data)[2:])


def signed_request(
    ledger: LedgerClient,
    researcher: LocalAccount,
    patient: str,
    *,
    data_class: str = "genomic",
    purpose: str = HMB,
    deadline: int | None = None,
    domain: Domain | None = None,
) -> tuple[AccessRequest, bytes]:
    request = AccessRequest(
        patient, researcher.address, data_class, purpose, os.urandom(32), deadline or ledger.chain_time() + 600
    )
    typed_data = access_request_message(
        domain or ledger.access_domain(),
        patient=patient,
        researcher=request.researcher,
        data_class=data_class,
        purpose=purpose,
        request_hash=request.request_hash,
        deadline=request.deadline,
    )
    return request, bytes.fromhex(sign_typed_data(researcher.key, typed_data)[2:])


def record(
    ledger: LedgerClient, custodian: LocalAccount, researcher: LocalAccount, patient: str, **options: object
) -> AccessRecord:
    request, signature = signed_request(ledger, researcher, patient, **options)  # type: ignore[arg-type]
    return ledger.record_access(custodian, request, signature)
