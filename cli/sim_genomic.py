"""``consent-ledger sim guides``, ``score``, ``offtargets`` and ``outcomes``: registered on :data:`cli.sim.sim_app`.

These commands run on the user's own files; no chain or consent is involved.
Input errors and unwritable output paths exit with status 2 and a one-line
message on stderr. Invalid rows of a score table are listed with their line
numbers. Tables printed to a pipe or file are not cut to a terminal's width.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cli.sim import sim_app
from sim.genomic import GenomicInputError, design_guides_for_patient
from sim.genomic.codons import parse_cds
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
from sim.genomic.outcomes import MicrohomologyParameters, MicrohomologyResult, predict_deletions
from sim.genomic.reference import read_reference
from sim.genomic.report import MAP_FORMATS, guides_tsv, offtargets_tsv, to_json, write_guide_map
from sim.genomic.scoretable import ScoreTableError, score_table
from sim.genomic.targeting import select_target
from sim.genomic.variants import Haplotype, build_haplotypes, read_variants

_console = Console(stderr=True)
_INPUT_ERROR_EXIT = 2
_STDOUT = Path("-")
# A pipe or file has no width, and rich would otherwise cut table cells at 80 columns.
_PIPE_WIDTH = 10_000

ReferenceArgument = Annotated[Path, typer.Argument(help="Reference genome or region: FASTA or UCSC 2bit.")]
VcfOption = Annotated[
    Path | None,
    typer.Option("--vcf", help="The patient's VCF (plain or bgzip). Without it, guides are designed on the reference."),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="CONTIG or CONTIG:START-END, 1-based inclusive. Default: the whole contig of a one-contig reference.",
    ),
]
NucleaseOption = Annotated[
    str,
    typer.Option(
        "--nuclease",
        help="SpCas9, SaCas9 or Cas12a, in any case. Aliases: Cas9 for SpCas9; Cpf1, AsCas12a, LbCas12a for Cas12a.",
    ),
]
MismatchOption = Annotated[int, typer.Option("--max-mismatches", min=0, max=4, help="Off-target mismatch limit (0-4).")]
IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        help="Off-target index file (.npz), built there on first use; its folder must exist. "
        "Default: GENOME.FINGERPRINT.offtargets.npz in $XDG_CACHE_HOME/consent-ledger, "
        "or ~/.cache/consent-ledger when XDG_CACHE_HOME is unset.",
    ),
]
CrisporOption = Annotated[
    bool,
    typer.Option(
        "--crispor-rules",
        help="Aggregate specificity as CRISPOR 4.x does: NAG/NGA sites with MIT hit score below 1 dropped, "
        "the rest weighted 0.2, integers. Default: the published formulas, every site at full weight.",
    ),
]
GenomeOption = Annotated[
    Path | None,
    typer.Option(
        "--genome",
        help="Genome (FASTA or 2bit) to search for off-targets, SpCas9 only. Without it, no off-target search runs.",
    ),
]
JsonOption = Annotated[
    Path | None,
    typer.Option("--json", help="Write the result as JSON to this file, or to stdout with '-' (no table is printed)."),
]
CdsOption = Annotated[
    str | None,
    typer.Option(
        "--cds",
        help="Coding exons as START-END,START-END: 1-based reference positions, plus strand, transcript order. "
        "The donor's blocking changes are kept synonymous inside them; without it they are marked non-coding.",
    ),
]
RevertOption = Annotated[
    str | None,
    typer.Option(
        "--revert",
        help="VCF ID of the variant the HDR donor reverts (e.g. rs334); needs --vcf. Without it no donor is designed.",
    ),
]
HaplotypeOption = Annotated[
    str | None,
    typer.Option(
        "--haplotype",
        help="Haplotype to predict outcomes on: hap1 or hap2 with --vcf, reference without. "
        "Default: the first haplotype that carries the guide.",
    ),
]


def _fail(message: str) -> NoReturn:
    """Print a one-line error on stderr and exit with status 2."""
    # Text, not a markup string: a message may contain brackets, and soft_wrap keeps it on one line.
    _console.print(Text.assemble(("error:", "red"), " ", message), soft_wrap=True)
    raise typer.Exit(_INPUT_ERROR_EXIT)


@contextmanager
def _input_errors() -> Iterator[None]:
    """Turn input errors into a message and exit status 2 instead of a traceback."""
    try:
        yield
    except ScoreTableError as error:
        _console.print(Text.assemble(("error:", "red"), f" {len(error.problems)} invalid row(s)"), soft_wrap=True)
        for problem in error.problems:
            _console.print(Text(f"  line {problem.line}: {problem.reason}"), soft_wrap=True)
        raise typer.Exit(_INPUT_ERROR_EXIT) from None
    except GenomicInputError as error:
        _fail(str(error))


def _check_output(path: Path | None, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Reject an output path that cannot be written, before any work is done; no folder is created."""
    if path is None or path == _STDOUT:
        return
    quoted = repr(str(path))
    if path.is_dir():
        _fail(f"{option} {quoted} is a folder; give the path of a file, which may lie inside that folder")
    if not path.parent.is_dir():
        _fail(f"{option} {quoted}: folder {str(path.parent)!r} does not exist; create it first or choose another path")
    if suffixes and path.suffix.lower() not in suffixes:
        _fail(f"{option} {quoted} has an unsupported suffix; name the file with one of {', '.join(suffixes)}")


