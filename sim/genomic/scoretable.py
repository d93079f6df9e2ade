"""Score a table of guide/target pairs: mismatches, MIT hit score, CFD and Rule Set 1.

Input is tab-separated with a header naming at least ``guide`` (20-nt
spacer, or 23-mer whose PAM is ignored) and ``target`` (23-mer: the 20 nt
facing the spacer, then the PAM). An optional ``context`` column (30-mer:
4 nt, spacer, PAM, 3 nt) adds ``rs1``. Other columns are kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.genomic.errors import GuideError
from sim.genomic.scoring import cfd_score, mit_hit_score, rule_set_1

__all__ = ["ScoreTableError", "score_rows", "score_table"]

_REQUIRED = ("guide", "target")


@dataclass(frozen=True)
class RowProblem:
    """An invalid input row: 1-based file line and reason."""

    line: int
    reason: str


class ScoreTableError(GuideError):
    """Rows of a score table that cannot be scored; ``problems`` lists each one."""

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        self.problems = problems
        listed = "; ".join(f"line {p.line}: {p.reason}" for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} invalid row(s) in {source}: {listed}{more}")


def score_table(path: Path | str) -> str:
    """Read a TSV file and return it as TSV with ``mismatches``, ``mit``, ``cfd`` (and ``rs1``).

    Raises
    ------
    ScoreTableError
        Listing every invalid row with its line number; nothing is returned
        then, so no row is silently skipped.
    """
    source = Path(path)
    if source.is_dir():
        raise GuideError(f"score table {str(source)!r} is a folder; give the path of a TSV file")
    if not source.is_file():
        raise GuideError(f"score table {str(source)!r} not found; check the path")
    try:
        with source.open(newline="", encoding="utf-8") as handle:
            return score_rows(handle, source.name)
    except UnicodeDecodeError as error:
        raise GuideError(
            f"score table {source.name} is not UTF-8 text (byte {error.start}); give a tab-separated text file"
        ) from error


def score_rows(lines: Iterable[str], source: str = "input") -> str:
    """Score rows given as lines of TSV text (header first); see :func:`score_table`."""
    reader = csv.DictReader(lines, delimiter="\t")
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise ScoreTableError(source, [RowProblem(1, _missing_columns_reason(missing, header))])
    reader.fieldnames = header
    extra = ["mismatches", "mit", "cfd"] + (["rs1"] if "context" in header else [])
    output = io.StringIO()
    writer = csv.DictWriter(output, header + extra, delimiter="\t", lineterminator="\n")
    writer.writeheader()

    problems: list[RowProblem] = []
    for row in reader:
        line = reader.line_num
        if all(not (value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        try:
            writer.writerow({**row, **_score(row)})
        except GuideError as error:
            problems.append(RowProblem(line, str(error)))
    if problems:
        raise ScoreTableError(source, problems)
    return output.getvalue()


def _missing_columns_reason(missing: list[str], header: list[str]) -> str:
    reason = f"missing column(s) {', '.join(missing)}; the header needs guide and target"
    if len(header) == 1 and "," in header[0]:
        return f"{reason}, but it is comma-separated; the table must be tab-separated (TSV)"
    return reason


def _score(row: dict[str, str]) -> dict[str, str]:
    if None in row:
        raise GuideError("more fields than header columns")
    guide = (row.get("guide") or "").strip().upper()
    target = (row.get("target") or "").strip().upper()
    if len(guide) == 23:
        guide = guide[:20]
    if len(target) != 23:
        raise GuideError(f"invalid target {target!r}: expected 23 nt (20-nt site, then the PAM)")
    unexpected = sorted(set(target) - set("ACGTN"))
    if unexpected:
        raise GuideError(f"invalid target {target!r}: character(s) {''.join(unexpected)} are not A, C, G, T or N")
    mit = mit_hit_score(guide, target[:20])
    cfd = cfd_score(guide, target)
    scores = {
        "mismatches": str(sum(a != b for a, b in zip(guide, target[:20], strict=True))),
        "mit": f"{mit:.4f}",
        "cfd": f"{cfd:.6f}",
    }
    if "context" in row:
        # An empty context cell means the row has no flanking sequence: its rs1 stays empty.
        context = (row["context"] or "").strip()
        scores["rs1"] = f"{rule_set_1(context):.6f}" if context else ""
    return scores
