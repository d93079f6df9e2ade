"""Researcher endpoints: simulations on a patient's data, gated by the access ledger.

Each simulation has a payload endpoint (the ``AccessRequest`` typed data to sign) and a run
endpoint. The run endpoint records the request on chain first; only a granted record lets the
custodian decrypt the patient's data. Researchers get results, never the data.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter

from api import gate
from api.deps import ServicesDep
from api.problems import ApiProblem
from api.schemas import (
    GuideRequestPayloadIn,
    PbpkRequestPayloadIn,
    ResearchResultOut,
    SignedGuideRequestIn,
    SignedPbpkRequestIn,
    TypedDataOut,
)
from ledger.records import AccessRecord

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/research", tags=["research"])

_DENIED_RESPONSE: dict[int | str, dict[str, Any]] = {
    403: {"description": "The access ledger denied the request; the problem carries the audit receipt."}
}


@router.post("/genomic/guides/payload", response_model=TypedDataOut)
def create_guide_request(body: GuideRequestPayloadIn, services: ServicesDep) -> TypedDataOut:
    """Return the access request to sign for CRISPR guide design on a patient's sequence."""
    return gate.prepare(services, "crispr-guides", body)


@router.post("/genomic/guides", response_model=ResearchResultOut, responses=_DENIED_RESPONSE)
def run_guide_design(body: SignedGuideRequestIn, services: ServicesDep) -> ResearchResultOut:
    """Design CRISPR guides on the patient's own haplotype sequence, if the ledger grants access."""
    from sim.genomic import design_guides_for_patient

    record = gate.authorise(services, "crispr-guides", body, body.signature)
    with services.store.materialise(body.patient) as files:
        try:
            result = design_guides_for_patient(
                files.reference_fasta, files.variants_vcf, nuclease=body.parameters.nuclease
            )
        except ValueError as exc:
            # The stored record, not the request, is at fault; its content stays out of the log.
            logger.error(
                "guide design failed on a custodian record tx=%s error=%s",
                record.receipt.transaction_hash,
                type(exc).__name__,
            )
            raise ApiProblem(
                409,
                "Patient record unusable",
                "the custodian's record for this patient cannot be used for guide design; "
                "the custodian must correct it",
                slug="record-unusable",
                receipt=record.receipt.as_dict(),
            ) from exc
    return _result(record, result)


@router.post("/nanotherapy/pbpk/payload", response_model=TypedDataOut)
def create_pbpk_request(body: PbpkRequestPayloadIn, services: ServicesDep) -> TypedDataOut:
    """Return the access request to sign for a nanoparticle PBPK simulation on a patient's parameters."""
    _check_pbpk_parameters(body)
    return gate.prepare(services, "nanotherapy-pbpk", body)


@router.post("/nanotherapy/pbpk", response_model=ResearchResultOut, responses=_DENIED_RESPONSE)
def run_pbpk(body: SignedPbpkRequestIn, services: ServicesDep) -> ResearchResultOut:
    """Simulate nanoparticle delivery for the patient's clinical parameters, if the ledger grants access."""
    _check_pbpk_parameters(body)
    record = gate.authorise(services, "nanotherapy-pbpk", body, body.signature)
    from sim.nanotherapy import simulate_patient

    parameters = body.parameters
    options: dict[str, Any] = {"hours": parameters.hours, "dose_mg_per_kg": parameters.dose_mg_per_kg}
    if parameters.formulation is not None:
        options["formulation"] = parameters.formulation
    clinical = services.store.get(body.patient).clinical
    try:
        result = simulate_patient(clinical, **options)
    except ValueError as exc:
        logger.error("pbpk failed tx=%s error=%s", record.receipt.transaction_hash, type(exc).__name__)
        raise ApiProblem(
            409,
            "Patient record unusable",
            "the custodian's clinical record for this patient cannot be simulated; the custodian must correct it",
            slug="record-unusable",
            receipt=record.receipt.as_dict(),
        ) from exc
    return _result(record, result)


def _check_pbpk_parameters(body: PbpkRequestPayloadIn) -> None:
    """Reject an unknown formulation before anything is signed or recorded."""
    formulation = body.parameters.formulation
    if formulation is None:
        return
    from sim.nanotherapy import list_presets

    if formulation not in list_presets():
        raise ApiProblem(
            422,
            "Unknown formulation",
            f"formulation {formulation!r} is not a preset; list them with `consent-ledger sim pbpk --list-presets`",
            slug="unknown-formulation",
        )


def _result(record: AccessRecord, result: dict[str, Any]) -> ResearchResultOut:
    return ResearchResultOut(
        outcome="granted", result=result, receipt=record.receipt.as_dict(), record=record.as_dict()
    )
