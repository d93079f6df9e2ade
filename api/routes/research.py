"""Researcher endpoints: simulations on a patient's data, gated by the access ledger.

Each simulation has a payload endpoint (the ``AccessRequest`` typed data to sign) and a run
endpoint. The run endpoint records the request on chain first; only a granted record lets the
custodian decrypt the patient's data. Researchers get results (after disclosure control), never
the data.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter

from api import gate
from api.deps import ServicesDep
from api.disclosure import DisclosureBudget, release_guides, release_pbpk
from api.problems import PROBLEM_MEDIA_TYPE, ApiProblem, Problem
from api.schemas import (
    GuideRequestPayloadIn,
    PbpkRequestPayloadIn,
    ResearchResultOut,
    SignedGuideRequestIn,
    SignedPbpkRequestIn,
    TypedDataOut,
)
from api.store import PatientNotFoundError
from ledger.records import AccessRecord
from sim.genomic import design_guides_for_patient
from sim.nanotherapy import list_presets, simulate_patient

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/research", tags=["research"])

_DENIED_RESPONSE: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "The access ledger denied the request; the problem carries `reason` and the audit `receipt`.",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
    }
}


@router.post("/genomic/guides/payload", response_model=TypedDataOut)
def create_guide_request(body: GuideRequestPayloadIn, services: ServicesDep) -> TypedDataOut:
    """Return the access request to sign for CRISPR guide design on a patient's sequence."""
    return gate.prepare(services, "crispr-guides", body)


@router.post("/genomic/guides", response_model=ResearchResultOut, responses=_DENIED_RESPONSE)
def run_guide_design(body: SignedGuideRequestIn, services: ServicesDep) -> ResearchResultOut:
    """Design CRISPR guides on the patient's own haplotype sequences, if the ledger grants access."""
    record = gate.authorise(services, "crispr-guides", body, body.signature)
    with services.store.materialise(body.patient) as files:
        try:
            result = design_guides_for_patient(
                files.reference_fasta, files.variants_vcf, nuclease=body.parameters.nuclease
            )
        except ValueError as exc:
            raise _record_unusable(record, exc, "guide design") from exc
    budget = DisclosureBudget(services.store.directory.parent / "disclosures")
    released = release_guides(
        result, body.parameters.max_guides, budget=budget, patient=body.patient, researcher=body.researcher
    )
    return _result(record, released)


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
    parameters = body.parameters
    options: dict[str, Any] = {"hours": parameters.hours, "dose_mg_per_kg": parameters.dose_mg_per_kg}
    if parameters.formulation is not None:
        options["formulation"] = parameters.formulation
    clinical = services.store.get(body.patient).clinical
    if clinical is None:
        raise PatientNotFoundError(body.patient, "clinical")
    try:
        result = simulate_patient(clinical, **options)
    except ValueError as exc:
        raise _record_unusable(record, exc, "the PBPK simulation") from exc
    return _result(record, release_pbpk(result))


def _check_pbpk_parameters(body: PbpkRequestPayloadIn) -> None:
    """Reject an unknown formulation before anything is signed or recorded."""
    formulation = body.parameters.formulation
    if formulation is not None and formulation not in list_presets():
        raise ApiProblem(
            422,
            "Unknown formulation",
            f"formulation {formulation!r} is not a preset; list them with `consent-ledger sim pbpk-presets`",
            slug="unknown-formulation",
        )


def _record_unusable(record: AccessRecord, exc: ValueError, simulation: str) -> ApiProblem:
    """Report a stored record that the simulation rejects; its content stays out of the log."""
    logger.error(
        "custodian record unusable simulation=%s tx=%s error=%s",
        simulation,
        record.receipt.transaction_hash,
        type(exc).__name__,
    )
    return ApiProblem(
        409,
        "Patient record unusable",
        f"the custodian's record for this patient cannot be used for {simulation}; the custodian must correct it "
        "with `consent-ledger custodian enrol --replace`",
        slug="record-unusable",
        receipt=record.receipt.as_dict(),
    )


def _result(record: AccessRecord, result: dict[str, Any]) -> ResearchResultOut:
    return ResearchResultOut(
        outcome="granted", result=result, receipt=record.receipt.as_dict(), record=record.as_dict()
    )
