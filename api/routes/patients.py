"""Patient endpoints: the EIP-712 payloads to sign, and relaying signed grants and revocations."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from api.deadlines import check_signed_deadline, new_deadline
from api.deps import ServicesDep
from api.problems import ApiProblem
from api.schemas import (
    Address,
    ChainReceiptOut,
    ConsentOut,
    ConsentTermsIn,
    DataClass,
    GrantPayloadIn,
    RevokePayloadIn,
    SignedGrantIn,
    SignedRevokeIn,
    TypedDataOut,
)
from api.services import Services
from ledger.eip712 import grant_consent_message, revoke_consent_message
from ledger.records import ConsentTerms, GranteeKind

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/patients", tags=["patients"])

_ZERO_ADDRESS = "0x" + "00" * 20


@router.post("/consents/grant-payload", response_model=TypedDataOut)
def create_grant_payload(body: GrantPayloadIn, services: ServicesDep) -> TypedDataOut:
    """Return the ``GrantConsent`` typed data for the patient's wallet to sign."""
    # The latest block's time, not the clock: a consent must be in force in the very next block,
    # and a node's clock may run a little behind this machine's.
    valid_from = body.valid_from if body.valid_from is not None else services.ledger.chain_time()
    terms = _terms(body, valid_from)
    _check_terms(services, terms, services.ledger.now())
    nonce = services.ledger.consent_nonce(body.patient)
    deadline = new_deadline(services, body.deadline)
    typed_data = grant_consent_message(
        services.ledger.consent_domain(),
        patient=body.patient,
        grantee_kind=int(terms.grantee_kind),
        grantee=terms.grantee,
        data_class=terms.data_class,
        purposes=list(terms.purposes),
        valid_from=terms.valid_from,
        valid_until=terms.valid_until,
        nonce=nonce,
        deadline=deadline,
    )
    return TypedDataOut(typed_data=typed_data, nonce=nonce, deadline=deadline)


@router.post("/consents/grant", response_model=ConsentOut, status_code=status.HTTP_201_CREATED)
def relay_grant(body: SignedGrantIn, services: ServicesDep) -> ConsentOut:
    """Relay a signed grant from the custodian's account, so the patient needs no funds."""
    terms = _terms(body, body.valid_from)
    _check_terms(services, terms, services.ledger.now())
    check_signed_deadline(services, body.deadline)
    consent_id, receipt = services.ledger.grant_consent_by_signature(
        services.custodian, body.patient, terms, body.nonce, body.deadline, bytes.fromhex(body.signature[2:])
    )
    logger.info("consent granted id=%d tx=%s", consent_id, receipt["transactionHash"].to_0x_hex())
    return ConsentOut(consent_id=consent_id, receipt=_chain_receipt(services, receipt))


@router.post("/consents/revoke-payload", response_model=TypedDataOut)
def create_revoke_payload(body: RevokePayloadIn, services: ServicesDep) -> TypedDataOut:
    """Return the ``RevokeConsent`` typed data for the consent's patient to sign."""
    consent = services.ledger.get_consent(body.consent_id)
    if not consent.active:
        raise ApiProblem(
            409,
            "Consent already revoked",
            f"consent {body.consent_id} is already revoked; nothing to do",
            slug="consent-revoked",
        )
    nonce = services.ledger.consent_nonce(consent.patient)
    deadline = new_deadline(services, body.deadline)
    typed_data = revoke_consent_message(
        services.ledger.consent_domain(), consent_id=body.consent_id, nonce=nonce, deadline=deadline
    )
    return TypedDataOut(typed_data=typed_data, nonce=nonce, deadline=deadline)


@router.post("/consents/revoke", response_model=ConsentOut)
def relay_revoke(body: SignedRevokeIn, services: ServicesDep) -> ConsentOut:
    """Relay a signed revocation; requests recorded after it are denied."""
    check_signed_deadline(services, body.deadline)
    receipt = services.ledger.revoke_consent_by_signature(
        services.custodian, body.consent_id, body.nonce, body.deadline, bytes.fromhex(body.signature[2:])
    )
    logger.info("consent revoked id=%d tx=%s", body.consent_id, receipt["transactionHash"].to_0x_hex())
    return ConsentOut(consent_id=body.consent_id, receipt=_chain_receipt(services, receipt))


@router.get("/{patient}/consents")
def read_live_consents(
    services: ServicesDep,
    patient: Annotated[Address, Path(description="The patient's account address.")],
    data_class: DataClass = "genomic",
) -> dict[str, Any]:
    """List the patient's consents for a data class that have not been revoked."""
    consents = []
    for record in services.ledger.live_consents(patient, data_class):
        consents.append(
            {
                "consent_id": record.consent_id,
                "grantee_kind": record.terms.grantee_kind.name.lower(),
                "grantee": record.terms.grantee,
                "purposes": list(record.terms.purposes),
                "valid_from": record.terms.valid_from,
                "valid_until": record.terms.valid_until,
            }
        )
    return {"patient": patient, "data_class": data_class, "consents": consents}


def _check_terms(services: Services, terms: ConsentTerms, now: int) -> None:
    """Reject terms the contract would accept but that cannot work, before the patient signs them."""
    if terms.valid_until <= now:
        raise ApiProblem(
            422,
            "Invalid consent terms",
            f"valid_until {terms.valid_until} is not after the current time {now}; choose a later expiry",
            slug="invalid-terms",
        )
    if terms.valid_from >= terms.valid_until:
        raise ApiProblem(
            422,
            "Invalid consent terms",
            f"valid_from {terms.valid_from} must be earlier than valid_until {terms.valid_until}",
            slug="invalid-terms",
        )
    if terms.grantee_kind is GranteeKind.INSTITUTION and not services.ledger.is_institution(terms.grantee):
        raise ApiProblem(
            422,
            "Invalid consent terms",
            f"grantee {terms.grantee} is not a member institution of the consortium; "
            "use grantee_kind researcher for a single researcher",
            slug="invalid-terms",
        )


def _terms(body: ConsentTermsIn, valid_from: int) -> ConsentTerms:
    return ConsentTerms(
        grantee_kind=GranteeKind[body.grantee_kind.upper()],
        grantee=body.grantee or _ZERO_ADDRESS,
        data_class=body.data_class,
        purposes=tuple(body.purposes),
        valid_from=valid_from,
        valid_until=body.valid_until,
    )


def _chain_receipt(services: Services, receipt: Any) -> ChainReceiptOut:
    return ChainReceiptOut(**services.ledger.consent_receipt(receipt).as_dict())
