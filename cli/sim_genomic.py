"""``consent-ledger sim guides``, ``score``, ``offtargets`` and ``outcomes``: registered on :data:`cli.sim.sim_app`.

These commands run on the user's own files; no chain or consent is involved.
Input errors exit with status 2 and the error message; invalid rows of a
score table are listed with their line numbers.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.sim import sim_app
from sim.genomic import GenomicInputError, design_guides_for_patient
from sim.genomic.codons import CodingSequence
from sim.genomic.design import design_guides
from sim.genomic.donor import DonorParameters, design_donor
from sim.genomic.errors import GuideError
from sim.genomic.nucleases import get_nuclease
from sim.genomic.offtarget import (
    CRISPOR,
    PUBLISHED,
    OfftargetSearcher,
    find_offtargets,
    load_or_build_index,
)
from sim.genomic.outcomes import MicrohomologyParameters, predict_deletions
from sim.genomic.reference import read_reference
from sim.genomic.report import guides_tsv, to_json, write_guide_map
from sim.genomic.scoretable import ScoreTableError, score_table
from sim.genomic.variants import build_haplotypes, read_variants

_console = Console(stderr=True)
_INPUT_ERROR_EXIT = 2

ReferenceArgument = Annotated[Path, typer.Argument(help="Reference genome or region: FASTA or UCSC 2bit.")]
VcfOption = Annotated[
    Path | None, typer.Option("--vcf", help="The patient's VCF; guides are designed on each haplotype.")
]
RegionOption = Annotated[str | None, typer.Option("--region", help="CONTIG or CONTIG:START-END, 1-based inclusive.")]
NucleaseOption = Annotated[str, typer.Option("--nuclease", help="SpCas9, SaCas9 or Cas12a.")]
MismatchOption = Annotated[int, typer.Option("--max-mismatches", min=0, max=4, help="Off-target mismatch limit (0-4).")]
IndexOption = Annotated[
    Path | None, typer.Option("--index", help="Off-target index file (.npz); built there on first use.")
]
CrisporOption = Annotated[
    bool, typer.Option("--crispor-rules", help="Aggregate specificity as CRISPOR does, not by the published formulas.")
]
GenomeOption = Annotated[
    Path | None, typer.Option("--genome", help="Genome (FASTA or 2bit) to search for off-targets (SpCas9).")
]
JsonOption = Annotated[Path | None, typer.Option("--json", help="Write the result as JSON ('-' for stdout).")]
TsvOption = Annotated[Path | None, typer.Option("--tsv", help="Write a CRISPOR-style guide table.")]
MapOption = Annotated[Path | None, typer.Option("--map", help="Draw a guide map (.svg or .png).")]
CdsOption = Annotated[
    str | None,
    typer.Option("--cds", help="Coding exons as START-END,START-END (1-based, transcript orientation)."),
]
RevertOption = Annotated[
    str | None, typer.Option("--revert", help="Name of the VCF variant the HDR donor reverts (e.g. rs334).")
]


@contextmanager
def _input_errors() -> Iterator[None]:
    """Turn input errors into a message and exit status 2 instead of a traceback."""
    try:
        yield
    except ScoreTableError as error:
        _console.print(f"[red]error:[/red] {len(error.problems)} invalid row(s)")
        for problem in error.problems:
            _console.print(f"  line {problem.line}: {problem.reason}")
        raise typer.Exit(_INPUT_ERROR_EXIT) from None
    except GenomicInputError as error:
        _console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(_INPUT_ERROR_EXIT) from None


def _searcher(genome: Path, index: Path | None) -> OfftargetSearcher:
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=_console, transient=True) as progress:  # fmt: skip
        task = progress.add_task("indexing genome", total=1)

        def report(contig: str, done: int, total: int) -> None:
            progress.update(task, description=f"indexing {contig}", completed=done, total=total)

        return OfftargetSearcher(load_or_build_index(genome, index, report))


def _search_progress(progress: Progress) -> Callable[[int, int], None]:
    task = progress.add_task("searching off-targets", total=None)

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return report


@sim_app.command("guides")
def guides_command(
    reference: ReferenceArgument,
    vcf: VcfOption = None,
    region: RegionOption = None,
    nuclease: NucleaseOption = "SpCas9",
    genome: GenomeOption = None,
    index: IndexOption = None,
    max_mismatches: MismatchOption = 4,
    crispor_rules: CrisporOption = False,
    json_path: JsonOption = None,
    tsv_path: TsvOption = None,
    map_path: MapOption = None,
) -> None:
    """Design CRISPR guides on a reference region and, with --vcf, on the patient's haplotypes."""
    with _input_errors():
        searcher = _searcher(genome, index) if genome is not None else None
        result = design_guides_for_patient(
            reference, vcf, nuclease=nuclease, region=region, offtarget_index=searcher,
            max_mismatches=max_mismatches, rules=CRISPOR if crispor_rules else PUBLISHED,
        )  # fmt: skip
    if json_path is not None:
        _write(json_path, to_json(result))
    if tsv_path is not None:
        _write(tsv_path, guides_tsv(result))
    if map_path is not None:
        write_guide_map(result, map_path)
    if json_path != Path("-"):
        _print_guides(result)


