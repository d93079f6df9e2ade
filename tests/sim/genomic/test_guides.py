"""Guide enumeration: PAM positions on both strands, cut sites, flags."""

from __future__ import annotations

import pytest

from sim.genomic import CAS12A, SACAS9, SPCAS9, NucleaseError, get_nuclease
from sim.genomic.guides import find_guide_sites, guide_flags
from sim.genomic.sequence import parse_region, reverse_complement

# 1-based: CCT at 1-3 (an AGG PAM on the minus strand), 20 nt of A/T at
# 4-23, AGG at 24-26 (a plus-strand PAM).
TINY = "CCT" + "AAAATTTTAAAATTTTAAAT" + "AGG"


def _sites(sequence, nuclease):
    return {(s.strand, s.pam_rule, s.start + 1): s for s in find_guide_sites(sequence, nuclease)}


def test_spcas9_sites_both_strands_by_hand():
    sites = _sites(TINY, SPCAS9)

    # Plus: AGG at 24-26 (spacer 4-23) and TAG at 23-25 (spacer 3-22).
    # Minus: CCT at 1-3 reads AGG (spacer 4-23); CTA at 2-4 reads TAG (spacer 5-24).
    assert set(sites) == {("+", "NGG", 4), ("+", "NAG", 3), ("-", "NGG", 4), ("-", "NAG", 5)}
    assert sites[("+", "NGG", 4)].protospacer == "AAAATTTTAAAATTTTAAAT"
    assert sites[("-", "NGG", 4)].protospacer == "ATTTAAAATTTTAAAATTTT"
    assert sites[("-", "NGG", 4)].pam == "AGG"


def test_spcas9_cut_three_bp_from_pam():
    sites = _sites(TINY, SPCAS9)

    # Plus: cut between 20 and 21; minus: between 6 and 7 (0-based left base 19 and 5).
    assert sites[("+", "NGG", 4)].cut_index(SPCAS9) == 19
    assert sites[("-", "NGG", 4)].cut_index(SPCAS9) == 5


def test_saCas9_pam_and_length():
    # NNGRRT: 21-nt spacer then e.g. AAGAAT.
    sequence = "C" * 21 + "AAGAAT"
    sites = _sites(sequence, SACAS9)

    assert ("+", "NNGRRT", 1) in sites
    assert sites[("+", "NNGRRT", 1)].protospacer == "C" * 21
    assert sites[("+", "NNGRRT", 1)].cut_index(SACAS9) == 17


def test_cas12a_five_prime_pam_staggered_cut():
    sequence = "TTTA" + "ACGTACGTACGTACGTACGTACG" + "CC"
    site = _sites(sequence, CAS12A)[("+", "TTTV", 5)]

    assert site.pam == "TTTA"
    # Non-target strand cut after spacer nt 18 (1-based base 22), target strand after 23 (27).
    assert site.cut_index(CAS12A) == 21
    assert site.cut_index(CAS12A, target_strand=True) == 26


def test_cas12a_minus_strand():
    sequence = "GG" + reverse_complement("TTTC" + "A" * 23)
    site = _sites(sequence, CAS12A)[("-", "TTTV", 3)]

    assert site.protospacer == "A" * 23
    assert site.pam == "TTTC"


def test_ambiguous_base_excluded():
    assert not _sites("AAAATTTTAAAATTTTNAATAGG", SPCAS9)


def test_rs1_needs_full_context():
    sites = _sites(TINY, SPCAS9)

    assert sites[("+", "NGG", 4)].context is None
    long = "GATC" + TINY[3:] + "TTT"
    assert _sites(long, SPCAS9)[("+", "NGG", 5)].context == long[:30]


def test_flags_poly_t_and_cloning_site():
    sites = _sites("CGTCTCTTTTAAAATTGGCA" + "TGG", SPCAS9)
    flags = guide_flags(sites[("+", "NGG", 1)])

    assert "poly_t" in flags
    assert "bsmbi_site" in flags
    assert "no_5prime_g" in flags


def test_soft_masked_flag():
    sites = _sites(TINY.lower(), SPCAS9)

    assert sites[("+", "NGG", 4)].soft_masked
    assert "soft_masked" in guide_flags(sites[("+", "NGG", 4)])


def test_get_nuclease_aliases():
    assert get_nuclease("cpf1") is CAS12A
    assert get_nuclease(" spcas9 ") is SPCAS9
    with pytest.raises(NucleaseError, match="SpCas9, SaCas9, Cas12a"):
        get_nuclease("Cas13")


def test_parse_region_commas():
    region = parse_region("chr11:5,225,464-5,227,071")

    assert (region.contig, region.start, region.end) == ("chr11", 5225464, 5227071)


def test_spcas9_nga_minus_strand_by_hand():
    # 1-based: TCA at 1-3 reads TGA on the minus strand; spacer at 4-23.
    sequence = "TCA" + "C" * 20
    site = _sites(sequence, SPCAS9)[("-", "NGA", 4)]

    assert site.pam == "TGA"
    assert site.pam_start == 0
    assert site.protospacer == "G" * 20
    # The three spacer bases next to the PAM are 4-6: cut between 6 and 7.
    assert site.cut_index(SPCAS9) == 5


def test_sacas9_minus_strand_by_hand():
    # 1-based: ATTCTT at 1-6 reads AAGAAT (NNGRRT) on the minus strand; spacer at 7-27.
    sequence = "ATTCTT" + "G" * 21
    site = _sites(sequence, SACAS9)[("-", "NNGRRT", 7)]

    assert site.protospacer == "C" * 21
    assert site.pam == "AAGAAT"
    # Blunt cut 3 bp from the PAM: between 9 and 10.
    assert site.cut_index(SACAS9) == 8
    assert site.cut_index(SACAS9, target_strand=True) == 8


def test_cas12a_minus_strand_staggered_cut():
    # 1-based: GG at 1-2, T at 3-25 (spacer, A on the minus strand), GAAA at
    # 26-29 (PAM TTTC on the minus strand). Spacer nt 1 is plus base 25, so
    # nt 18 is base 8 and nt 23 is base 3: the cuts lie between 7|8 and 2|3.
    sequence = "GG" + reverse_complement("TTTC" + "A" * 23)
    site = _sites(sequence, CAS12A)[("-", "TTTV", 3)]

    assert site.pam_start == 25
    assert site.cut_index(CAS12A) == 6
    assert site.cut_index(CAS12A, target_strand=True) == 1
