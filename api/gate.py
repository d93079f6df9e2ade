"""The one place where consent meets computation.

A research request is checked and recorded by the access ledger before any patient data is
decrypted. Denied requests raise a 403 problem that carries the audit receipt; granted ones
return the decoded access record, whose receipt travels with the result.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from eth_utils import keccak
from web3 import Web3

from api.deadlines import check_signed_deadline, new_deadline
from api.problems import ApiProblem
from api.schemas import ResearchRequestBase, TypedDataOut
from api.services import Services
from api.store import PatientNotFoundError
from ledger.eip712 import access_request_message, recover_signer
from ledger.records import AccessRecord, AccessRequest, DenialReason

logger = logging.getLogger(__name__)

SIMULATION_DATA_CLASS = {"crispr-guides": "genomic", "nanotherapy-pbpk": "clinical"}

_DENIAL_HINT = {
    DenialReason.NO_CONSENT: "the patient has no consent in force that covers this data class and purpose "
    "for this researcher; the patient must grant one first",
    DenialReason.RESEARCHER_NOT_ACCREDITED: "the researcher is not accredited by a member institution; "
    "the institution must accredit (or re-accredit) them first",
}


def request_hash(simulation: str, request: ResearchRequestBase, salt: str, deadline: int) -> bytes:
    """Hash the request canonically: keccak256 of its sorted, compact JSON.

    The hash commits to every parameter and a random salt, so it reveals nothing on chain and
    a researcher can recompute it to prove which request a record belongs to.
    """
    document = {
        "simulation": simulation,
        "patient": request.patient,
        "researcher": request.researcher,
        "dataClass": SIMULATION_DATA_CLASS[simulation],
        "purpose": request.purpose,
        "parameters": _parameters(request),
        "salt": salt,
        "deadline": deadline,
    }
    return keccak(json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def prepare(services: Services, simulation: str, request: ResearchRequestBase) -> TypedDataOut:
    """Return the EIP-712 ``AccessRequest`` the researcher signs, with its salt and deadline."""
    salt = request.salt or "0x" + secrets.token_hex(32)
    deadline = new_deadline(services, request.deadline)
    digest = request_hash(simulation, request, salt, deadline)
    typed_data = _typed_data(services, simulation, request, digest, deadline)
    return TypedDataOut(typed_data=typed_data, deadline=deadline, request_hash="0x" + digest.hex(), salt=salt)


def authorise(services: Services, simulation: str, request: ResearchRequestBase, signature: str) -> AccessRecord:
    """Verify, record and check a signed request; raise a 403 problem when the ledger denies it."""
    assert request.salt is not None and request.deadline is not None
    check_signed_deadline(services, request.deadline)
    digest = request_hash(simulation, request, request.salt, request.deadline)
    _check_researcher_signature(services, simulation, request, digest, signature)
    data_class = SIMULATION_DATA_CLASS[simulation]
    if not services.store.has(request.patient, data_class):
        raise PatientNotFoundError(request.patient, data_class)
    if services.ledger.is_recorded(digest):
        raise ApiProblem(
            409,
            "Request already recorded",
            f"request {'0x' + digest.hex()} was already recorded; sign a new request with a new salt",
            slug="request-replayed",
        )

    ledger_request = AccessRequest(
        request.patient,
        request.researcher,
        SIMULATION_DATA_CLASS[simulation],
        request.purpose,
        digest,
        request.deadline,
    )
    record = services.ledger.record_access(services.custodian, ledger_request, bytes.fromhex(signature[2:]))
    logger.info("access %s simulation=%s tx=%s", record.outcome, simulation, record.receipt.transaction_hash)
    if not record.granted:
        raise ApiProblem(
            403,
            "Access denied",
            f"the access ledger denied the request ({record.reason.name.lower()}): {_DENIAL_HINT[record.reason]}",
            slug="access-denied",
            reason=record.reason.name.lower(),
            receipt=record.receipt.as_dict(),
            record=record.as_dict(),
        )
    return record


def _check_researcher_signature(
    services: Services, simulation: str, request: ResearchRequestBase, digest: bytes, signature: str
) -> None:
    w3 = services.ledger.w3
    if len(w3.eth.get_code(Web3.to_checksum_address(request.researcher))) > 0:
        return  # An EIP-1271 contract wallet: only the access ledger can check its signature.
    typed_data = _typed_data(services, simulation, request, digest, request.deadline or 0)
    if recover_signer(typed_data, signature) != request.researcher:
        raise ApiProblem(
            401,
            "Invalid signature",
            f"the signature was not made by researcher {request.researcher} over this request; "
            "sign the typed data returned by the payload endpoint",
            slug="invalid-signature",
        )


def _typed_data(
    services: Services, simulation: str, request: ResearchRequestBase, digest: bytes, deadline: int
) -> dict[str, Any]:
    return access_request_message(
        services.ledger.access_domain(),
        patient=request.patient,
        researcher=request.researcher,
        data_class=SIMULATION_DATA_CLASS[simulation],
        purpose=request.purpose,
        request_hash=digest,
        deadline=deadline,
    )


def _parameters(request: ResearchRequestBase) -> dict[str, Any]:
    parameters = getattr(request, "parameters", None)
    return parameters.model_dump() if parameters is not None else {}
