"""Find the patient haplotype a designed guide cuts, or explain why it cuts none.

Edit outcomes only make sense where the guide's exact protospacer and PAM
exist. A guide that the patient's variants destroyed (``haplotypes`` empty
in its design record) cuts no haplotype, and a guide whose sequence differs
between haplotypes needs the haplotype named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.genomic.errors import GuideError
from sim.genomic.nucleases import Nuclease
from sim.genomic.variants import Haplotype, Variant

__all__ = ["pam_span", "select_target"]


def select_target(
    guides: Sequence[dict[str, Any]],
    guide_id: str,
    haplotypes: Sequence[Haplotype],
    nuclease: Nuclease,
    variants: Sequence[Variant] = (),
    haplotype: str | None = None,
) -> tuple[dict[str, Any], Haplotype]:
    """Return the design record of ``guide_id`` and a haplotype that carries its protospacer and PAM.

    Parameters
    ----------
    guides : sequence of dict
        Records from :func:`sim.genomic.design.design_guides`.
    guide_id : str
        Guide id, e.g. ``70forw``.
    haplotypes : sequence of Haplotype
        The haplotypes the guides were designed on.
    nuclease : Nuclease
        The nuclease of the design, for the PAM's position.
    variants : sequence of Variant
        The patient's variants, to explain a lost site.
    haplotype : str, optional
        Haplotype name to use; by default the first that carries the guide.

    Raises
    ------
    GuideError
        If the id is not in the design or the named haplotype does not
        exist. Also if no candidate haplotype carries the guide, and then the
        message names the variants that changed the site. Also if the guide's
        sequence differs between haplotypes and ``haplotype`` is not given.
    """
    matches = [guide for guide in guides if guide["id"] == guide_id]
    if not matches:
        raise GuideError(f"guide {guide_id!r} not found in the design; list the guides with 'sim guides'")
    candidates = _candidate_haplotypes(haplotypes, haplotype)
    carried = [(g, h) for g in matches for h in candidates if h.name in g["haplotypes"]]
    if not carried:
        raise GuideError(_not_targeted(matches[0], candidates, nuclease, variants))

    sequences = {f"{h.name}: {g['protospacer']} {g['pam']}" for g, h in carried}
    if len({(g["protospacer"], g["pam"]) for g, _ in carried}) > 1:
        raise GuideError(
            f"guide {guide_id} has a different sequence on each haplotype ({'; '.join(sorted(sequences))}); "
            "choose the haplotype to predict outcomes on"
        )
    return carried[0]


def _candidate_haplotypes(haplotypes: Sequence[Haplotype], name: str | None) -> list[Haplotype]:
    if name is None:
        return list(haplotypes)
    chosen = [h for h in haplotypes if h.name == name]
    if not chosen:
        known = ", ".join(h.name for h in haplotypes)
        raise GuideError(f"haplotype {name!r} not found; the haplotypes are {known}")
    return chosen


def pam_span(guide: dict[str, Any], nuclease: Nuclease) -> tuple[int, int]:
    """Return the 1-based inclusive reference interval of a guide's PAM.

    The PAM lies 3' of the protospacer for Cas9 and 5' for Cas12a, on the
    guide's strand. ``start`` and ``end`` bound the protospacer on the plus strand.
    """
    pam_right = (nuclease.pam_side == "3prime") == (guide["strand"] == "+")
    if pam_right:
        return guide["end"] + 1, guide["end"] + nuclease.pam_nt
    return guide["start"] - nuclease.pam_nt, guide["start"] - 1


def _not_targeted(
    guide: dict[str, Any], haplotypes: list[Haplotype], nuclease: Nuclease, variants: Sequence[Variant]
) -> str:
    names = " or ".join(h.name for h in haplotypes)
    applied = {name for h in haplotypes for name in h.variants}
    culprits = [v for v in variants if v.name in guide["variants"] and v.name in applied]
    prefix = f"guide {guide['id']} does not target {names}"
    if not culprits:
        return f"{prefix}: its protospacer and PAM are absent there; choose a guide that 'sim guides' lists for it"
    described = " and ".join(f"{v.name} at {v.contig}:{v.pos}" for v in culprits)
    noun = "variant" if len(culprits) == 1 else "variants"
    return (
        f"{prefix}: the patient's {noun} {described} {_damage(guide, nuclease, culprits)}; "
        "choose a guide that 'sim guides --vcf' lists with that haplotype"
    )


def _damage(guide: dict[str, Any], nuclease: Nuclease, culprits: list[Variant]) -> str:
    destroy, change = ("destroys", "changes") if len(culprits) == 1 else ("destroy", "change")
    pam_low, pam_high = pam_span(guide, nuclease)
    in_pam = any(v.pos <= pam_high and v.end >= pam_low for v in culprits)
    in_spacer = any(v.pos <= guide["end"] and v.end >= guide["start"] for v in culprits)
    if in_pam and in_spacer:
        return f"{change} its protospacer and {destroy} its PAM {guide['pam']}"
    if in_pam:
        return f"{destroy} its PAM {guide['pam']}"
    return f"{change} its protospacer {guide['protospacer']}"
