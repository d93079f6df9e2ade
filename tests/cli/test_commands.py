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


def enrol(*arguments: str):
    return CliRunner().invoke(app, ["custodian", "enrol", *arguments])


PATIENT = "0x" + "ab" * 20


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("0x12", "'0x12' is not an Ethereum address"),
        ("0x" + "00" * 20, "zero address"),
        ("0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266", "invalid EIP-55 checksum"),
    ],
)
def test_enrol_rejects_bad_address(environment: Path, address, fragment):
    result = enrol("--patient", address, "--clinical", str(EXAMPLES / "clinical.json"))

    assert result.exit_code == 2
    assert fragment in result.output


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{body_weight_kg: 70", "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object of clinical parameters, not a list"),
        ('{"body_weight_kg": "heavy"}', "body_weight_kg must be a number"),
        ('{"body_weight_kg": -5}', "body_weight_kg"),
        ('{"tumour_volume_ml": 3}', "missing body_weight_kg"),
        ('{"body_weight_kg": 70, "name": "Jane Doe"}', "unknown clinical key(s) 'name'"),
    ],
)
def test_enrol_rejects_bad_clinical_json(environment: Path, tmp_path: Path, content, fragment):
    clinical = tmp_path / "clinical.json"
    clinical.write_text(content, encoding="utf-8")

    result = enrol("--patient", PATIENT, "--clinical", str(clinical))

    assert result.exit_code == 2
    assert fragment in " ".join(result.output.split())
    assert not (environment / "custodian" / "patients").exists() or not any(
        (environment / "custodian" / "patients").iterdir()
    )


@pytest.mark.parametrize(
    ("fasta", "vcf", "fragment"),
    [
        ("clinical.json", None, "not usable for guide design"),
        ("hbb.fa", "hbb.fa", "not usable for guide design"),
        (None, "hbb_patient.vcf", "needs the reference FASTA"),
    ],
)
def test_enrol_rejects_unusable_genomic_files(environment: Path, fasta, vcf, fragment):
    arguments = ["--patient", PATIENT]
    arguments += ["--fasta", str(EXAMPLES / fasta)] if fasta else []
    arguments += ["--vcf", str(EXAMPLES / vcf)] if vcf else []

    result = enrol(*arguments)

    assert result.exit_code == 2
    assert fragment in " ".join(result.output.split())


def test_enrol_needs_some_data(environment: Path):
    result = enrol("--patient", PATIENT)

    assert result.exit_code == 2
    assert "needs genomic data" in result.output


def test_enrol_twice_needs_replace(environment: Path):
    clinical = str(EXAMPLES / "clinical.json")
    first = enrol("--patient", PATIENT, "--clinical", clinical)
    second = enrol("--patient", PATIENT, "--clinical", clinical)
    replaced = enrol("--patient", PATIENT, "--clinical", clinical, "--replace")

    assert first.exit_code == 0, first.output
    assert second.exit_code == 2
    assert "already enrolled; pass --replace" in second.output
    assert replaced.exit_code == 0
    assert "re-enrolled" in replaced.output


def test_enrol_list_remove(environment: Path):
    enrolled = enrol(
        "--patient",
        PATIENT,
        "--fasta",
        str(EXAMPLES / "hbb.fa"),
        "--vcf",
        str(EXAMPLES / "hbb_patient.vcf"),
        "--clinical",
        str(EXAMPLES / "clinical.json"),
    )
    listed = CliRunner().invoke(app, ["custodian", "list"])
    removed = CliRunner().invoke(app, ["custodian", "remove", "--patient", PATIENT])
    removed_again = CliRunner().invoke(app, ["custodian", "remove", "--patient", PATIENT])

    assert enrolled.exit_code == 0, enrolled.output
    assert "genomic and clinical data" in enrolled.output
    assert "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB".lower() in listed.output.lower()
    assert removed.exit_code == 0
    assert removed_again.exit_code == 2
    assert "is not enrolled" in removed_again.output


def test_enrolled_record_is_encrypted(environment: Path):
    result = enrol(
        "--patient",
        PATIENT,
        "--fasta",
        str(EXAMPLES / "hbb.fa"),
        "--vcf",
        str(EXAMPLES / "hbb_patient.vcf"),
        "--clinical",
        str(EXAMPLES / "clinical.json"),
    )

    assert result.exit_code == 0, result.output
    stored = next((environment / "custodian" / "patients").iterdir()).read_bytes()
    assert b"rs334" not in stored
    assert b"body_weight_kg" not in stored


def test_bad_store_key_is_one_line(environment: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CONSENT_LEDGER_STORE_KEY", "notakey")

    result = enrol("--patient", PATIENT, "--clinical", str(EXAMPLES / "clinical.json"))

    assert result.exit_code == 2
    assert "is not a Fernet key" in result.output


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
    assert "already a member" in admitted_again.output
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


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("CONSENT_LEDGER_ENVIRONMENT", "prod", "CONSENT_LEDGER_ENVIRONMENT"),
        ("CONSENT_LEDGER_ANVIL_PORT", "abc", "CONSENT_LEDGER_ANVIL_PORT"),
        ("CONSENT_LEDGER_ENVIRONMENT", "production", "CONSENT_LEDGER_DEPLOYER_KEY must be set"),
    ],
)
def test_bad_configuration_is_one_line(environment: Path, monkeypatch: pytest.MonkeyPatch, variable, value, fragment):
    monkeypatch.setenv(variable, value)

    result = CliRunner().invoke(app, ["chain", "status"])

    assert result.exit_code == 2
    assert "invalid configuration" in result.output
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_serve_on_busy_port_fails_fast(environment: Path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = CliRunner().invoke(app, ["serve", "--port", str(port)])

    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert not (environment / "chain" / "node.json").exists()


def test_consortium_without_deployment(environment: Path):
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["consortium", "status", "0x" + "12" * 20])
    finally:
        runner.invoke(app, ["chain", "stop"])

    assert result.exit_code == 2
    assert "run `consent-ledger deploy`" in result.output
    assert "Traceback" not in result.output


def test_enrol_error_names_user_file(environment: Path, tmp_path: Path):
    fasta = tmp_path / "bad.fa"
    fasta.write_text(">HBB\nACGTXACGT\n", encoding="utf-8")

    result = enrol("--patient", PATIENT, "--fasta", str(fasta))

    assert result.exit_code == 2
    assert "bad.fa" in result.output
    assert "None" not in result.output
    assert "reference.fa" not in result.output


def test_enrol_checks_files_before_existing_record(environment: Path, tmp_path: Path):
    enrol("--patient", PATIENT, "--clinical", str(EXAMPLES / "clinical.json"))
    broken = tmp_path / "clinical.json"
    broken.write_text('{"body_weight_kg": -5}', encoding="utf-8")

    result = enrol("--patient", PATIENT, "--clinical", str(broken))

    assert result.exit_code == 2
    assert "body_weight_kg" in result.output


def test_consortium_status_rejects_bad_checksum(environment: Path):
    result = CliRunner().invoke(app, ["consortium", "status", "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266"])

    assert result.exit_code == 2
    assert "invalid EIP-55 checksum" in result.output


def test_population_rejects_negative_seed(environment: Path):
    result = CliRunner().invoke(app, ["sim", "population", "--n", "5", "--seed", "-1"])

    assert result.exit_code == 2
    assert "Traceback" not in result.output
