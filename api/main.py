"""The FastAPI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.core.config import Settings
from api.limits import BodySizeLimitMiddleware
from api.problems import PROBLEM_RESPONSES, install_problem_handlers
from api.routes import audit, patients, research
from api.services import Services, build_services

logger = logging.getLogger(__name__)


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no ``services``, connect on startup from ``settings``."""
    settings = services.settings if services else settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services is None:
            app.state.services = build_services(settings)
        logger.info("api started chain_id=%d", app.state.services.ledger.chain_id)
        yield
        logger.info("api stopped")

    app = FastAPI(
        title="Consent ledger",
        version="0.1.0",
        summary="Consent-gated genomic and nanotherapy simulations with an on-chain audit trail.",
        lifespan=lifespan,
    )
    if services is not None:
        app.state.services = services
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_problem_handlers(app)
    app.include_router(patients.router, responses=PROBLEM_RESPONSES)
    app.include_router(research.router, responses=PROBLEM_RESPONSES)
    app.include_router(audit.router, responses=PROBLEM_RESPONSES)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, object]:
        """Report the chain the service records to and its latest block; 503 when the node does not respond."""
        ledger = app.state.services.ledger
        return {
            "status": "ok",
            "chain_id": ledger.chain_id,
            "latest_block": ledger.w3.eth.block_number,
            "access_ledger": ledger.access_ledger.address,
        }

    return app
