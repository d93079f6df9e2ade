"""Find protospacers on both strands and annotate each guide.

All indices in this module are 0-based into the scanned sequence, on its
plus strand; conversion to reference coordinates happens in
:mod:`sim.genomic.design`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.genomic.nucleases import SPCAS9, Nuclease
from sim.genomic.scoring import rule_set_1
from sim.genomic.sequence import reverse_complement

__all__ = ["GuideFlags", "GuideSite", "find_guide_sites", "guide_flags"]

_RS1_FLANK_5PRIME_NT = 4
_RS1_FLANK_3PRIME_NT = 3


@dataclass(frozen=True)
class GuideFlags:
    """Thresholds for the synthesis and expression flags of :func:`guide_flags`.

    Attributes
    ----------
    gc_min, gc_max : float
        GC fraction range outside which a guide is flagged ``gc_low`` or
        ``gc_high``. The 0.25-0.75 default is a heuristic: Rule Set 1
        penalises GC counts away from 10 of 20.
    homopolymer_nt : int
        Run length of one base flagged ``homopolymer`` (oligo synthesis
        errors rise in long runs).
    poly_t_nt : int
        Run of T flagged ``poly_t``: four T end RNA polymerase III
        transcription, so a U6- or H1-expressed guide is cut short.
    """

    gc_min: float = 0.25
    gc_max: float = 0.75
    homopolymer_nt: int = 5
    poly_t_nt: int = 4


#: Type IIS sites used to clone guides into common vectors: BsmBI (CGTCTC,
#: lentiCRISPRv2) and BbsI (GAAGAC, pX330), on either strand.
_CLONING_SITES = {"bsmbi_site": "CGTCTC", "bbsi_site": "GAAGAC"}


@dataclass(frozen=True)
class GuideSite:
    """One protospacer with its PAM on one strand of a scanned sequence.

    Attributes
    ----------
    strand : {"+", "-"}
        Strand of the protospacer relative to the scanned sequence.
    protospacer : str
        Spacer sequence, 5'->3' on its own strand, uppercase.
    pam : str
        PAM as found, 5'->3' on the protospacer's strand.
    pam_rule : str
        The PAM rule it matches (e.g. ``NGG``, or ``NAG`` for a weak PAM).
    start : int
        0-based plus-strand index of the protospacer's leftmost base.
    pam_start : int
        0-based plus-strand index of the PAM's leftmost base.
    context : str or None
        Rule Set 1 30-mer (4 nt, spacer, PAM, 3 nt) when the nuclease is
        SpCas9 and the flanks lie inside the sequence and are unambiguous.
    soft_masked : bool
        Whether any protospacer or PAM base is lowercase (a masked repeat).
    """

    strand: str
    protospacer: str
    pam: str
    pam_rule: str
    start: int
    pam_start: int
    context: str | None
    soft_masked: bool

    def cut_index(self, nuclease: Nuclease, *, target_strand: bool = False) -> int:
        """Return the 0-based plus-strand index of the base left of the cut."""
        offset = nuclease.cut_offset(target_strand=target_strand)
        length = len(self.protospacer)
        if self.strand == "+":
            return self.start + offset - 1
        return self.start + length - offset - 1

    @property
    def rs1(self) -> float | None:
        """Rule Set 1 score, or ``None`` without a full NGG context."""
        return None if self.context is None else rule_set_1(self.context)

    @property
    def gc_fraction(self) -> float:
        """GC fraction of the protospacer."""
        return (self.protospacer.count("G") + self.protospacer.count("C")) / len(self.protospacer)


def find_guide_sites(sequence: str, nuclease: Nuclease) -> list[GuideSite]:
    """Find every protospacer whose PAM matches one of the nuclease's PAM rules.

    Parameters
    ----------
    sequence : str
        Sequence to scan; any IUPAC code. Sites with a base other than A, C,
        G or T in the protospacer or PAM are skipped.
    nuclease : Nuclease
        Targeting rules.

    Returns
    -------
    list of GuideSite
        Sorted by plus-strand position, then strand.
    """
    upper = sequence.upper()
    sites = _scan_strand(upper, sequence, nuclease, "+")
    sites += _scan_strand(reverse_complement(upper), sequence, nuclease, "-")
    return sorted(sites, key=lambda site: (site.start, site.strand))


def _site_pattern(nuclease: Nuclease) -> re.Pattern[str]:
    pams = "|".join(nuclease.pam_pattern(rule).pattern for rule in nuclease.all_pams)
    spacer = f"([ACGT]{{{nuclease.protospacer_nt}}})"
    if nuclease.pam_side == "3prime":
        return re.compile(f"(?={spacer}({pams}))")
    return re.compile(f"(?=({pams}){spacer})")


def _scan_strand(scanned: str, original: str, nuclease: Nuclease, strand: str) -> list[GuideSite]:
    length, pam_nt, total = nuclease.protospacer_nt, nuclease.pam_nt, len(scanned)
    sites = []
    for match in _site_pattern(nuclease).finditer(scanned):
        at = match.start()
        if nuclease.pam_side == "3prime":
            protospacer, pam = match.group(1), match.group(2)
            spacer_at, pam_at = at, at + length
        else:
            pam, protospacer = match.group(1), match.group(2)
            spacer_at, pam_at = at + pam_nt, at
        start, pam_start = spacer_at, pam_at
        if strand == "-":
            start, pam_start = total - spacer_at - length, total - pam_at - pam_nt
        span = original[min(start, pam_start) : max(start + length, pam_start + pam_nt)]
        rule = nuclease.classify_pam(pam)
        assert rule is not None
        context = _rs1_context(scanned, spacer_at, nuclease, rule)
        sites.append(GuideSite(strand, protospacer, pam, rule, start, pam_start, context, span != span.upper()))
    return sites


def _rs1_context(scanned: str, spacer_at: int, nuclease: Nuclease, rule: str) -> str | None:
    # Rule Set 1 was fitted on SpCas9 NGG sites only.
    if nuclease != SPCAS9 or rule != SPCAS9.pam:
        return None
    begin = spacer_at - _RS1_FLANK_5PRIME_NT
    end = spacer_at + nuclease.protospacer_nt + nuclease.pam_nt + _RS1_FLANK_3PRIME_NT
    if begin < 0 or end > len(scanned):
        return None
    context = scanned[begin:end]
    return context if set(context) <= set("ACGT") else None


def guide_flags(site: GuideSite, thresholds: GuideFlags = GuideFlags()) -> list[str]:
    """List the synthesis and expression flags of a guide.

    Flags: ``poly_t``, ``homopolymer``, ``gc_low``, ``gc_high``,
    ``no_5prime_g`` (U6 transcription starts at a G, so a mismatched 5' G is
    usually added), ``bsmbi_site``/``bbsi_site`` (the guide contains the
    cloning enzyme's site) and ``soft_masked``.
    """
    spacer = site.protospacer
    flags = []
    if "T" * thresholds.poly_t_nt in spacer:
        flags.append("poly_t")
    if re.search(rf"([ACGT])\1{{{thresholds.homopolymer_nt - 1}}}", spacer):
        flags.append("homopolymer")
    if site.gc_fraction < thresholds.gc_min:
        flags.append("gc_low")
    if site.gc_fraction > thresholds.gc_max:
        flags.append("gc_high")
    if not spacer.startswith("G"):
        flags.append("no_5prime_g")
    for flag, motif in _CLONING_SITES.items():
        if motif in spacer or reverse_complement(motif) in spacer:
            flags.append(flag)
    if site.soft_masked:
        flags.append("soft_masked")
    return flags
