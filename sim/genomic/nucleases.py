"""CRISPR nucleases: PAM, protospacer length and cut geometry.

Coordinates along a protospacer count from its 5' end on the non-target
strand (the strand that carries the PAM sequence as written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sim.genomic.errors import NucleaseError
from sim.genomic.sequence import IUPAC_BASES

__all__ = ["CAS12A", "NUCLEASES", "SACAS9", "SPCAS9", "Nuclease", "get_nuclease"]


@dataclass(frozen=True)
class Nuclease:
    """Targeting rules of one nuclease.

    Attributes
    ----------
    name : str
        Display name.
    pam : str
        Canonical PAM in IUPAC codes, 5'->3' on the non-target strand.
    protospacer_nt : int
        Protospacer (spacer) length in nucleotides.
    pam_side : {"3prime", "5prime"}
        Side of the protospacer the PAM lies on.
    cut_from_pam_nt : int
        Distance of the non-target-strand cut from the PAM, in nucleotides
        into the protospacer.
    target_cut_from_pam_nt : int
        The same for the target strand; equal to ``cut_from_pam_nt`` for a
        blunt cut.
    weak_pams : tuple of str
        Non-canonical PAMs the nuclease still cuts at reduced activity.
    """

    name: str
    pam: str
    protospacer_nt: int
    pam_side: Literal["3prime", "5prime"]
    cut_from_pam_nt: int
    target_cut_from_pam_nt: int
    weak_pams: tuple[str, ...] = ()

    @property
    def pam_nt(self) -> int:
        """PAM length in nucleotides."""
        return len(self.pam)

    @property
    def blunt(self) -> bool:
        """Whether both strands are cut at the same place."""
        return self.cut_from_pam_nt == self.target_cut_from_pam_nt

    @property
    def all_pams(self) -> tuple[str, ...]:
        """The canonical PAM followed by the weak ones."""
        return (self.pam, *self.weak_pams)

    def cut_offset(self, *, target_strand: bool = False) -> int:
        """Return the cut as the number of protospacer nucleotides 5' of it."""
        distance = self.target_cut_from_pam_nt if target_strand else self.cut_from_pam_nt
        if self.pam_side == "3prime":
            return self.protospacer_nt - distance
        return distance

    def pam_pattern(self, pam: str) -> re.Pattern[str]:
        """Compile a PAM in IUPAC codes to a regular expression over A, C, G, T."""
        return _compile_pam(pam)

    def classify_pam(self, pam: str) -> str | None:
        """Return the PAM rule ``pam`` satisfies (canonical first), or ``None``."""
        for rule in self.all_pams:
            if self.pam_pattern(rule).fullmatch(pam):
                return rule
        return None


@lru_cache(maxsize=32)
def _compile_pam(pam: str) -> re.Pattern[str]:
    return re.compile("".join(f"[{IUPAC_BASES[c]}]" for c in pam))


#: Streptococcus pyogenes Cas9: NGG, 20-nt spacer, blunt cut 3 bp 5' of the PAM
#: (Jinek et al., Science 337:816, 2012). NAG and NGA are cut at lower rates
#: (Hsu et al., Nature Biotechnology 31:827, 2013).
SPCAS9 = Nuclease("SpCas9", "NGG", 20, "3prime", 3, 3, weak_pams=("NAG", "NGA"))

#: Staphylococcus aureus Cas9: NNGRRT, 21-nt spacer, blunt cut 3 bp 5' of the PAM
#: (Ran et al., Nature 520:186, 2015).
SACAS9 = Nuclease("SaCas9", "NNGRRT", 21, "3prime", 3, 3)

#: Cas12a (Cpf1): 5' TTTV PAM, 23-nt spacer, staggered cut after nucleotide 18
#: of the non-target strand and 23 of the target strand, leaving a 5-nt 5'
#: overhang (Zetsche et al., Cell 163:759, 2015).
CAS12A = Nuclease("Cas12a", "TTTV", 23, "5prime", 18, 23)

#: Supported nucleases by lowercase name and alias.
NUCLEASES: dict[str, Nuclease] = {
    "spcas9": SPCAS9,
    "cas9": SPCAS9,
    "sacas9": SACAS9,
    "cas12a": CAS12A,
    "cpf1": CAS12A,
    "ascas12a": CAS12A,
    "lbcas12a": CAS12A,
}


def get_nuclease(name: str | Nuclease) -> Nuclease:
    """Look up a nuclease by name, case-insensitively.

    Raises
    ------
    NucleaseError
        If the name is not supported.
    """
    if isinstance(name, Nuclease):
        return name
    try:
        return NUCLEASES[name.strip().lower()]
    except KeyError:
        raise NucleaseError(
            f"unsupported nuclease {name!r}; choose one of SpCas9, SaCas9, Cas12a "
            "(any case; Cas9 is an alias of SpCas9, and Cpf1, AsCas12a and LbCas12a of Cas12a)"
        ) from None
