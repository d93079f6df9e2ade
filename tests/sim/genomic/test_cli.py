"""The genomic sim commands as a user runs them: exit codes, files and messages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import cli.sim_genomic  # noqa: F401 - registers the commands
from cli.sim import sim_app
from tests.sim.genomic.files import HBB_FASTA, HBB_VCF, write_fasta, write_vcf

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


def _one_line_error(result) -> str:
    """Return the error message of a failed run, checking it is one line and not a traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _het_vcf(tmp_path, genotype: str):
    return write_vcf(tmp_path / "het.vcf", [f"HBB\t70\trs334\tA\tT\t.\tPASS\t.\tGT\t{genotype}"])


def test_outcomes_destroyed_guide_rejected():
    # 68forw is ACCATGGTGCATCTGACTCC with PAM TGA at 68-70; rs334 (A>T at 70, 1/1) makes it TGT.
    result = runner.invoke(sim_app, ["outcomes", str(HBB_FASTA), "--vcf", str(HBB_VCF), "--guide", "68forw"])

    message = _one_line_error(result)
    assert "guide 68forw does not target hap1 or hap2" in message
    assert "rs334 at HBB:70 destroys its PAM TGA" in message
    assert result.stdout == ""


def test_outcomes_het_guide_on_carrier_only(tmp_path):
    # With rs334 at 1|0, hap1 carries T at 70 and only hap2 keeps the TGA PAM of 68forw.
    vcf = _het_vcf(tmp_path, "1|0")
    args = ["outcomes", str(HBB_FASTA), "--vcf", str(vcf), "--guide", "68forw"]

    carried = runner.invoke(sim_app, [*args, "--json", "-"])
    assert carried.exit_code == 0, carried.output
    assert json.loads(carried.stdout)["haplotype"] == "hap2"
    rejected = runner.invoke(sim_app, [*args, "--haplotype", "hap1"])
    assert "guide 68forw does not target hap1:" in _one_line_error(rejected)


def test_outcomes_differing_guide_needs_haplotype(tmp_path):
    # At 0|1, 70forw ends in PAM AGG on hap1 and TGG on hap2: two sequences under one id.
    vcf = _het_vcf(tmp_path, "0|1")
    args = ["outcomes", str(HBB_FASTA), "--vcf", str(vcf), "--guide", "70forw"]

    message = _one_line_error(runner.invoke(sim_app, args))
    assert "hap1: CATGGTGCATCTGACTCCTG AGG" in message
    assert "hap2: CATGGTGCATCTGACTCCTG TGG" in message
    chosen = runner.invoke(sim_app, [*args, "--haplotype", "hap2", "--json", "-"])
    assert json.loads(chosen.stdout)["guide"]["pam"] == "TGG"


def test_outcomes_cut_near_region_edge():
    # 70forw cuts after 66: 27 nt of HBB:40-120 lie left of the cut, fewer than the 30-nt flank.
    result = runner.invoke(sim_app, ["outcomes", str(HBB_FASTA), "--guide", "70forw", "--region", "HBB:40-120"])

    message = _one_line_error(result)
    assert "cuts 27 nt from the start and 54 nt from the end of HBB:40-120" in message
    assert "widen --region" in message


def test_vcf_past_contig_end_rejected(tmp_path):
    vcf = write_vcf(tmp_path / "past.vcf", ["HBB\t9999\t.\tA\tT\t.\tPASS\t.\tGT\t0/1"])
    result = runner.invoke(sim_app, ["guides", str(HBB_FASTA), "--vcf", str(vcf)])

    message = _one_line_error(result)
    assert "HBB:9999" in message
    assert "(1475 nt)" in message
    assert "remove the record" in message


@pytest.mark.parametrize("option", ["--json", "--tsv", "--map"])
def test_guides_output_folder_rejected(tmp_path, option):
    result = runner.invoke(sim_app, ["guides", str(HBB_FASTA), option, str(tmp_path)])

    assert f"{option} '{tmp_path}' is a folder" in _one_line_error(result)


