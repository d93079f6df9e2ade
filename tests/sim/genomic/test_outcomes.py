"""Microhomology deletions (Bae 2014), CDS translation and the HbS donor."""

from __future__ import annotations

import math

import pytest

from sim.genomic import GuideError, VariantError
from sim.genomic.codons import CodingSequence, translate
from sim.genomic.design import design_guides
from sim.genomic.donor import DonorParameters, design_donor
from sim.genomic.nucleases import SPCAS9
from sim.genomic.outcomes import MicrohomologyParameters, predict_deletions
from sim.genomic.reference import read_reference
from sim.genomic.variants import Variant, build_haplotypes, read_variants
from tests.sim.genomic.files import HBB_FASTA, HBB_VCF

# CDS of hbb.fa: ATG at 51; coding exons of 92, 223 and 129 nt separated by
# introns of 130 and 851 nt.
HBB_CDS = CodingSequence(((51, 142), (273, 495), (1347, 1475)))
# Human beta-globin, UniProt P68871 (147 residues after the initiator Met).
BETA_GLOBIN = (
    "MVHLTPEEKSAVTALWGKVNVDEVGGEALGRLLVVYPWTQRFFESFGDLSTPDAVMGNPKVKAHGKKVLGAFSDGLAHLDNLK"
    "GTFATLSELHCDKLHVDPENFRLLGNVLVCVLAHHFGKEFTPPVQAAYQKVVAGVANALAHKYH"
)


def test_single_microhomology_by_hand():
    # AGTC occurs left of the cut at 0-3 and right of it at 16-19; no other
    # 2-mer is shared across the cut, so one deletion of 16 nt remains.
    window = "AGTCAAAAAA" + "TTTTTTAGTC"
    result = predict_deletions(window, 10, MicrohomologyParameters(flank_nt=10))

    assert [p.microhomology for p in result.patterns] == ["AGTC"]
    pattern = result.patterns[0]
    assert pattern.deletion_nt == 16
    assert pattern.deleted == window[:16]
    # Two GC and two AT bases: 100 * (2 * 2 + 2) * exp(-16 / 20).
    assert pattern.score == pytest.approx(600 * math.exp(-0.8))
    assert result.out_of_frame_score == pytest.approx(100.0)


def test_in_frame_and_out_of_frame_by_hand():
    # Shared across the cut: TGG (1-3 and 13-15, 12 nt deleted), CC (6-7
    # and 11-12, 5 nt) and AT (0-1, 4-5 or 8-9 with 17-18: 17, 13, 9 nt).
    window = "ATGGATCCAT" + "ACCTGGTATT"
    result = predict_deletions(window, 10, MicrohomologyParameters(flank_nt=10))
    found = sorted((p.microhomology, p.deletion_nt) for p in result.patterns)

    assert found == [("AT", 9), ("AT", 13), ("AT", 17), ("CC", 5), ("TGG", 12)]
    score = {
        12: 100 * (2 * 2 + 1) * math.exp(-12 / 20),
        5: 100 * (2 * 2) * math.exp(-5 / 20),
        17: 100 * 2 * math.exp(-17 / 20),
        13: 100 * 2 * math.exp(-13 / 20),
        9: 100 * 2 * math.exp(-9 / 20),
    }
    shifted = score[5] + score[17] + score[13]
    assert result.microhomology_score == pytest.approx(sum(score.values()))
    assert result.out_of_frame_score == pytest.approx(100 * shifted / sum(score.values()))


def test_nested_microhomology_counted_once():
    window = "CCGATGAAAA" + "TTTTCGATGT"
    result = predict_deletions(window, 10, MicrohomologyParameters(flank_nt=10))

    assert "CGATG" in [p.microhomology for p in result.patterns]
    assert "GATG" not in [p.microhomology for p in result.patterns]


def test_deletions_need_flanks():
    with pytest.raises(GuideError, match="fewer than 30 nt"):
        predict_deletions("ACGT" * 10, 5)


def test_hbb_cds_translates_to_beta_globin():
    reference = read_reference(HBB_FASTA)
    cds = "".join(reference.sequence[p - 1] for p in HBB_CDS.positions())

    assert translate(cds) == BETA_GLOBIN + "*"


def test_hbs_is_codon_7_glu_to_val():
    number, positions = HBB_CDS.codon_of(70)

    assert number == 7
    assert positions == [69, 70, 71]


@pytest.fixture
def hbb_design():
    reference = read_reference(HBB_FASTA)
    calls = read_variants(HBB_VCF, reference)
    haplotypes = build_haplotypes(reference, calls)
    guides = design_guides(reference, haplotypes, SPCAS9, calls.variants)
    return reference, calls.variants[0], {g["id"]: g for g in guides}


def test_hbs_donor_silent_pam_block(hbb_design):
    reference, variant, guides = hbb_design
    donor = design_donor(reference, variant, guides["70forw"], HBB_CDS)

    # Reverting T70A restores AGG, still a PAM, so the G at 71 (third base
    # of codon 7, GAG) becomes A: GAA is also glutamate.
    (change,) = donor["blocking_changes"]
    assert (change["position"], change["ref"], change["alt"]) == (71, "G", "A")
    assert (change["codon_before"], change["codon_after"]) == ("GAG", "GAA")
    assert change["amino_acid_before"] == change["amino_acid_after"] == "E"
    assert donor["donor_recut"] is False


def test_hbs_donor_sequence_and_arms(hbb_design, hbb_sequence):
    reference, variant, guides = hbb_design
    donor = design_donor(reference, variant, guides["70forw"], HBB_CDS, DonorParameters(arm_nt=40))

    expected = hbb_sequence[29:70] + "A" + hbb_sequence[71:110]
    assert donor["donor"] == expected
    assert len(donor["donor"]) == 81
    assert donor["cut_to_edit_nt"] == 3
    assert donor["codon_check"]["patient_amino_acid"] == "V"
    assert donor["codon_check"]["corrected_amino_acid"] == "E"


def test_donor_rejects_indel(hbb_design):
    reference, _, guides = hbb_design
    indel = Variant("HBB", 70, "A", ("AT",), "ins", (1, 1), False)

    with pytest.raises(VariantError, match="indel"):
        design_donor(reference, indel, guides["70forw"], HBB_CDS)
