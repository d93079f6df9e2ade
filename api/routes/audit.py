"""Auditor endpoints: the access trail of a patient, and receipt verification against the chain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import ServicesDep
from api.schemas import AccessRecordsOut, Address, AuditReceiptIn
from ledger.errors import ReceiptVerificationError
from ledger.records import AuditReceipt

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/patients/{patient}/accesses", response_model=AccessRecordsOut)
def read_patient_accesses(
    services: ServicesDep,
    patient: Annotated[Address, Path(description="The patient's account address.")],
    from_block: int = Query(default=0, ge=0, le=2**63 - 1, description="First block to read."),
) -> AccessRecordsOut:
    """List every access request recorded for a patient, granted and denied, in chain order."""
    # NOTE: reads event logs straight from the node; an indexed audit store replaces this at scale.
    records = services.ledger.access_records(patient=patient, from_block=from_block)
    return AccessRecordsOut(patient=patient, count=len(records), records=[record.as_dict() for record in records])


@router.post("/receipts/verify")
def verify_receipt(body: AuditReceiptIn, services: ServicesDep) -> dict[str, Any]:
    """Check that a receipt points at an access or consent event of this deployment, and return the event.

    Access receipts come from the research routes; consent receipts from grants and revocations.
    """
    receipt = AuditReceipt(**body.model_dump())
    ledger = services.ledger
    try:
        if receipt.contract == ledger.consents.address:
            return {"verified": True, "consent_event": ledger.verify_consent_receipt(receipt)}
        return {"verified": True, "record": ledger.verify_receipt(receipt).as_dict()}
    except ReceiptVerificationError as exc:
        return {"verified": False, "reason": str(exc)}