def _write(path: Path, text: str) -> None:
    if path == _STDOUT:
        sys.stdout.write(text)
        return
    try:
        path.write_text(text)
    except OSError as error:
        _fail(f"cannot write {str(path)!r}: {error.strerror}; choose a writable path")


def _stdout_console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=_PIPE_WIDTH)


def _table(title: str, columns: tuple[str, ...]) -> Table:
    # overflow="fold" wraps a long cell in a narrow terminal instead of cutting it with an ellipsis.
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _searcher(genome: Path, index: Path | None) -> OfftargetSearcher:
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=_console, transient=True,
                  disable=not _console.is_terminal) as progress:  # fmt: skip
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
    tsv_path: Annotated[
        Path | None,
        typer.Option("--tsv", help="Write a CRISPOR-style guide table (TSV) to this file, or to stdout with '-'."),
    ] = None,
    map_path: Annotated[
        Path | None, typer.Option("--map", help="Draw a guide map; the suffix, .svg or .png, sets the format.")
    ] = None,
) -> None:
    """Design CRISPR guides on a reference region and, with --vcf, on the patient's haplotypes.

    Guide ids are the contig position of the PAM's leftmost base plus forw or rev, so they do not depend on --region.
    """
    _check_output(json_path, "--json")
    _check_output(tsv_path, "--tsv")
    _check_output(map_path, "--map", MAP_FORMATS)
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
        _write_map(result, map_path)
    if _STDOUT not in (json_path, tsv_path):
        _print_guides(result)


def _write_map(result: dict[str, Any], path: Path) -> None:
    try:
        write_guide_map(result, path)
    except OSError as error:
        _fail(f"cannot write {str(path)!r}: {error.strerror}; choose a writable path")


def _print_guides(result: dict[str, Any]) -> None:
    if not any(not guide["weak_pam"] for guide in result["guides"]):
        _stdout_console().print(
            f"no {result['nuclease']} guides with a canonical PAM in {result['region']}; "
            "widen the region or try another nuclease"
        )
        return
    title = f"{result['nuclease']} guides in {result['region']} ({result['variants_applied']} variant(s) applied)"
    table = _table(title, ("id", "protospacer PAM", "cut", "RS1", "MIT", "CFD", "effect", "flags"))
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
    _stdout_console().print(table)