@pytest.mark.parametrize("option, name", [("--json", "x.json"), ("--tsv", "x.tsv"), ("--map", "x.png")])
def test_guides_output_missing_folder(tmp_path, option, name):
    missing = tmp_path / "absent"
    result = runner.invoke(sim_app, ["guides", str(HBB_FASTA), option, str(missing / name)])

    assert f"folder '{missing}' does not exist" in _one_line_error(result)
    assert not missing.exists()


def test_guides_map_suffix_rejected(tmp_path):
    result = runner.invoke(sim_app, ["guides", str(HBB_FASTA), "--map", str(tmp_path / "map.txt")])

    assert "name the file with one of .svg, .png" in _one_line_error(result)


def test_index_missing_folder_not_created(tmp_path):
    missing = tmp_path / "absent"
    args = ["offtargets", str(HBB_FASTA), "CATGGTGCATCTGACTCCTG", "--index", str(missing / "i.npz")]

    assert f"folder '{missing}' does not exist" in _one_line_error(runner.invoke(sim_app, args))
    assert not missing.exists()


def test_index_corrupt_message_clean(tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_text("junk\n")
    args = ["offtargets", str(HBB_FASTA), "CATGGTGCATCTGACTCCTG", "--index", str(broken)]

    message = _one_line_error(runner.invoke(sim_app, args))
    assert "is not an off-target index written by this tool" in message
    assert "delete it to rebuild" in message
    assert "pickle" not in message


@pytest.mark.parametrize(
    "cds, expected",
    [
        ("abc", "invalid CDS exon 'abc'"),
        ("142-51", "START must not exceed END"),
        ("51-99999", "ends past the end of the contig (1475 nt)"),
    ],
)
def test_outcomes_cds_checked_without_revert(cds, expected):
    result = runner.invoke(sim_app, ["outcomes", str(HBB_FASTA), "--guide", "70forw", "--cds", cds])

    assert expected in _one_line_error(result)


def test_outcomes_revert_needs_vcf():
    result = runner.invoke(sim_app, ["outcomes", str(HBB_FASTA), "--guide", "70forw", "--revert", "rs334"])

    message = _one_line_error(result)
    assert "--revert rs334 needs --vcf" in message
    assert "not found" not in message


def test_score_folder_rejected(tmp_path):
    message = _one_line_error(runner.invoke(sim_app, ["score", str(tmp_path)]))

    assert "is a folder" in message


def test_score_comma_separated_hint(tmp_path):
    table = tmp_path / "pairs.csv"
    table.write_text("guide,target\nGACTTACGATCGGTACCTAG,GACTTACGATCGGTACCTAGTGG\n")
    result = runner.invoke(sim_app, ["score", str(table)])

    assert result.exit_code == 2
    assert "comma-separated; the table must be tab-separated" in result.stderr


def test_guides_piped_table_not_cut():
    result = runner.invoke(sim_app, ["guides", str(HBB_FASTA), "--vcf", str(HBB_VCF)])

    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    # 36rev: protospacer 41-60 on the minus strand, hand-read from the reference.
    row = next(line for line in result.stdout.splitlines() if "36rev" in line)
    assert "TGCACCATGGTGTCTGTTTG AGG" in row
    assert "unchanged" in row
    assert "no_5prime_g" in row


def test_offtargets_tsv_rows(tmp_path):
    # One exact NGG site (the on-target) and one with the PAM-distal base changed, in
    # A-only filler, which has no PAM on either strand.
    guide = "GACGTACGTTAGCATCAGTC"
    contig = "A" * 30 + guide + "AGG" + "A" * 30 + "T" + guide[1:] + "TGG" + "A" * 30
    genome = write_fasta(tmp_path / "g.fa", {"g": contig})
    tsv = tmp_path / "off.tsv"
    args = ["offtargets", str(genome), guide, "CCCCCCCCCCCCCCCCCCCC", "--index", str(tmp_path / "g.npz"),
            "--tsv", str(tsv)]  # fmt: skip
    result = runner.invoke(sim_app, args)

    assert result.exit_code == 0, result.output
    header, *rows = [line.split("\t") for line in tsv.read_text().splitlines()]
    assert header[:4] == ["guide", "mitSpecScore", "cfdSpecScore", "offtargetCount"]
    assert len(rows) == 2
    site = dict(zip(header, rows[0], strict=True))
    # One mismatch at position 1 has MIT weight 0, so hit score 100 and specificity 10000 / 200.
    assert (site["guide"], site["mitSpecScore"], site["offtargetCount"]) == (guide, "50.0", "1")
    assert (site["contig"], site["start"], site["end"], site["strand"]) == ("g", "84", "106", "+")
    assert (site["offtargetSeq"], site["mismatchCount"]) == ("t" + guide[1:] + "TGG", "1")
    absent = dict(zip(header, rows[1], strict=True))
    assert (absent["guide"], absent["offtargetCount"], absent["contig"]) == ("CCCCCCCCCCCCCCCCCCCC", "0", "")


def test_guides_ids_independent_of_region():
    # Protospacer 50-69 with its PAM at 70-72: id 70forw whatever the region.
    result = runner.invoke(sim_app, ["guides", str(HBB_FASTA), "--region", "HBB:40-120", "--json", "-"])

    guides = {g["protospacer"]: g for g in json.loads(result.stdout)["guides"]}
    assert guides["CATGGTGCATCTGACTCCTG"]["id"] == "70forw"
    assert guides["CATGGTGCATCTGACTCCTG"]["start"] == 50


def test_guides_unknown_nuclease_lists_names():
    message = _one_line_error(runner.invoke(sim_app, ["guides", str(HBB_FASTA), "--nuclease", "xCas9"]))

    assert "'xCas9'" in message
    assert "SpCas9, SaCas9, Cas12a" in message


def test_help_states_defaults():
    guides_help = runner.invoke(sim_app, ["guides", "--help"], env={"COLUMNS": "400"}).stdout
    outcomes_help = runner.invoke(sim_app, ["outcomes", "--help"], env={"COLUMNS": "400"}).stdout

    assert "~/.cache/consent-ledger" in guides_help
    assert "Cpf1" in guides_help
    assert "Default: the first haplotype that carries the guide" in outcomes_help


def test_guides_empty_region_says_so(tmp_path):
    from typer.testing import CliRunner

    from cli.main import app

    fasta = tmp_path / "tiny.fa"
    fasta.write_text(">tiny\nACACACACACACACACACACACACACACAC\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["sim", "guides", str(fasta)])

    assert result.exit_code == 0, result.output
    assert "no SpCas9 guides with a canonical PAM in tiny:1-30" in result.output


def test_score_empty_context_cell_left_blank(tmp_path):
    from typer.testing import CliRunner

    from cli.main import app

    table = tmp_path / "guides.tsv"
    table.write_text(
        "guide\ttarget\tcontext\n"
        "GTAACGGCAGACTTCTCCAC\tGTAACGGCAGACTTCTCCACAGG\t\n"
        "GTAACGGCAGACTTCTCCAC\tGTAACGGCAGACTTCTCZACAGG\t\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.tsv"
    good.write_text(table.read_text().splitlines(keepends=True)[0] + table.read_text().splitlines(keepends=True)[1])

    bad = CliRunner().invoke(app, ["sim", "score", str(table), "-o", str(tmp_path / "out.tsv")])
    fine = CliRunner().invoke(app, ["sim", "score", str(good), "-o", str(tmp_path / "good_out.tsv")])

    assert bad.exit_code == 2
    assert "invalid target 'GTAACGGCAGACTTCTCZACAGG'" in bad.output
    assert fine.exit_code == 0, fine.output
    row = (tmp_path / "good_out.tsv").read_text().splitlines()[1].split("\t")
    assert row[-1] == ""
    assert row[3] == "0"
