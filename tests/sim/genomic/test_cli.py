"""The genomic sim commands as a user runs them: exit codes, files and messages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import cli.sim_genomic  # noqa: F401 - registers the commands
from cli.sim import sim_app
from tests.sim.genomic.files import HBB_FASTA, HBB_VCF, write_fasta

runner = CliRunner()


def test_guides_json_to_stdout():
    result = runner.invoke(sim_app, ["guides", str(HBB_FASTA), "--vcf", str(HBB_VCF), "--json", "-"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["variants_applied"] == 1
    assert any(g["effect"] == "changed" for g in data["guides"])


def test_guides_writes_tsv_and_map(tmp_path):
    tsv, picture = tmp_path / "guides.tsv", tmp_path / "map.svg"
    result = runner.invoke(
        sim_app,
        ["guides", str(HBB_FASTA), "--vcf", str(HBB_VCF), "--region", "HBB:40-120",
         "--tsv", str(tsv), "--map", str(picture)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    header, *rows = tsv.read_text().splitlines()
    assert header.startswith("#seqId\tguideId\ttargetSeq\tmitSpecScore")
    assert any("CATGGTGCATCTGACTCCTGTGG" in row for row in rows)
    assert picture.read_text().lstrip().startswith("<?xml")


def test_guides_bad_fasta_exit_code(tmp_path):
    path = write_fasta(tmp_path / "bad.fa", {"x": "ACGT-ACGT"})
    result = runner.invoke(sim_app, ["guides", str(path)])

    assert result.exit_code == 2
    assert "'-' at x:5" in result.stderr


def test_score_adds_columns(tmp_path):
    table = tmp_path / "pairs.tsv"
    table.write_text(
        "guide\ttarget\tcontext\nGACTTACGATCGGTACCTAGTGG\tGACTTACGATCGGTACCTAGTGG\tTATAGCTGCGATCTGAGGTAGGGAGGGACC\n"
    )
    result = runner.invoke(sim_app, ["score", str(table)])

    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split("\t")[-4:] == ["mismatches", "mit", "cfd", "rs1"]
    assert row.split("\t")[-4:] == ["0", "100.0000", "1.000000", "0.713089"]


def test_score_reports_bad_rows_with_lines(tmp_path):
    table = tmp_path / "bad.tsv"
    table.write_text(
        "guide\ttarget\n"
        "GACTTACGATCGGTACCTAG\tGACTTACGATCGGTACCTAGTGG\n"
        "GACTTACGATCGGTACCTAG\tGACTT\n"
        "\n"
        "ACGT\tGACTTACGATCGGTACCTAGTGG\n"
    )
    result = runner.invoke(sim_app, ["score", str(table)])

    assert result.exit_code == 2
    assert "line 3: invalid target 'GACTT'" in result.stderr
    assert "line 5: invalid guide 'ACGT'" in result.stderr
    assert result.stdout == ""


def test_score_missing_column(tmp_path):
    table = tmp_path / "nocol.tsv"
    table.write_text("spacer\ttarget\nA\tB\n")
    result = runner.invoke(sim_app, ["score", str(table)])

    assert result.exit_code == 2
    assert "line 1: missing column(s) guide" in result.stderr


def test_outcomes_hbs_donor():
    result = runner.invoke(
        sim_app,
        ["outcomes", str(HBB_FASTA), "--vcf", str(HBB_VCF), "--guide", "70forw",
         "--cds", "51-142,273-495,1347-1475", "--revert", "rs334", "--json", "-"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["donor"]["blocking_changes"][0]["position"] == 71
    assert data["donor"]["codon_check"]["corrected_amino_acid"] == "E"
    assert 0 < data["frameshift_fraction"] < 1


def test_outcomes_unknown_guide():
    result = runner.invoke(sim_app, ["outcomes", str(HBB_FASTA), "--guide", "1forw"])

    assert result.exit_code == 2
    assert "guide '1forw' not found" in result.stderr


@pytest.mark.slow
def test_offtargets_yeast_crispor_rules(tmp_path):
    from tests.sim.genomic.files import YEAST_2BIT

    result = runner.invoke(
        sim_app,
        ["offtargets", str(YEAST_2BIT), "TACATAAACATATTGGCTTG", "--index", str(tmp_path / "y.npz"),
         "--crispor-rules", "--json", "-"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    (data,) = json.loads(result.stdout)
    assert data["mit_specificity"] == 68.0
