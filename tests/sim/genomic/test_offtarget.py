"""Off-target index and search: planted sites, brute-force oracles, yeast vs CRISPOR."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from sim.genomic import GuideError, IndexFileError, NucleaseError, design_guides_for_patient
from sim.genomic.offtarget import (
    CRISPOR,
    PUBLISHED,
    OfftargetSearcher,
    OnTarget,
    build_index,
    find_offtargets,
    load_index,
    load_or_build_index,
)
from sim.genomic.offtarget.encoding import unpack
from sim.genomic.offtarget.oracle import scan_genome_numpy, scan_genome_python
from sim.genomic.reference import iter_contigs
from sim.genomic.sequence import reverse_complement
from tests.sim.genomic.files import CRISPOR_SAMPLE_FASTA, CRISPOR_SAMPLE_GUIDES, YEAST_2BIT, write_fasta

GUIDE = "GACTTACGATCGGTACCTAG"
FILLER = "AT" * 15


def _mutate(sequence: str, positions: list[int]) -> str:
    swap = {"A": "C", "C": "A", "G": "T", "T": "G"}
    letters = list(sequence)
    for position in positions:
        letters[position] = swap[letters[position]]
    return "".join(letters)


@pytest.fixture
def planted_genome(tmp_path):
    """Two contigs with sites at 0-5 mismatches from GUIDE on both strands."""
    chr_a = (
        FILLER + GUIDE + "TGG"                                  # perfect, plus, start 31
        + FILLER + _mutate(GUIDE, [0, 19]) + "CAG"              # 2 mismatches, NAG
        + FILLER + _mutate(GUIDE, [0, 5, 10, 15, 19]) + "AGG"   # 5 mismatches: not reported
        + FILLER + GUIDE[:10] + "N" + GUIDE[11:] + "AGG"        # contains N: skipped
        + FILLER
    )  # fmt: skip
    chr_b = (
        FILLER + reverse_complement(_mutate(GUIDE, [3, 7, 12, 18]) + "AGA")  # 4, minus, NGA
        + FILLER + _mutate(GUIDE, [2]) + "TTT"                  # no PAM
        + FILLER
    )  # fmt: skip
    return write_fasta(tmp_path / "planted.fa", {"chrA": chr_a, "chrB": chr_b})


def _as_set(result):
    return {(s["contig"], s["start"], s["strand"], s["mismatches"]) for s in result["sites"]}


def test_planted_sites_found(planted_genome):
    index = build_index(planted_genome)
    (result,) = find_offtargets(index, [GUIDE], max_mismatches=4)

    # By hand: the 2-mismatch NAG site starts at 31 + 23 + 30 = 84; the
    # minus-strand site covers chrB 31-53.
    assert result["perfect_matches"] == 1
    assert result["offtargets"] == 2
    assert _as_set(result) == {("chrA", 84, "+", 2), ("chrB", 31, "-", 4)}
    assert result["offtargets_by_mismatches"] == [0, 0, 1, 0, 1]


def test_planted_mismatch_limit(planted_genome):
    (result,) = find_offtargets(build_index(planted_genome), [GUIDE], max_mismatches=3)

    assert _as_set(result) == {("chrA", 84, "+", 2)}


def test_planted_equals_oracles(planted_genome):
    index = build_index(planted_genome)
    hits = OfftargetSearcher(index).search([GUIDE], 4)
    found = {
        (int(g), index.contig_names[index.contigs[s]], int(index.starts[s]), "+-"[index.strands[s]], int(m))
        for g, s, m in zip(hits.guide, hits.site, hits.mismatches, strict=True)
    }  # fmt: skip

    expected = {site[:5] for site in scan_genome_numpy(planted_genome, [GUIDE], 4)}
    assert found == expected
    assert {site[:5] for site in scan_genome_python(planted_genome, [GUIDE], 4)} == expected


def test_sequence_with_marked_mismatches(planted_genome):
    (result,) = find_offtargets(build_index(planted_genome), [GUIDE])
    site = next(s for s in result["sites"] if s["mismatches"] == 2)

    assert site["sequence"] == "t" + GUIDE[1:19] + "t" + "CAG"


def test_index_save_load_round_trip(planted_genome, tmp_path):
    index = build_index(planted_genome)
    path = index.save(tmp_path / "planted.npz")
    loaded = load_index(path, planted_genome)

    assert np.array_equal(loaded.kmers, index.kmers)
    assert loaded.contig_names == ("chrA", "chrB")


def test_index_other_genome_rejected(planted_genome, tmp_path):
    path = build_index(planted_genome).save(tmp_path / "planted.npz")
    other = write_fasta(tmp_path / "other.fa", {"x": "ACGT" * 20})

    with pytest.raises(IndexFileError, match="another genome"):
        load_index(path, other)


def test_index_corrupt_file_rejected(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not an index")

    with pytest.raises(IndexFileError, match="rebuild"):
        load_index(path)


def test_search_rejects_bad_guide(planted_genome):
    searcher = OfftargetSearcher(build_index(planted_genome))

    with pytest.raises(GuideError, match="number 2"):
        searcher.search([GUIDE, "ACGT"], 4)
    with pytest.raises(GuideError, match="max_mismatches 5"):
        searcher.search([GUIDE], 5)


@pytest.fixture(scope="session")
def yeast_index(tmp_path_factory):
    """The whole S. cerevisiae index, built once per session."""
    return load_or_build_index(YEAST_2BIT, tmp_path_factory.mktemp("index") / "sacCer3.npz")


@pytest.fixture(scope="session")
def yeast_contigs():
    return list(iter_contigs(YEAST_2BIT))


@pytest.fixture(scope="session")
def crispor_rows():
    with CRISPOR_SAMPLE_GUIDES.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _index_sites(index, hits):
    return {
        (int(g), index.contig_names[index.contigs[s]], int(index.starts[s]), "+-"[index.strands[s]], int(m))
        for g, s, m in zip(hits.guide, hits.site, hits.mismatches, strict=True)
    }  # fmt: skip


@pytest.mark.slow
def test_yeast_equals_oracle(yeast_index, yeast_contigs, crispor_rows):
    rng = np.random.default_rng(7)
    random_guides = [unpack(int(k)) for k in rng.choice(yeast_index.kmers, 13, replace=False)]
    guides = [row["targetSeq"][:20] for row in crispor_rows] + random_guides
    hits = OfftargetSearcher(yeast_index).search(guides, 4)

    expected = {site[:5] for site in scan_genome_numpy(yeast_contigs, guides, 4)}
    assert _index_sites(yeast_index, hits) == expected
    assert len(expected) > 100


def test_yeast_crispor_mit_specificity(yeast_index, crispor_rows):
    guides = [row["targetSeq"][:20] for row in crispor_rows]
    # CRISPOR took the perfect NGA match on chrXV as 137forw's on-target and
    # counted the NGG site on chrI as an off-target.
    on_targets = [OnTarget("chrXV", 1083818, "-") if r["guideId"] == "137forw" else None
                  for r in crispor_rows]  # fmt: skip
    results = find_offtargets(yeast_index, guides, on_targets=on_targets, rules=CRISPOR)

    for row, result in zip(crispor_rows, results, strict=True):
        assert result["mit_specificity"] == float(row["mitSpecScore"]), row["guideId"]


def test_yeast_crispor_offtarget_counts(yeast_index, crispor_rows):
    guides = [row["targetSeq"][:20] for row in crispor_rows]
    on_targets = [OnTarget("chrXV", 1083818, "-") if r["guideId"] == "137forw" else None
                  for r in crispor_rows]  # fmt: skip
    results = find_offtargets(yeast_index, guides, on_targets=on_targets, rules=CRISPOR)
    counts = {row["guideId"]: result["offtargets"] for row, result in zip(crispor_rows, results, strict=True)}

    expected = {row["guideId"]: int(row["offtargetCount"]) for row in crispor_rows}
    # 41forw has one site CRISPOR did not report: 2 mismatches, GAG PAM, chrXII.
    assert counts.pop("41forw") == expected.pop("41forw") + 1
    assert counts == expected


def test_yeast_41forw_extra_site(yeast_index):
    (result,) = find_offtargets(yeast_index, ["TACATAAACATATTGGCTTG"], rules=CRISPOR)
    sites = {(s["contig"], s["start"], s["mismatches"], s["sequence"][-3:]) for s in result["sites"]}

    assert ("chrXII", 1064274, 2, "GAG") in sites


def test_yeast_published_rules_count_every_site(yeast_index):
    (crispor,) = find_offtargets(yeast_index, ["ACAATAATACATAAACATAT"], rules=CRISPOR)
    (published,) = find_offtargets(yeast_index, ["ACAATAATACATAAACATAT"], rules=PUBLISHED)

    # The published rules keep the ten 3-4 mismatch NAG/NGA sites CRISPOR drops.
    assert published["offtargets"] == 18
    assert crispor["offtargets"] == 8
    assert published["mit_specificity"] < crispor["mit_specificity"]


def test_sample_guides_match_crispor(crispor_rows):
    result = design_guides_for_patient(CRISPOR_SAMPLE_FASTA)
    designed = {(g["id"], g["protospacer"] + g["pam"]) for g in result["guides"] if g["pam_rule"] == "NGG"}

    assert designed == {(row["guideId"], row["targetSeq"]) for row in crispor_rows}


def test_sample_is_yeast_chr1(crispor_rows):
    from_file = design_guides_for_patient(CRISPOR_SAMPLE_FASTA)["guides"]
    from_genome = design_guides_for_patient(YEAST_2BIT, region="chrI:766-947")["guides"]

    assert [g["protospacer"] for g in from_file] == [g["protospacer"] for g in from_genome]


def test_entry_point_with_index(yeast_index):
    result = design_guides_for_patient(YEAST_2BIT, region="chrI:766-947", offtarget_index=yeast_index, rules=CRISPOR)
    guides = {g["id"]: g for g in result["guides"] if g["pam_rule"] == "NGG"}

    # The region is on the indexed genome, so each guide's own site is the on-target.
    assert all(g["on_target_found"] for g in guides.values())
    # Ids count on chrI; CRISPOR's count on its 182-nt input, which starts at chrI:766,
    # so CRISPOR's 41forw, 137forw and 80rev are 806forw, 902forw and 845rev.
    assert guides["806forw"]["mit_specificity"] == 68.0
    assert guides["902forw"]["mit_specificity"] == 54.0
    assert len(guides["845rev"]["offtarget_sites"]) == 5


def test_entry_point_index_needs_spcas9(yeast_index):
    with pytest.raises(NucleaseError, match="SpCas9"):
        design_guides_for_patient(YEAST_2BIT, region="chrI:766-947", nuclease="Cas12a", offtarget_index=yeast_index)
