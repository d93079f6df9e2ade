"""`consent-ledger sim pbpk`, `pbpk-presets` and `population` as a user runs them."""

import json

from typer.testing import CliRunner

import cli.sim_nanotherapy  # noqa: F401 - registers the commands
from cli.sim import sim_app

runner = CliRunner()


def test_cli_pbpk_writes_json_and_plot(tmp_path):
    json_path, plot_path = tmp_path / "result.json", tmp_path / "curves.png"
    result = runner.invoke(
        sim_app, ["pbpk", "--weight", "70", "--tumour-ml", "20", "--json", str(json_path), "--plot", str(plot_path)]
    )
    assert result.exit_code == 0, result.output
    assert "DE24" in result.output
    assert json.loads(json_path.read_text())["formulation"] == "mouse-default"
    assert plot_path.read_bytes()[:4] == b"\x89PNG"


def test_cli_pbpk_reads_clinical_file(tmp_path):
    record = tmp_path / "patient.json"
    record.write_text(json.dumps({"body_weight_kg": 60, "egfr_ml_min_1_73m2": 40}))
    result = runner.invoke(
        sim_app, ["pbpk", "--clinical", str(record), "--formulation", "vincristine-pla-peg-t", "--hours", "48"]
    )
    assert result.exit_code == 0, result.output
    assert "vincristine" in result.output


def test_cli_pbpk_rejects_bad_weight():
    result = runner.invoke(sim_app, ["pbpk", "--weight", "-5"])
    assert result.exit_code == 2
    assert "body_weight_kg must be between 2 and 300 kg" in result.output


def test_cli_pbpk_rejects_bad_plot_suffix(tmp_path):
    result = runner.invoke(sim_app, ["pbpk", "--weight", "70", "--plot", str(tmp_path / "curves.pdf")])
    assert result.exit_code == 2
    assert ".png or .svg" in result.output


def test_cli_presets_lists_and_shows_units():
    listing = runner.invoke(sim_app, ["pbpk-presets"])
    assert listing.exit_code == 0
    assert "mouse-default" in listing.output
    detail = runner.invoke(sim_app, ["pbpk-presets", "--parameters", "ntdb-001"])
    assert detail.exit_code == 0
    assert "1/h" in detail.output


def test_cli_population_prints_percentiles(tmp_path):
    json_path = tmp_path / "population.json"
    result = runner.invoke(sim_app, ["population", "--n", "30", "--seed", "4", "--json", str(json_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(json_path.read_text())
    assert summary["n_subjects"] == 30
    assert set(summary["metrics"]["de24_pct_id"]) == {"p5", "p25", "p50", "p75", "p95"}


def test_cli_pbpk_rejects_folder_as_json(tmp_path):
    result = runner.invoke(sim_app, ["pbpk", "--weight", "70", "--json", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a folder; give a file name inside it" in result.output
    assert "Traceback" not in result.output


def test_cli_pbpk_rejects_missing_output_folder(tmp_path):
    target = tmp_path / "absent" / "curves.png"
    result = runner.invoke(sim_app, ["pbpk", "--weight", "70", "--plot", str(target)])
    assert result.exit_code == 2
    assert "does not exist; create it first" in result.output
    assert not target.exists()


def test_cli_pbpk_rejects_clinical_list(tmp_path):
    record = tmp_path / "patient.json"
    record.write_text("[70, 20]")
    result = runner.invoke(sim_app, ["pbpk", "--clinical", str(record)])
    assert result.exit_code == 2
    assert "must hold a JSON object" in result.output


def test_cli_pbpk_rejects_unknown_clinical_key(tmp_path):
    record = tmp_path / "patient.json"
    record.write_text(json.dumps({"body_weight_kg": 70, "weight": 70}))
    result = runner.invoke(sim_app, ["pbpk", "--clinical", str(record)])
    assert result.exit_code == 2
    assert "unknown clinical key(s) 'weight'" in result.output


def test_cli_population_rejects_folder_as_json(tmp_path):
    result = runner.invoke(sim_app, ["population", "--n", "2", "--json", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a folder" in result.output
