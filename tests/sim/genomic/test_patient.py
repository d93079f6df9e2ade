"""design_guides_for_patient on the sickle-cell case and on hand-built inputs."""

from __future__ import annotations

import gzip
import json
import time

import pytest

from sim.genomic import (
    ContigNotFoundError,
    GenomicInputError,
    NucleaseError,
    PhaseUnknownWarning,
    RegionError,
    SequenceError,
    VariantError,
    design_guides_for_patient,
)
from tests.sim.genomic.files import HBB_FASTA, HBB_VCF, YEAST_2BIT, write_fasta, write_vcf

# 40 nt of A and T only, so no PAM of any SpCas9 rule exists on either strand.
AT_ONLY = "ATTATATTAATTATATATTAATATTTAAATATATTAATAT"


def _by_id(result: dict) -> dict[str, dict]:
    return {(g["id"], g["protospacer"]): g for g in result["guides"]}


def _find(result: dict, strand: str, start: int, **fields) -> dict:
    matches = [
        g for g in result["guides"]
        if g["strand"] == strand and g["start"] == start
        and all(g[k] == v for k, v in fields.items())
    ]  # fmt: skip
    assert len(matches) == 1, matches
    return matches[0]


def test_sickle_cell_pam_changed_by_hbs():
    result = design_guides_for_patient(HBB_FASTA, HBB_VCF)

    # By hand: protospacer 50-69 then PAM 70-72 reads AGG on the reference;
    # HbS (A>T at 70) makes it TGG, still NGG.
    guide = _find(result, "+", 50, pam_rule="NGG")
    assert guide["protospacer"] == "CATGGTGCATCTGACTCCTG"
    assert guide["pam"] == "TGG"
    assert guide["reference_pam"] == "AGG"
    assert guide["effect"] == "changed"
    assert guide["end"] == 69
    assert guide["cut_position"] == 66
    assert guide["variants"] == ["rs334"]


def test_sickle_cell_weak_pams_destroyed(hbb_sequence):
    result = design_guides_for_patient(HBB_FASTA, HBB_VCF)

    # GAG at 69-71 (a NAG PAM) and TGA at 68-70 (NGA) lose their A at 70.
    assert hbb_sequence[68:71] == "GAG"
    nag = _find(result, "+", 49, pam_rule="NAG")
    nga = _find(result, "+", 48, pam_rule="NGA")
    assert nag["effect"] == "destroyed"
    assert nag["haplotypes"] == []
    assert nga["effect"] == "destroyed"


def test_sickle_cell_minus_strand_changed(hbb_sequence):
    result = design_guides_for_patient(HBB_FASTA, HBB_VCF)

    # CCA at 49-51 is a TGG PAM on the minus strand. Its protospacer covers
    # 52-71, so it contains position 70, and the cut falls between 54 and 55.
    assert hbb_sequence[48:51] == "CCA"
    guide = _find(result, "-", 52, pam_rule="NGG")
    assert guide["id"] == "49rev"
    assert guide["protospacer"] == "CACAGGAGTCAGATGCACCA"
    assert guide["reference_protospacer"] == "CTCAGGAGTCAGATGCACCA"
    assert guide["cut_position"] == 54
    assert guide["effect"] == "changed"


def test_sickle_cell_summary_fields():
    result = design_guides_for_patient(HBB_FASTA, HBB_VCF)

    assert result["nuclease"] == "SpCas9"
    assert result["region"] == "HBB:1-1475"
    assert result["variants_applied"] == 1
    assert [h["name"] for h in result["haplotypes"]] == ["hap1", "hap2"]
    assert result["haplotypes"][0]["variants"] == ["rs334"]
    assert result["phase_known"] is True


def test_sickle_cell_result_has_no_raw_sequence(hbb_sequence):
    text = json.dumps(design_guides_for_patient(HBB_FASTA, HBB_VCF))

    patient = hbb_sequence[:69] + "T" + hbb_sequence[70:]
    for start in range(0, len(patient) - 40, 40):
        assert patient[start : start + 40] not in text


def test_sickle_cell_fast():
    started = time.perf_counter()
    design_guides_for_patient(HBB_FASTA, HBB_VCF)
    assert time.perf_counter() - started < 1.0


def test_reference_only_all_unchanged():
    result = design_guides_for_patient(HBB_FASTA)

    assert {g["effect"] for g in result["guides"]} == {"unchanged"}
    assert result["variants_applied"] == 0
    assert result["haplotypes"][0]["name"] == "reference"


def test_region_subset_limits_guides():
    result = design_guides_for_patient(HBB_FASTA, HBB_VCF, region="HBB:40-100")

    assert result["region"] == "HBB:40-100"
    assert all(40 <= g["start"] and g["end"] <= 100 for g in result["guides"])


