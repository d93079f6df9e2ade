"""``consent-ledger consortium``: governance from the command line.

Governors admit and remove institutions and appoint custodians and auditors, signing with
``CONSENT_LEDGER_DEPLOYER_KEY``. Institutions accredit their researchers, signing with
``CONSENT_LEDGER_INSTITUTION_KEY``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from api.core.config import Settings
from cli.common import console, fail, load_settings, parse_address
from ledger.client import LedgerClient
from ledger.connect import connect
from ledger.deploy import load_deployment
from ledger.errors import ContractRevertError, LedgerError

consortium_app = typer.Typer(
    help="Admit institutions, accredit researchers, appoint custodians and auditors.", no_args_is_help=True
)

SECONDS_PER_DAY = 24 * 3600
_HINTS = {
    "ConsortiumRegistryInstitutionNotActive": "the institution is not a member; a governor must run "
    "`consent-ledger consortium admit INSTITUTION` first",
    "ConsortiumRegistryInstitutionAlreadyActive": "the institution is already a member; nothing to do",
    "ConsortiumRegistryAlreadyApproved": "this governor has approved already; other governors must approve",
    "ConsortiumRegistryResearcherBoundElsewhere": "the researcher is accredited by another institution, "
    "which must revoke the accreditation first",
    "AccessControlUnauthorizedAccount": "the configured key lacks the role; set CONSENT_LEDGER_DEPLOYER_KEY "
    "to a governor's key",
}
ROLE_NAMES = {"custodian": "CUSTODIAN_ROLE", "auditor": "AUDITOR_ROLE"}


def _client(settings: Settings) -> LedgerClient:
    try:
        w3 = connect(settings.rpc_url, settings.data_dir, anvil_port=settings.anvil_port)
        return LedgerClient(w3, load_deployment(settings.data_dir, w3.eth.chain_id))
    except LedgerError as exc:
        fail(str(exc))


def _address(value: str, name: str) -> str:
    return parse_address(value, name, signer=True)


def _signing_as(
    role: Literal["governor", "institution"], target: str, name: str
) -> tuple[LedgerClient, LocalAccount, str]:
    """Check the target address, connect, and load the governor's or the institution's key."""
    settings = load_settings()
    address = _address(target, name)
    try:
        secret = settings.deployer_secret if role == "governor" else settings.institution_secret
    except ValueError as exc:
        fail(str(exc))
    return _client(settings), Account.from_key(secret), address


def _transact(action_name: str, action: Callable[[], TxReceipt]) -> None:
    try:
        receipt = action()
    except ContractRevertError as exc:
        hint = _HINTS.get(exc.error_name)
        fail(f"{action_name} failed: {exc}" + (f"; {hint}" if hint else ""))
    except LedgerError as exc:
        fail(f"{action_name} failed: {exc}")
    console.print(f"{action_name}: tx {receipt['transactionHash'].to_0x_hex()} in block {receipt['blockNumber']}")


@consortium_app.command("admit")
def admit(institution: Annotated[str, typer.Argument(help="The institution's account address.")]) -> None:
    """Approve admitting an institution as the configured governor; it joins at the approval threshold."""
    client, governor, address = _signing_as("governor", institution, "institution")
    _transact("approval recorded", lambda: client.approve_institution(governor, address))
    console.print("institution is a member" if client.is_institution(address) else "more approvals are needed")


@consortium_app.command("remove")
def remove(institution: Annotated[str, typer.Argument(help="The institution's account address.")]) -> None:
    """Approve removing an institution as the configured governor; its researchers lose accreditation."""
    client, governor, address = _signing_as("governor", institution, "institution")
    function = client.consortium.functions.approveInstitutionRemoval(address)
    _transact("approval recorded", lambda: client.sender(governor).transact(function))
    console.print("more approvals are needed" if client.is_institution(address) else "institution removed")


@consortium_app.command("accredit")
def accredit(
    researcher: Annotated[str, typer.Argument(help="The researcher's account address.")],
    days: Annotated[int, typer.Option(min=1, max=3650, help="Accreditation length in days from now.")] = 365,
) -> None:
    """Accredit a researcher for the institution whose key is CONSENT_LEDGER_INSTITUTION_KEY."""
    client, institution, address = _signing_as("institution", researcher, "researcher")
    until = client.chain_time() + days * SECONDS_PER_DAY
    _transact("researcher accredited", lambda: client.accredit_researcher(institution, address, until))


@consortium_app.command("revoke-accreditation")
def revoke_accreditation(researcher: Annotated[str, typer.Argument(help="The researcher's account address.")]) -> None:
    """Revoke a researcher's accreditation now, as their institution."""
    client, institution, address = _signing_as("institution", researcher, "researcher")
    function = client.consortium.functions.revokeAccreditation(address)
    _transact("accreditation revoked", lambda: client.sender(institution).transact(function))


@consortium_app.command("appoint")
def appoint(
    role: Annotated[Literal["custodian", "auditor"], typer.Argument(help="custodian or auditor.")],
    account: Annotated[str, typer.Argument(help="The account to appoint.")],
) -> None:
    """Appoint a custodian gateway or an auditor, as the configured governor."""
    client, governor, address = _signing_as("governor", account, "account")
    _transact(f"{role} appointed", lambda: client.grant_role(governor, ROLE_NAMES[role], address))


@consortium_app.command("status")
def status(account: Annotated[str, typer.Argument(help="Any account address.")]) -> None:
    """Show what the consortium registry records for an account."""
    address = _address(account, "account")
    client = _client(load_settings())
    institution = client.consortium.functions.institutionOf(address).call()
    until = client.consortium.functions.accreditedUntil(address).call()
    console.print(f"account {address}")
    console.print(f"  member institution: {client.is_institution(address)}")
    console.print(
        f"  accredited researcher: {client.is_accredited(address)} (institution {institution}, until {until})"
    )
    for role, role_name in ROLE_NAMES.items():
        console.print(f"  {role}: {client.has_role(role_name, address)}")
