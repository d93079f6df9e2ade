"""Deadlines of signed messages, checked before anything is signed or sent.

The contracts check ``block.timestamp <= deadline``. The API checks the same rule against
:meth:`~ledger.client.LedgerClient.now`, the earliest time the next block can carry, so an
expired signature is refused here instead of reverting in a mined transaction that the
custodian pays for.
"""

from __future__ import annotations

from api.problems import ApiProblem
from api.services import Services

# A signed grant, revocation or research request stays usable for at most a day.
MAX_DEADLINE_AHEAD_S = 24 * 3600


def new_deadline(services: Services, requested: int | None) -> int:
    """Return the deadline for a payload to sign: ``requested`` if sound, else the default TTL."""
    now = services.ledger.now()
    if requested is None:
        return now + services.settings.request_ttl_s
    if requested <= now:
        raise ApiProblem(
            422,
            "Deadline passed",
            f"deadline {requested} is not after the current time {now}; choose a later deadline or omit it",
            slug="deadline-passed",
        )
    if requested > now + MAX_DEADLINE_AHEAD_S:
        raise ApiProblem(
            422,
            "Deadline too far",
            f"deadline {requested} is more than {MAX_DEADLINE_AHEAD_S} s after the current time {now}; "
            "a signature must not stay usable for longer, so choose an earlier deadline",
            slug="deadline-too-far",
        )
    return requested


def check_signed_deadline(services: Services, deadline: int) -> None:
    """Refuse a signed message whose deadline has passed (or passes before the next block)."""
    now = services.ledger.now()
    if deadline <= now:
        raise ApiProblem(
            422,
            "Request expired",
            f"deadline {deadline} has passed (current time {now}); request a new payload and sign it again",
            slug="request-expired",
        )
