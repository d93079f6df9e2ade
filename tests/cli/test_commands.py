"""The ``consent-ledger`` command: chain lifecycle, deploy, enrol and the demo, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from api.core.config import Settings
from cli.demo import EXAMPLES, run_demo
from cli.main import app
from tests.conftest import free_port

pytestmark = pytest.mark.chain


@pytest.fixture()
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONSENT_LEDGER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CONSENT_LEDGER_ANVIL_PORT", str(free_port()))
    monkeypatch.delenv("CONSENT_LEDGER_RPC_URL", raising=False)
    return tmp_path


def test_chain_start_deploy_stop(environment: Path):
    runner = CliRunner()
    try:
        started = runner.invoke(app, ["chain", "start"])
        status = runner.invoke(app, ["chain", "status"])
        deployed = runner.invoke(app, ["deploy"])
        redeployed = runner.invoke(app, ["deploy"])
    finally:
        stopped = runner.invoke(app, ["chain", "stop"])
    after = runner.invoke(app, ["chain", "status"])

    assert started.exit_code == 0, started.output
    assert "chain running" in status.output
    assert "deployed on chain 31337" in deployed.output
    assert "reused deployment" in redeployed.output
    assert (environment / "deployments" / "31337.json").is_file()
    assert stopped.exit_code == 0
    assert after.exit_code == 1
    assert "chain not running" in after.output


def test_enrol_rejects_bad_address(environment: Path):
    result = CliRunner().invoke(
        app,
        [
            "custodian",
            "enrol",
            "--patient",
            "0x12",
            "--fasta",
            str(EXAMPLES / "hbb.fa"),
            "--clinical",
            str(EXAMPLES / "clinical.json"),
        ],
    )

    assert result.exit_code == 2
    assert "'0x12' is not an Ethereum address" in result.output


def test_enrol_rejects_bad_clinical_json(environment: Path, tmp_path: Path):
    broken = tmp_path / "clinical.json"
    broken.write_text("{body_weight_kg: 70", encoding="utf-8")

    result = CliRunner().invoke(
        app,
        [
            "custodian",
            "enrol",
            "--patient",
            "0x" + "ab" * 20,
            "--fasta",
            str(EXAMPLES / "hbb.fa"),
            "--clinical",
            str(broken),
        ],
    )

    assert result.exit_code == 2
    assert "error" in result.output


def test_enrol_then_record_is_encrypted(environment: Path):
    patient = "0x" + "ab" * 20
    result = CliRunner().invoke(
        app,
        [
            "custodian",
            "enrol",
            "--patient",
            patient,
            "--fasta",
            str(EXAMPLES / "hbb.fa"),
            "--vcf",
            str(EXAMPLES / "hbb_patient.vcf"),
            "--clinical",
            str(EXAMPLES / "clinical.json"),
        ],
    )

    assert result.exit_code == 0, result.output
    stored = next((environment / "custodian" / "patients").iterdir()).read_bytes()
    assert b"rs334" not in stored
    assert b"body_weight_kg" not in stored


@pytest.mark.slow
def test_demo_runs_green(environment: Path):
    console = Console(record=True, width=160)

    assert run_demo(Settings(), console) is True

    output = console.export_text()
    assert "access granted and guides returned (HTTP 200)" in output
    assert output.count("access denied (HTTP 403)") == 2
    assert "trail is granted, denied, denied" in output
    assert json.loads((environment / "deployments" / "31337.json").read_text())["chain_id"] == 31337


def test_consortium_onboarding(environment: Path):
    runner = CliRunner()
    institution = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # address of Anvil's third development key
    researcher = "0x" + "12" * 20
    auditor = "0x" + "34" * 20
    try:
        runner.invoke(app, ["deploy"])
        admitted = runner.invoke(app, ["consortium", "admit", institution])
        admitted_again = runner.invoke(app, ["consortium", "admit", institution])
        accredited = runner.invoke(app, ["consortium", "accredit", researcher, "--days", "30"])
        appointed = runner.invoke(app, ["consortium", "appoint", "auditor", auditor])
        status = runner.invoke(app, ["consortium", "status", researcher])
        auditor_status = runner.invoke(app, ["consortium", "status", auditor])
        revoked = runner.invoke(app, ["consortium", "revoke-accreditation", researcher])
        after = runner.invoke(app, ["consortium", "status", researcher])
    finally:
        runner.invoke(app, ["chain", "stop"])

    assert admitted.exit_code == 0, admitted.output
    assert "institution is a member" in admitted.output
    assert admitted_again.exit_code == 2
    assert "ConsortiumRegistryInstitutionAlreadyActive" in admitted_again.output
    assert accredited.exit_code == 0, accredited.output
    assert appointed.exit_code == 0, appointed.output
    assert "accredited researcher: True" in status.output
    assert "auditor: True" in auditor_status.output
    assert revoked.exit_code == 0, revoked.output
    assert "accredited researcher: False" in after.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["consortium", "admit", "0x12"],
        ["consortium", "accredit", "not-an-address"],
        ["consortium", "appoint", "auditor", "0xZZ"],
    ],
)
def test_consortium_rejects_bad_address(environment: Path, arguments):
    result = CliRunner().invoke(app, arguments)

    assert result.exit_code == 2
    assert "is not an Ethereum address" in result.output


def test_consortium_rejects_unknown_role(environment: Path):
    result = CliRunner().invoke(app, ["consortium", "appoint", "overlord", "0x" + "12" * 20])

    assert result.exit_code == 2
    assert "overlord" in result.output