def test_created_guide_heterozygous(tmp_path):
    fasta = write_fasta(tmp_path / "at.fa", {"t": AT_ONLY})
    # Positions 25-26 read "TT"; the patient's GG on haplotype 2 creates the
    # PAM TGG at 24-26, whose protospacer is 4-23 and whose cut is 20|21.
    assert AT_ONLY[23:26] == "TTT"
    vcf = write_vcf(tmp_path / "p.vcf", ["t\t25\tnew\tTT\tGG\t.\tPASS\t.\tGT\t0|1"], "t", 40)
    result = design_guides_for_patient(fasta, vcf)

    guide = _find(result, "+", 4, pam_rule="NGG")
    assert guide["pam"] == "TGG"
    assert guide["protospacer"] == AT_ONLY[3:23]
    assert guide["effect"] == "created"
    assert guide["haplotypes"] == ["hap2"]
    assert guide["allele_specific"] is True
    assert guide["cut_position"] == 20


def test_insertion_keeps_reference_coordinates(tmp_path):
    # A 3-nt insertion after position 30 shifts the haplotype, but the guide
    # with its PAM at 70-72 must keep its reference coordinates.
    vcf = write_vcf(tmp_path / "p.vcf", ["HBB\t30\tins\tT\tTGGG\t.\tPASS\t.\tGT\t1|1"])
    result = design_guides_for_patient(HBB_FASTA, vcf)

    guide = _find(result, "+", 50, pam_rule="NGG")
    assert guide["effect"] == "unchanged"
    assert guide["cut_position"] == 66
    assert result["haplotypes"][0]["length"] == 1478


def test_nuclease_cas12a_staggered_cut():
    result = design_guides_for_patient(HBB_FASTA, nuclease="Cas12a")

    guide = result["guides"][0]
    assert len(guide["protospacer"]) == 23
    assert guide["pam"][:3] == "TTT"
    # The non-target strand is cut 18 nt and the target strand 23 nt past the PAM.
    assert abs(guide["target_cut_position"] - guide["cut_position"]) == 5


def test_line_endings_give_same_guides(tmp_path, hbb_sequence):
    expected = design_guides_for_patient(HBB_FASTA)["guides"]
    for name, newline, width in [("lf", "\n", 70), ("crlf", "\r\n", 60), ("cr", "\r", 50)]:
        path = write_fasta(tmp_path / f"{name}.fa", {"HBB": hbb_sequence}, newline, width)
        assert design_guides_for_patient(path)["guides"] == expected, name


def test_uneven_lines_accepted(tmp_path, hbb_sequence):
    lines = [">HBB", hbb_sequence[:35], hbb_sequence[35:90], hbb_sequence[90:]]
    path = tmp_path / "uneven.fa"
    path.write_text("\n".join(lines) + "\n")

    assert design_guides_for_patient(path)["guides"] == design_guides_for_patient(HBB_FASTA)["guides"]


def test_soft_masked_and_n_runs_reported(tmp_path, hbb_sequence):
    sequence = hbb_sequence[:100].lower() + hbb_sequence[100:600] + "N" * 10 + hbb_sequence[610:]
    path = write_fasta(tmp_path / "masked.fa", {"HBB": sequence})
    result = design_guides_for_patient(path)

    assert result["reference"]["soft_masked_nt"] == 100
    assert result["reference"]["n_runs"] == [[601, 610]]
    assert "soft_masked" in _find(result, "+", 50, pam_rule="NGG")["flags"]
    assert all(g["end"] < 601 or g["start"] > 610 for g in result["guides"])


def test_iupac_codes_accepted_and_skipped(tmp_path, hbb_sequence):
    sequence = hbb_sequence[:60] + "R" + hbb_sequence[61:]
    path = write_fasta(tmp_path / "iupac.fa", {"HBB": sequence})
    result = design_guides_for_patient(path)

    assert result["reference"]["ambiguous_nt"] == 1
    assert all(not (g["start"] <= 61 <= g["end"]) for g in result["guides"])


def test_bad_fasta_character_names_position(tmp_path):
    path = write_fasta(tmp_path / "bad.fa", {"x": "ACGTACGTAC" + "ACGTX" + "ACGT"})

    with pytest.raises(SequenceError, match=r"'X' at x:15"):
        design_guides_for_patient(path)


def test_ref_mismatch_rejected(tmp_path):
    vcf = write_vcf(tmp_path / "bad.vcf", ["HBB\t70\trs334\tG\tT\t.\tPASS\t.\tGT\t1/1"])

    with pytest.raises(VariantError, match=r"REF 'G' of variant rs334 at HBB:70 .* 'A'"):
        design_guides_for_patient(HBB_FASTA, vcf)


def test_unknown_vcf_contig_rejected(tmp_path):
    vcf = write_vcf(tmp_path / "chr.vcf", ["chr11\t70\trs334\tA\tT\t.\tPASS\t.\tGT\t1/1"])

    with pytest.raises(ContigNotFoundError, match="'chr11'"):
        design_guides_for_patient(HBB_FASTA, vcf)


