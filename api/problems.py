"""RFC 9457 problem details: every error response is ``application/problem+json``.

Domain exceptions are mapped to HTTP here, in one place, instead of being raised as
``HTTPException`` deep in the code.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from requests.exceptions import RequestException
from starlette.exceptions import HTTPException as StarletteHTTPException
from web3.exceptions import ProviderConnectionError

from api.store import PatientNotFoundError
from ledger.errors import ChainError, ContractRevertError, LedgerError

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Contract errors that mean something more specific than "conflict with the chain's state".
_REVERT_STATUS = {
    "ConsentRegistryInvalidSignature": 401,
    "AccessLedgerInvalidResearcherSignature": 401,
    "ECDSAInvalidSignature": 401,
    "ECDSAInvalidSignatureLength": 401,
    "ECDSAInvalidSignatureS": 401,
    "ConsentRegistryExpiredSignature": 422,
    "AccessLedgerExpiredRequest": 422,
    "ConsentRegistryInvalidValidity": 422,
    "ConsentRegistryInvalidGrantee": 422,
    "ConsentRegistryUnknownConsent": 404,
    "ConsentRegistryNotPatient": 403,
}

_REVERT_HINT = {
    401: "sign the typed data returned by the payload endpoint with the right account",
    422: "request a fresh payload and sign it again",
    404: "check the consent id",
    403: "only the consent's patient may do this",
    409: "read the current state (nonce, consent status) and try again",
}


class Problem(BaseModel):
    """An RFC 9457 problem document; some problems add members such as ``errors`` or ``receipt``."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str


def _problem_response_doc(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}}}


# Declared on every router, so the OpenAPI document shows the error bodies the API really sends.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem_response_doc("A signature was not made by the account it names."),
    404: _problem_response_doc("Unknown patient, consent or route."),
    409: _problem_response_doc("The chain's state rejects the request (replay, revoked consent, contract error)."),
    413: _problem_response_doc("The request body is larger than the configured limit."),
    422: _problem_response_doc("A value in the request is invalid; `errors` lists each field."),
    503: _problem_response_doc("The chain node did not respond; nothing was recorded."),
}


class ApiProblem(Exception):
    """An error with its HTTP status, a stable type slug and extension members."""

    def __init__(self, status: int, title: str, detail: str, *, slug: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug
        self.extensions = extensions


def problem_response(status: int, title: str, detail: str, *, slug: str, **extensions: Any) -> JSONResponse:
    body = {"type": f"urn:consent-ledger:problem:{slug}", "title": title, "status": status, "detail": detail}
    body.update(jsonable_encoder(extensions))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(PatientNotFoundError, _patient_not_found)
    app.add_exception_handler(ContractRevertError, _contract_revert)
    app.add_exception_handler(ChainError, _chain_unavailable)
    # web3's HTTP provider raises requests' errors (OSError subclasses) when the node is down.
    app.add_exception_handler(RequestException, _chain_unavailable)
    app.add_exception_handler(ProviderConnectionError, _chain_unavailable)
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(Exception, _unexpected)


async def _api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(exc.status, exc.title, exc.detail, slug=exc.slug, **exc.extensions)


async def _validation_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_describe_error(error) for error in exc.errors()]
    detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
    return problem_response(422, "Invalid request", detail, slug="invalid-request", errors=errors)


async def _http_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(exc.status_code, "HTTP error", str(exc.detail), slug=f"http-{exc.status_code}")


async def _patient_not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PatientNotFoundError)
    kind = f"{exc.data_class} data" if exc.data_class else "data"
    return problem_response(
        404,
        "Unknown patient",
        f"the custodian holds no {kind} for patient {exc.patient}; check the address or ask the custodian to enrol it",
        slug="unknown-patient",
    )


async def _contract_revert(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ContractRevertError)
    logger.info("contract rejected request path=%s error=%s", request.url.path, exc.error_name)
    status = _REVERT_STATUS.get(exc.error_name, 409)
    return problem_response(
        status,
        "Rejected by contract",
        f"the contract rejected the request with {exc}; {_REVERT_HINT[status]}",
        slug="contract-rejected",
        error=exc.error_name,
        arguments=exc.arguments,
    )


async def _chain_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("chain unavailable path=%s error=%s", request.url.path, type(exc).__name__)
    return problem_response(
        503,
        "Chain unavailable",
        "the chain node did not respond; nothing was recorded, so retry the request once the node is back",
        slug="chain-unavailable",
    )


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("ledger error path=%s error=%s", request.url.path, exc)
    return problem_response(502, "Ledger error", str(exc), slug="ledger-error")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    incident = uuid.uuid4().hex[:12]
    logger.exception("unhandled error incident=%s path=%s", incident, request.url.path)
    return problem_response(
        500,
        "Internal error",
        f"an unexpected error occurred; quote incident {incident} to the operator",
        slug="internal-error",
        incident=incident,
    )


_BODY_HINTS = {
    "json_invalid": "the body is not valid JSON; send a JSON object with Content-Type: application/json",
    "model_attributes_type": "the body must be a JSON object sent with Content-Type: application/json",
    "dict_type": "the body must be a JSON object sent with Content-Type: application/json",
    "missing": "see the request schema at /openapi.json",
}


def _describe_error(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    hint = _BODY_HINTS.get(str(error.get("type")))
    if hint and error.get("type") == "missing":
        message = f"{message}; {hint}"
    elif hint and (not location or location[0].isdigit()):
        message, location = hint, []
    described = {"field": ".".join(location) or "body", "message": message}
    if "input" in error and not isinstance(error["input"], dict | list):
        described["value"] = _truncate(error["input"])
    return described


def _truncate(value: Any, limit: int = 80) -> Any:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."
