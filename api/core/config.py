"""One typed settings object for the CLI and the API, read from ``CONSENT_LEDGER_*`` variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.toolchain import project_root

# Anvil's first two well-known development keys (from the public "test test ... junk" mnemonic).
# They hold funds only on a local development chain and are rejected in production.
ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ANVIL_CUSTODIAN_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
ANVIL_INSTITUTION_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
_DEVELOPMENT_KEYS = (ANVIL_DEPLOYER_KEY, ANVIL_CUSTODIAN_KEY, ANVIL_INSTITUTION_KEY)


class Settings(BaseSettings):
    """Service settings; secrets are ``SecretStr`` and never printed."""

    model_config = SettingsConfigDict(env_prefix="CONSENT_LEDGER_", frozen=True)

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Field(default_factory=lambda: project_root() / "data")
    rpc_url: str | None = Field(
        default=None, description="JSON-RPC endpoint; when unset a local Anvil node is started."
    )
    anvil_port: int = Field(default=8545, ge=1024, le=65535)
    evm_version: str = "paris"
    deployer_key: SecretStr | None = None
    custodian_key: SecretStr | None = None
    institution_key: SecretStr | None = Field(
        default=None, description="Key of the institution account that accredits researchers (CLI only)."
    )
    store_key: SecretStr | None = Field(default=None, description="Fernet key of the custodian's patient-data store.")
    max_body_bytes: int = Field(default=65_536, ge=1_024)
    request_ttl_s: int = Field(default=600, ge=30, le=86_400)

    @model_validator(mode="after")
    def _reject_development_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        for name in ("deployer_key", "custodian_key", "store_key"):
            value = getattr(self, name)
            if value is None or value.get_secret_value() in _DEVELOPMENT_KEYS:
                raise ValueError(f"CONSENT_LEDGER_{name.upper()} must be set to a real secret in production")
        if self.rpc_url is None:
            raise ValueError("CONSENT_LEDGER_RPC_URL must be set in production")
        return self

    @cached_property
    def deployer_secret(self) -> str:
        return self.deployer_key.get_secret_value() if self.deployer_key else ANVIL_DEPLOYER_KEY

    @cached_property
    def custodian_secret(self) -> str:
        return self.custodian_key.get_secret_value() if self.custodian_key else ANVIL_CUSTODIAN_KEY

    @cached_property
    def institution_secret(self) -> str:
        """The institution key; Anvil's third development key in development, required in production."""
        if self.institution_key:
            return self.institution_key.get_secret_value()
        if self.environment == "production":
            raise ValueError("CONSENT_LEDGER_INSTITUTION_KEY must be set to accredit researchers in production")
        return ANVIL_INSTITUTION_KEY