@sim_app.command("score")
def score_command(
    table: Annotated[
        Path, typer.Argument(help="TSV with columns guide and target (23-mers), optionally context (30-mers).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the scored table to this file. Default: stdout.")
    ] = None,
) -> None:
    """Add mismatches, MIT hit score (0-100), CFD (0-1) and, with context, Rule Set 1 (0-1)."""
    _check_output(output, "--output")
    with _input_errors():
        scored = score_table(table)
    _write(output or _STDOUT, scored)


@sim_app.command("offtargets")
def offtargets_command(
    genome: Annotated[Path, typer.Argument(help="Genome to search: FASTA or UCSC 2bit.")],
    guides: Annotated[list[str], typer.Argument(help="20-nt SpCas9 spacers, PAM excluded.")],
    index: IndexOption = None,
    max_mismatches: MismatchOption = 4,
    crispor_rules: CrisporOption = False,
    json_path: JsonOption = None,
    tsv_path: Annotated[
        Path | None,
        typer.Option(
            "--tsv",
            help="Write one row per guide and off-target site (TSV) to this file, or to stdout with '-'. "
            "A guide without off-targets gets one row with empty site columns.",
        ),
    ] = None,
) -> None:
    """Search a genome exhaustively for off-targets of SpCas9 guides (NGG, NAG, NGA)."""
    _check_output(json_path, "--json")
    _check_output(tsv_path, "--tsv")
    with _input_errors():
        searcher = _searcher(genome, index)
        with Progress(console=_console, transient=True, disable=not _console.is_terminal) as progress:
            results = find_offtargets(
                searcher, guides, max_mismatches=max_mismatches,
                rules=CRISPOR if crispor_rules else PUBLISHED, progress=_search_progress(progress),
            )  # fmt: skip
    if json_path is not None:
        _write(json_path, json.dumps(results, indent=2) + "\n")
    if tsv_path is not None:
        _write(tsv_path, offtargets_tsv(results))
    if _STDOUT not in (json_path, tsv_path):
        _print_offtargets(results, f"Off-targets within {max_mismatches} mismatches in {genome.name}")


def _print_offtargets(results: list[dict[str, Any]], title: str) -> None:
    table = _table(title, ("guide", "off-targets", "by mismatches 0-4", "MIT spec", "CFD spec", "top site"))
    for result in results:
        top = result["sites"][0] if result["sites"] else None
        table.add_row(
            result["guide"], str(result["offtargets"]), "-".join(map(str, result["offtargets_by_mismatches"])),
            f"{result['mit_specificity']:.1f}", f"{result['cfd_specificity']:.1f}",
            "-" if top is None else f"{top['contig']}:{top['start']} {top['sequence']} CFD {top['cfd']:.3f}",
        )  # fmt: skip
    _stdout_console().print(table)


@sim_app.command("outcomes")
def outcomes_command(
    reference: ReferenceArgument,
    guide: Annotated[
        str,
        typer.Option("--guide", help="Guide id as 'sim guides' lists it (e.g. 70forw); ids do not depend on --region."),
    ],
    vcf: VcfOption = None,
    region: RegionOption = None,
    nuclease: NucleaseOption = "SpCas9",
    haplotype: HaplotypeOption = None,
    cds: CdsOption = None,
    revert: RevertOption = None,
    arm_nt: Annotated[int, typer.Option("--arm", min=10, help="Donor homology arm length on each side (nt).")] = 50,
    top: Annotated[int, typer.Option("--top", min=1, help="Deletion patterns to list, highest score first.")] = 10,
    json_path: JsonOption = None,
) -> None:
    """Predict microhomology deletions (Bae 2014) at a guide's cut and design an HDR donor.

    Outcomes are predicted only on a haplotype that carries the guide's exact protospacer and PAM.
    """
    if revert is not None and vcf is None:
        _fail(f"--revert {revert} needs --vcf: the variant to revert is read from the patient's VCF")
    _check_output(json_path, "--json")
    with _input_errors():
        result = _outcomes(reference, guide, vcf, region, nuclease, haplotype, cds, revert, arm_nt)
    if json_path is not None:
        _write(json_path, json.dumps(result, indent=2) + "\n")
    if json_path != _STDOUT:
        _print_outcomes(result, top)