def _write(path: Path, text: str) -> None:
    if path == Path("-"):
        sys.stdout.write(text)
    else:
        path.write_text(text)


def _print_guides(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['nuclease']} guides in {result['region']} "
                        f"({result['variants_applied']} variant(s) applied)")  # fmt: skip
    table.add_column("id", no_wrap=True)
    table.add_column("protospacer PAM", no_wrap=True)
    for column in ("cut", "RS1", "MIT", "CFD", "effect", "flags"):
        table.add_column(column)
    for guide in result["guides"]:
        if guide["weak_pam"]:
            continue
        rs1 = "-" if guide["rs1"] is None else f"{guide['rs1']:.2f}"
        mit = guide.get("mit_specificity")
        cfd = guide.get("cfd_specificity")
        table.add_row(
            guide["id"], f"{guide['protospacer']} {guide['pam']}", str(guide["cut_position"]), rs1,
            "-" if mit is None else f"{mit:.0f}", "-" if cfd is None else f"{cfd:.0f}",
            guide["effect"], ",".join(guide["flags"]),
        )  # fmt: skip
    Console().print(table)


@sim_app.command("score")
def score_command(
    table: Annotated[
        Path, typer.Argument(help="TSV with columns guide and target (23-mers), optionally context (30-mers).")
    ],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Add mismatches, MIT hit score (0-100), CFD (0-1) and, with context, Rule Set 1 (0-1)."""
    with _input_errors():
        scored = score_table(table)
    _write(output or Path("-"), scored)


@sim_app.command("offtargets")
def offtargets_command(
    genome: Annotated[Path, typer.Argument(help="Genome to search: FASTA or UCSC 2bit.")],
    guides: Annotated[list[str], typer.Argument(help="20-nt SpCas9 spacers, PAM excluded.")],
    index: IndexOption = None,
    max_mismatches: MismatchOption = 4,
    crispor_rules: CrisporOption = False,
    json_path: JsonOption = None,
) -> None:
    """Search a genome exhaustively for off-targets of SpCas9 guides (NGG, NAG, NGA)."""
    with _input_errors():
        searcher = _searcher(genome, index)
        with Progress(console=_console, transient=True) as progress:
            results = find_offtargets(
                searcher, guides, max_mismatches=max_mismatches,
                rules=CRISPOR if crispor_rules else PUBLISHED, progress=_search_progress(progress),
            )  # fmt: skip
    if json_path is not None:
        _write(json_path, json.dumps(results, indent=2) + "\n")
    if json_path == Path("-"):
        return
    table = Table(title=f"Off-targets within {max_mismatches} mismatches in {genome.name}")
    for column in ("guide", "off-targets", "by mismatches 0-4", "MIT spec", "CFD spec", "top site"):
        table.add_column(column)
    for result in results:
        top = result["sites"][0] if result["sites"] else None
        table.add_row(
            result["guide"], str(result["offtargets"]), "-".join(map(str, result["offtargets_by_mismatches"])),
            f"{result['mit_specificity']:.1f}", f"{result['cfd_specificity']:.1f}",
            "-" if top is None else f"{top['contig']}:{top['start']} {top['sequence']} CFD {top['cfd']:.3f}",
        )  # fmt: skip
    Console().print(table)


@sim_app.command("outcomes")
def outcomes_command(
    reference: ReferenceArgument,
    guide: Annotated[
        str, typer.Option("--guide", help="Guide id from 'sim guides' run with the same region (e.g. 70forw).")
    ],
    vcf: VcfOption = None,
    region: RegionOption = None,
    nuclease: NucleaseOption = "SpCas9",
    cds: CdsOption = None,
    revert: RevertOption = None,
    arm_nt: Annotated[int, typer.Option("--arm", min=10, help="Donor homology arm length on each side (nt).")] = 50,
    top: Annotated[int, typer.Option("--top", min=1, help="Deletion patterns to list.")] = 10,
    json_path: JsonOption = None,
) -> None:
    """Predict microhomology deletions (Bae 2014) at a guide's cut and design an HDR donor."""
    with _input_errors():
        result = _outcomes(reference, guide, vcf, region, nuclease, cds, revert, arm_nt)
    if json_path is not None:
        _write(json_path, json.dumps(result, indent=2) + "\n")
    if json_path != Path("-"):
        _print_outcomes(result, top)


def _outcomes(
    reference_path: Path, guide_id: str, vcf: Path | None, region: str | None, nuclease: str,
    cds_text: str | None, revert: str | None, arm_nt: int,
) -> dict[str, Any]:  # fmt: skip
    chosen = get_nuclease(nuclease)
    reference = read_reference(reference_path, region)
    calls = read_variants(vcf, reference) if vcf is not None else None
    haplotypes = build_haplotypes(reference, calls)
    variants = calls.variants if calls else []
    guides = {g["id"]: g for g in design_guides(reference, haplotypes, chosen, variants)}
    if guide_id not in guides:
        raise GuideError(f"guide {guide_id!r} not found in {reference.region}; list guides with 'sim guides'")
    guide = guides[guide_id]
    carrier = next(h for h in haplotypes if not guide["haplotypes"] or h.name in guide["haplotypes"])
    cut_index = int((carrier.ref_positions <= guide["cut_position"]).sum())
    deletions = predict_deletions(carrier.sequence.upper(), cut_index, MicrohomologyParameters())
    result: dict[str, Any] = {
        "guide": guide,
        "haplotype": carrier.name,
        "microhomology_score": deletions.microhomology_score,
        "out_of_frame_score": deletions.out_of_frame_score,
        "frameshift_fraction": deletions.frameshift_fraction,
        "deletions": [
            {"microhomology": p.microhomology, "deletion_nt": p.deletion_nt, "deleted": p.deleted,
             "score": p.score, "frameshift": p.frameshift}
            for p in deletions.patterns
        ],
    }  # fmt: skip
    if revert is not None:
        variant = next((v for v in variants if v.name == revert), None)
        if variant is None:
            raise GuideError(f"variant {revert!r} not found in the VCF for {reference.region}")
        coding = _parse_cds(cds_text) if cds_text else None
        result["donor"] = design_donor(reference, variant, guide, coding, DonorParameters(arm_nt=arm_nt))
    return result


def _parse_cds(text: str) -> CodingSequence:
    try:
        exons = tuple(tuple(int(x) for x in part.split("-")) for part in text.split(","))
        return CodingSequence(exons)  # type: ignore[arg-type]
    except ValueError as error:
        raise GuideError(f"invalid --cds {text!r}: write START-END,START-END (1-based)") from error


def _print_outcomes(result: dict[str, Any], top: int) -> None:
    console = Console()

    guide = result["guide"]
    console.print(f"Guide {guide['id']} {guide['protospacer']} {guide['pam']} ({guide['strand']}), "
                  f"cut after {guide['cut_position']} on {result['haplotype']}")  # fmt: skip
    console.print(f"Microhomology score {result['microhomology_score']:.1f}; out-of-frame score "
                  f"{result['out_of_frame_score']:.1f} (expected frameshift fraction "
                  f"{result['frameshift_fraction']:.2f})")  # fmt: skip
    table = Table(title="Microhomology deletion patterns (Bae et al. 2014)")
    for column in ("microhomology", "deleted (nt)", "deleted sequence", "pattern score", "frameshift"):
        table.add_column(column)
    for pattern in result["deletions"][:top]:
        table.add_row(pattern["microhomology"], str(pattern["deletion_nt"]), pattern["deleted"],
                      f"{pattern['score']:.1f}", "yes" if pattern["frameshift"] else "no")  # fmt: skip
    console.print(table)

    donor = result.get("donor")
    if donor is None:
        return
    console.print(f"HDR donor ({len(donor['donor'])} nt, {donor['donor_start']}-{donor['donor_end']}), "
                  f"edit {donor['edit']}, {donor['cut_to_edit_nt']} nt from the cut:")  # fmt: skip
    console.print(donor["donor"])

    for change in donor["blocking_changes"]:
        check = (f"codon {change['codon']} {change['codon_before']}>{change['codon_after']} "
                 f"({change['amino_acid_before']}>{change['amino_acid_after']})"
                 if change["region"] == "CDS" else "non-coding")  # fmt: skip
        console.print(f"  blocking change {change['position']} {change['ref']}>{change['alt']} "
                      f"in the {change['disrupts']}: {check}")  # fmt: skip
    if donor["codon_check"]:
        codon = donor["codon_check"]
        console.print(f"  corrected codon {codon['codon']}: {codon['patient_codon']} "
                      f"({codon['patient_amino_acid']}) > {codon['corrected_codon']} "
                      f"({codon['corrected_amino_acid']})")  # fmt: skip
    console.print(f"  donor recut by the guide: {'yes' if donor['donor_recut'] else 'no'}")