def test_unknown_region_contig_rejected():
    with pytest.raises(ContigNotFoundError, match="'chr11' not found"):
        design_guides_for_patient(HBB_FASTA, region="chr11:1-100")


def test_region_past_contig_end_rejected():
    with pytest.raises(RegionError, match="1475"):
        design_guides_for_patient(HBB_FASTA, region="HBB:1-2000")


def test_malformed_region_rejected():
    with pytest.raises(RegionError, match="CONTIG:START-END"):
        design_guides_for_patient(HBB_FASTA, region="HBB:100")


def test_unknown_nuclease_rejected():
    with pytest.raises(NucleaseError, match="'xCas9'"):
        design_guides_for_patient(HBB_FASTA, nuclease="xCas9")


def test_overlap_unphased_rejected(tmp_path):
    rows = [
        "HBB\t70\trs334\tA\tT\t.\tPASS\t.\tGT\t0/1",
        "HBB\t69\tmnv\tGAG\tGTC\t.\tPASS\t.\tGT\t0/1",
    ]
    vcf = write_vcf(tmp_path / "overlap.vcf", rows)

    with pytest.raises(VariantError, match="overlap on hap2.*phase the VCF"):
        design_guides_for_patient(HBB_FASTA, vcf)


def test_overlap_phased_apart_accepted(tmp_path):
    rows = [
        "HBB\t69\tmnv\tGAG\tGTC\t.\tPASS\t.\tGT\t1|0",
        "HBB\t70\trs334\tA\tT\t.\tPASS\t.\tGT\t0|1",
    ]
    result = design_guides_for_patient(HBB_FASTA, write_vcf(tmp_path / "phased.vcf", rows))

    assert result["variants_applied"] == 2
    assert result["haplotypes"][0]["variants"] == ["mnv"]
    assert result["haplotypes"][1]["variants"] == ["rs334"]


def test_unphased_hets_warn(tmp_path):
    rows = [
        "HBB\t70\trs334\tA\tT\t.\tPASS\t.\tGT\t0/1",
        "HBB\t300\tother\tG\tT\t.\tPASS\t.\tGT\t0/1",
    ]
    vcf = write_vcf(tmp_path / "unphased.vcf", rows)

    with pytest.warns(PhaseUnknownWarning, match="2 unphased"):
        result = design_guides_for_patient(HBB_FASTA, vcf)
    assert result["phase_known"] is False


def test_symbolic_allele_rejected(tmp_path):
    vcf = write_vcf(tmp_path / "sv.vcf", ["HBB\t70\tsv\tA\t<DEL>\t.\tPASS\t.\tGT\t0/1"])

    with pytest.raises(VariantError, match="'<DEL>'.*not a sequence allele"):
        design_guides_for_patient(HBB_FASTA, vcf)


def test_filtered_record_skipped(tmp_path):
    vcf = write_vcf(tmp_path / "f.vcf", ["HBB\t70\trs334\tA\tT\t.\tLowQual\t.\tGT\t1/1"])
    result = design_guides_for_patient(HBB_FASTA, vcf)

    assert result["variants_applied"] == 0
    assert result["variants_filtered"] == 1


def test_errors_are_value_errors(tmp_path):
    with pytest.raises(ValueError):
        design_guides_for_patient(tmp_path / "missing.fa")
    assert issubclass(GenomicInputError, ValueError)


def test_duplicate_contig_rejected(tmp_path):
    path = tmp_path / "dup.fa"
    path.write_text(">a\nACGTACGT\nAC\nACGTACGT\n>a\nACGT\n")

    with pytest.raises(SequenceError, match='dup.fa: Duplicate key "a"'):
        design_guides_for_patient(path, region="a")


def test_gzip_fasta_rejected(tmp_path):
    path = tmp_path / "hbb.fa.gz"
    path.write_bytes(gzip.compress(HBB_FASTA.read_bytes()))

    with pytest.raises(SequenceError, match="gzip-compressed; decompress it"):
        design_guides_for_patient(path)


def test_not_fasta_rejected(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("patient notes\n")

    with pytest.raises(SequenceError, match="neither FASTA nor 2bit"):
        design_guides_for_patient(path)


def test_vcf_without_sample_rejected(tmp_path):
    path = tmp_path / "sites.vcf"
    path.write_text(
        "##fileformat=VCFv4.3\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nHBB\t70\trs334\tA\tT\t.\t.\t.\n"
    )

    with pytest.raises(VariantError, match="no sample column"):
        design_guides_for_patient(HBB_FASTA, path)


def test_2bit_region_of_yeast():
    result = design_guides_for_patient(YEAST_2BIT, region="chrI:766-947")

    assert result["region"] == "chrI:766-947"
    assert result["reference"]["length"] == 182


def test_multi_contig_needs_region():
    with pytest.raises(RegionError, match="17 contigs"):
        design_guides_for_patient(YEAST_2BIT)