def _outcomes(
    reference_path: Path, guide_id: str, vcf: Path | None, region: str | None, nuclease: str,
    haplotype: str | None, cds_text: str | None, revert: str | None, arm_nt: int,
) -> dict[str, Any]:  # fmt: skip
    chosen = get_nuclease(nuclease)
    reference = read_reference(reference_path, region)
    coding = parse_cds(cds_text, reference.contig_length) if cds_text is not None else None
    calls = read_variants(vcf, reference) if vcf is not None else None
    haplotypes = build_haplotypes(reference, calls)
    variants = calls.variants if calls else []
    guides = design_guides(reference, haplotypes, chosen, variants)
    if not any(g["id"] == guide_id for g in guides):
        raise GuideError(f"guide {guide_id!r} not found in {reference.region}; list the guides with 'sim guides'")
    guide, carrier = select_target(guides, guide_id, haplotypes, chosen, variants, haplotype)

    deletions = _predict_deletions(guide, carrier, str(reference.region))
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
            known = ", ".join(v.name for v in variants) or "none"
            raise GuideError(
                f"variant {revert!r} not found among the VCF records in {reference.region} (found: {known}); "
                "give the VCF ID of a variant in the region"
            )
        result["donor"] = design_donor(reference, variant, guide, coding, DonorParameters(arm_nt=arm_nt))
    return result


def _predict_deletions(guide: dict[str, Any], carrier: Haplotype, region: str) -> MicrohomologyResult:
    parameters = MicrohomologyParameters()
    cut_index = int((carrier.ref_positions <= guide["cut_position"]).sum())
    right = len(carrier.sequence) - cut_index
    if min(cut_index, right) < parameters.flank_nt:
        raise GuideError(
            f"guide {guide['id']} cuts {cut_index} nt from the start and {right} nt from the end of {region}; "
            f"deletion prediction needs {parameters.flank_nt} nt on each side of the cut, so widen --region "
            "or choose a guide farther from the contig's ends"
        )
    return predict_deletions(carrier.sequence.upper(), cut_index, parameters)


def _print_outcomes(result: dict[str, Any], top: int) -> None:
    console = _stdout_console()

    guide = result["guide"]
    console.print(f"Guide {guide['id']} {guide['protospacer']} {guide['pam']} ({guide['strand']}), "
                  f"cut after {guide['cut_position']} on {result['haplotype']}")  # fmt: skip
    console.print(f"Microhomology score {result['microhomology_score']:.1f}; out-of-frame score "
                  f"{result['out_of_frame_score']:.1f} (expected frameshift fraction "
                  f"{result['frameshift_fraction']:.2f})")  # fmt: skip
    table = _table("Microhomology deletion patterns (Bae et al. 2014)",
                   ("microhomology", "deleted (nt)", "deleted sequence", "pattern score", "frameshift"))  # fmt: skip
    for pattern in result["deletions"][:top]:
        table.add_row(pattern["microhomology"], str(pattern["deletion_nt"]), pattern["deleted"],
                      f"{pattern['score']:.1f}", "yes" if pattern["frameshift"] else "no")  # fmt: skip
    console.print(table)

    donor = result.get("donor")
    if donor is not None:
        _print_donor(console, donor)


def _print_donor(console: Console, donor: dict[str, Any]) -> None:
    console.print(f"HDR donor ({len(donor['donor'])} nt, {donor['donor_start']}-{donor['donor_end']}), "
                  f"edit {donor['edit']}, {donor['cut_to_edit_nt']} nt from the cut:")  # fmt: skip
    console.print(donor["donor"], overflow="fold")
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
