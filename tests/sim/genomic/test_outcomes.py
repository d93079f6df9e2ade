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
from sim.genomic.reference import ReferenceRegion, read_reference
from sim.genomic.sequence import Region
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
    # of codon 7, GAG) becomes A: GAA is also glutamate. No other PAM change
    # is synonymous (72 starts codon 8, GAG), and AAG is a weak NAG PAM, so
    # two seed changes follow, PAM-proximal first: 69 (GAG) has no synonymous
    # change, 68 makes codon 6 CCT > CCA (Pro), 67 and 66 have none, and 65
    # makes codon 5 ACT > ACA (Thr).
    pam, seed_1, seed_2 = donor["blocking_changes"]
    assert (pam["position"], pam["ref"], pam["alt"], pam["disrupts"]) == (71, "G", "A", "PAM")
    assert (pam["codon_before"], pam["codon_after"]) == ("GAG", "GAA")
    assert pam["amino_acid_before"] == pam["amino_acid_after"] == "E"
    assert (seed_1["position"], seed_1["codon_before"], seed_1["codon_after"]) == (68, "CCT", "CCA")
    assert (seed_2["position"], seed_2["codon_before"], seed_2["codon_after"]) == (65, "ACT", "ACA")
    assert seed_1["disrupts"] == seed_2["disrupts"] == "seed"
    assert donor["donor_recut"] is False


def test_donor_pam_change_avoids_weak_pam():
    # Outside a CDS the first G of the PAM could become A (NAG, still cut
    # weakly); C leaves NCG, which SpCas9 does not cut.
    sequence = "A" * 60 + "CATGGTGCATCTGACTCCTG" + "AGG" + "A" * 60
    reference = ReferenceRegion(Region("x", 1, len(sequence)), sequence, len(sequence), ("x",))
    guide = {"id": "81forw", "strand": "+", "start": 61, "end": 80, "cut_position": 77,
             "protospacer": "CATGGTGCATCTGACTCCTG", "pam_rule": "NGG"}  # fmt: skip
    # The patient's T at 78 (spacer nt 18) is reverted to the reference C.
    variant = Variant("x", 78, "C", ("T",), "snv", (1, 1), False)

    donor = design_donor(reference, variant, guide)

    (change,) = donor["blocking_changes"]
    assert (change["position"], change["alt"], change["region"]) == (82, "C", "non-coding")
    # The donor spans 28-128, so position 82 is its index 54.
    assert donor["donor"][54] == "C"
    assert donor["donor"][50] == "C"


def test_hbs_donor_sequence_and_arms(hbb_design, hbb_sequence):
    reference, variant, guides = hbb_design
    donor = design_donor(reference, variant, guides["70forw"], HBB_CDS, DonorParameters(arm_nt=40))

    # Reference bases 30-110 (position 70 is already the reference A), with
    # the blocking changes T65A, T68A and G71A.
    expected = hbb_sequence[29:64] + "A" + hbb_sequence[65:67] + "A" + hbb_sequence[68:70] + "A" + hbb_sequence[71:110]
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


def test_hbs_donor_translates_to_beta_globin(hbb_design):
    reference, variant, guides = hbb_design
    donor = design_donor(reference, variant, guides["70forw"], HBB_CDS)
    edited = list(reference.sequence)
    for change in donor["blocking_changes"]:
        edited[change["position"] - 1] = change["alt"]

    cds = "".join(edited[p - 1] for p in HBB_CDS.positions())
    assert translate(cds).rstrip("*") == BETA_GLOBIN
