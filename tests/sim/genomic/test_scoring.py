"""Rule Set 1, MIT and CFD against published values and hand computations."""

from __future__ import annotations

import csv
import math

import pytest

from sim.genomic import GuideError
from sim.genomic.scoring import (
    cfd_score,
    cfd_specificity,
    mit_hit_score,
    mit_specificity,
    rule_set_1,
)
from tests.sim.genomic.files import DATA

CFD_TABLE = DATA.parents[1] / "sim" / "genomic" / "data" / "cfd_mismatch.tsv"
# Hsu et al. (2013) weights as printed in the paper, position 1 to 20.
HSU_WEIGHTS = [0, 0, 0.014, 0, 0, 0.395, 0.317, 0, 0.389, 0.079,
               0.445, 0.508, 0.613, 0.851, 0.732, 0.828, 0.615, 0.804, 0.685, 0.583]  # fmt: skip


def _cfd_table() -> dict[str, float]:
    with CFD_TABLE.open() as handle:
        return {row["key"]: float(row["score"]) for row in csv.DictReader(handle, delimiter="\t")}


def test_rule_set_1_published_examples():
    # Worked examples printed by the authors' scoring script (12 significant digits).
    assert rule_set_1("TATAGCTGCGATCTGAGGTAGGGAGGGACC") == pytest.approx(0.713089368437, abs=1e-11)
    assert rule_set_1("TCCGCACCTGTCACGGTCGGGGCTTGGCGC") == pytest.approx(0.0189838463593, abs=1e-12)


def test_rule_set_1_rejects_short_context():
    with pytest.raises(GuideError, match="expected 30 nt"):
        rule_set_1("ACGT")


def test_mit_perfect_match_is_100():
    assert mit_hit_score("A" * 20, "A" * 20) == 100.0


def test_mit_single_mismatch_by_hand():
    # One mismatch at position 14: 100 * (1 - 0.851), no distance or count penalty.
    offtarget = "A" * 13 + "C" + "A" * 6
    assert mit_hit_score("A" * 20, offtarget) == pytest.approx(100 * (1 - 0.851))


def test_mit_two_mismatches_by_hand():
    # Positions 6 and 14: d = 8, n = 2.
    offtarget = "A" * 5 + "C" + "A" * 7 + "G" + "A" * 6
    expected = 100 * (1 - 0.395) * (1 - 0.851) / ((19 - 8) / 19 * 4 + 1) / 2**2
    assert mit_hit_score("A" * 20, offtarget) == pytest.approx(expected)


def test_mit_real_valued_mean_distance():
    # Positions 1, 2 and 4: gaps 1 and 2, mean 1.5 (1 with integer division).
    offtarget = "CC" + "A" + "C" + "A" * 16
    expected = 100 * 1 * 1 * 1 / ((19 - 1.5) / 19 * 4 + 1) / 3**2
    assert mit_hit_score("A" * 20, offtarget) == pytest.approx(expected)


def test_mit_weights_match_paper():
    for position, weight in enumerate(HSU_WEIGHTS):
        offtarget = "A" * position + "T" + "A" * (19 - position)
        assert mit_hit_score("A" * 20, offtarget) == pytest.approx(100 * (1 - weight))


def test_cfd_crispor_reference_values():
    # Doctest values of CRISPOR's calcCfdScore (crisporWebsite, crispor.py).
    assert cfd_score("ATGGTCGGACTCCCTGCCAG", "ATGGTGGGACTCCCTGCCAGAGG") == pytest.approx(0.5)
    assert cfd_score("ATGGTCGGACTCCCTGCCAG", "ATGATCCAAATCCCTGCCAGAGG") == pytest.approx(0.53625000020625)
    assert cfd_score("ATGTGGAGATTGCCACCTAC", "ATCTGGAGATTGCCACCTACAGG") == pytest.approx(0.384615385)
    assert cfd_score("G" * 20, "G" * 17 + "AAAGGG") == pytest.approx(0.4635989007074176)


def test_cfd_by_hand_from_table():
    table = _cfd_table()
    # Guide A at 3 faces C (complement G), guide A at 7 faces T (complement A); PAM TAG.
    offtarget = "AAC" + "AAA" + "T" + "A" * 13 + "TAG"
    expected = table["rA:dG,3"] * table["rA:dA,7"] * 0.25925925899999996
    assert cfd_score("A" * 20, offtarget) == pytest.approx(expected)


def test_cfd_pam_without_score_is_zero():
    assert cfd_score("A" * 20, "A" * 20 + "ACC") == 0.0


def test_cfd_rejects_n():
    with pytest.raises(GuideError, match="target"):
        cfd_score("A" * 20, "A" * 19 + "N" + "TGG")


def test_specificity_formulas():
    assert mit_specificity([]) == 100.0
    assert mit_specificity([50.0, 50.0]) == pytest.approx(50.0)
    # CRISPOR passes 0-1 CFD scores to the MIT aggregate: 100 * 100 / (100 + sum).
    assert cfd_specificity([]) == 100.0
    assert cfd_specificity([0.25, 0.75]) == pytest.approx(10000 / 101)
    assert cfd_specificity([1.0] * 100) == pytest.approx(50.0)


def test_rule_set_1_low_gc_by_hand():
    # GC count 0: the term is |10 - 0| * gc_low. Every A-weight whose 0-based
    # position contains an A counts, and so do AA at 5 and 23 and AG at 24.
    context = "AAAA" + "A" * 20 + "AGG" + "AAA"
    logit = (
        0.597636154
        + 10 * -0.202625894
        + (-0.323887456 + 0.036440041 - 0.466099015 + 0.085376945)
        + (0.272620512 + 0.097454592 + 0.22508903 - 0.077300704)
        + (-0.834836245 - 0.579492389 - 0.077300704)
    )
    assert rule_set_1(context) == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-12)


def test_rule_set_1_high_gc_by_hand():
    # GC count 20: the term is |10 - 20| * gc_high. C at 4, 5, 6, 14, 15, 17,
    # 18, 21 and 23, A at 2 and 24, CC at 19 and AG at 24.
    context = "AAAA" + "C" * 20 + "AGG" + "AAA"
    logit = (
        0.597636154
        + 10 * -0.166587752
        + (-0.20180294 + 0.098376835 - 0.741181291 - 0.013813972 - 0.119022648)
        + (-0.345795451 - 0.507794051 + 0.057823319 - 0.876235846)
        + (-0.323887456 - 0.077300704)
        + (0.748072092 - 0.077300704)
    )
    assert rule_set_1(context) == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-12)


def test_cfd_two_mismatches_nag_by_hand():
    # Position 3: guide C faces T, key rC:dA,3 = 0.6875 (complement of T).
    # Position 18: guide C faces A, key rC:dT,18 = 0.538461538. PAM AAG, key AG.
    # Keying on the off-target base itself would read rC:dT,3 = 0.867 and rC:dA,18 = 0.643.
    guide = "GACGCATAAAGATGAGACGC"
    site = "GATGCATAAAGATGAGAAGC" + "AAG"
    assert cfd_score(guide, site) == pytest.approx(0.6875 * 0.538461538 * 0.25925925899999996, rel=1e-12)
