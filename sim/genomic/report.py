"""Write design results as JSON, as a CRISPOR-style TSV, and as a guide map (SVG or PNG).

The guide map uses matplotlib's object API with the Agg canvas, so it never
touches the global pyplot backend of the calling process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.genomic.errors import GenomicInputError

__all__ = ["MAP_FORMATS", "guides_tsv", "offtargets_tsv", "to_json", "write_guide_map"]

_TSV_COLUMNS = [
    "#seqId", "guideId", "targetSeq", "mitSpecScore", "cfdSpecScore", "offtargetCount",
    "Doench '14-Score", "strand", "start", "end", "cutPosition", "gcFraction", "flags",
    "effect", "haplotypes", "variants",
]  # fmt: skip
_OFFTARGET_COLUMNS = [
    "guide", "mitSpecScore", "cfdSpecScore", "offtargetCount", "contig", "start", "end", "strand",
    "offtargetSeq", "mismatchCount", "mitOfftargetScore", "cfdOfftargetScore",
]  # fmt: skip
#: File suffixes :func:`write_guide_map` draws, each naming its format.
MAP_FORMATS = (".svg", ".png")
_EFFECT_COLOURS = {
    "unchanged": "#4c72b0",
    "changed": "#dd8452",
    "created": "#55a868",
    "destroyed": "#c44e52",
}


def to_json(result: dict[str, Any]) -> str:
    """Serialise a design result with stable key order and two-space indentation."""
    return json.dumps(result, indent=2) + "\n"


def guides_tsv(result: dict[str, Any]) -> str:
    """Format guides as a TSV whose first columns follow CRISPOR's guide table.

    Missing scores read ``NotEnoughFlankSeq`` (Rule Set 1) or ``None``
    (no off-target search), as CRISPOR writes them.
    """
    lines = ["\t".join(_TSV_COLUMNS)]
    for guide in result["guides"]:
        offtargets = guide.get("offtargets")
        cells = [
            result["region"], guide["id"], guide["protospacer"] + guide["pam"],
            _cell(guide.get("mit_specificity")), _cell(guide.get("cfd_specificity")),
            _cell(offtargets),
            "NotEnoughFlankSeq" if guide["rs1"] is None else str(round(100 * guide["rs1"])),
            guide["strand"], str(guide["start"]), str(guide["end"]), str(guide["cut_position"]),
            f"{guide['gc_fraction']:.2f}", ",".join(guide["flags"]), guide["effect"],
            ",".join(guide["haplotypes"]), ",".join(guide["variants"]),
        ]  # fmt: skip
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def offtargets_tsv(results: list[dict[str, Any]]) -> str:
    """Format off-target search results as a TSV with one row per guide and off-target site.

    ``results`` comes from :func:`sim.genomic.offtarget.find_offtargets`.
    The guide's specificities repeat on each of its rows, and a guide with
    no off-target has one row with empty site columns, so every guide appears.
    Mismatched bases are lowercase in ``offtargetSeq``.
    """
    lines = ["\t".join(_OFFTARGET_COLUMNS)]
    for result in results:
        summary = [result["guide"], f"{result['mit_specificity']:.1f}", f"{result['cfd_specificity']:.1f}",
                   str(result["offtargets"])]  # fmt: skip
        for site in result["sites"] or [None]:
            lines.append("\t".join(summary + _site_cells(site)))
    return "\n".join(lines) + "\n"


def _site_cells(site: dict[str, Any] | None) -> list[str]:
    if site is None:
        return [""] * 8
    return [site["contig"], str(site["start"]), str(site["end"]), site["strand"], site["sequence"],
            str(site["mismatches"]), f"{site['mit']:.4f}", f"{site['cfd']:.6f}"]  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def write_guide_map(result: dict[str, Any], path: Path | str, *, include_weak_pams: bool = False) -> Path:
    """Draw the region with guides (by strand and effect), cut sites and variants.

    The format follows the suffix of ``path`` (``.svg`` or ``.png``).
    Guides with weak PAMs are left out unless ``include_weak_pams``, to keep
    the map readable.

    Raises
    ------
    GenomicInputError
        If the suffix is not ``.svg`` or ``.png``.
    """
    target = Path(path)
    if target.suffix.lower() not in MAP_FORMATS:
        raise GenomicInputError(
            f"guide map {str(target)!r} has suffix {target.suffix or '(none)'!r}; name the file .svg or .png"
        )
    guides = [g for g in result["guides"] if include_weak_pams or not g.get("weak_pam")]
    rows = _pack_rows(guides)
    height = 2.0 + 0.18 * (max(rows.values(), default=0) + 1)
    figure = Figure(figsize=(12, height))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _draw(axes, result, guides, rows)
    figure.tight_layout()
    figure.savefig(target, format=target.suffix.lower().lstrip("."))
    return target


def _pack_rows(guides: list[dict[str, Any]]) -> dict[int, int]:
    """Assign each guide a row so that guides in one row do not overlap."""
    row_ends: list[int] = []
    rows = {}
    for number, guide in sorted(enumerate(guides), key=lambda item: item[1]["start"]):
        for row, end in enumerate(row_ends):
            if guide["start"] > end + 1:
                row_ends[row] = guide["end"]
                rows[number] = row
                break
        else:
            rows[number] = len(row_ends)
            row_ends.append(guide["end"])
    return rows


def _draw(axes, result: dict[str, Any], guides: list[dict[str, Any]], rows: dict[int, int]) -> None:  # type: ignore[no-untyped-def]
    contig, span = result["region"].rsplit(":", 1)
    start, end = (int(x) for x in span.split("-"))
    axes.hlines(0, start, end, color="black", linewidth=2)
    for number, guide in enumerate(guides):
        level = 0.4 + 0.25 * rows[number]
        y = level if guide["strand"] == "+" else -level
        colour = _EFFECT_COLOURS[guide["effect"]]
        axes.hlines(y, guide["start"], guide["end"], color=colour, linewidth=3)
        axes.vlines(guide["cut_position"] + 0.5, y - 0.08, y + 0.08, color="black", linewidth=0.8)
    for variant in result.get("variant_positions", []):
        axes.axvline(variant["position"], color="red", linestyle="--", linewidth=1)
        axes.annotate(variant["name"], (variant["position"], 0), xytext=(3, 3),
                      textcoords="offset points", color="red", fontsize=8)  # fmt: skip
    for effect, colour in _EFFECT_COLOURS.items():
        axes.plot([], [], color=colour, linewidth=3, label=effect)
    axes.legend(loc="upper right", fontsize=7, ncols=4)
    axes.set_xlim(start, end)
    axes.set_yticks([0.4, -0.4], ["+ strand", "- strand"])
    axes.set_xlabel(f"{contig} position (nt); black ticks mark cut sites")
    axes.set_title(f"{result['nuclease']} guides in {result['region']}")
