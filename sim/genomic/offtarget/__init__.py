"""Genome-wide off-target search for SpCas9 guides.

Build an index of every NGG/NAG/NGA site once per genome
(:func:`build_index`, saved as ``.npz``), then search any number of guides
exhaustively up to 4 mismatches (:class:`OfftargetSearcher`) and score the
sites with MIT and CFD (:mod:`.specificity`). :mod:`.oracle` contains the
brute-force scans the search is tested against.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.genomic.errors import IndexFileError
from sim.genomic.offtarget.index import OfftargetIndex, build_index, genome_fingerprint, load_index
from sim.genomic.offtarget.search import MAX_MISMATCHES, OfftargetHits, OfftargetSearcher
from sim.genomic.offtarget.specificity import (
    CRISPOR,
    PUBLISHED,
    OnTarget,
    SpecificityRules,
    score_hits,
    site_records,
    summarise_guide,
)
from sim.genomic.reference import contig_sizes

__all__ = [
    "CRISPOR",
    "MAX_MISMATCHES",
    "PUBLISHED",
    "OfftargetHits",
    "OfftargetIndex",
    "OfftargetSearcher",
    "OnTarget",
    "SpecificityRules",
    "build_index",
    "default_index_path",
    "find_offtargets",
    "load_index",
    "load_or_build_index",
]


def default_index_path(genome: Path | str, cache_dir: Path | str | None = None) -> Path:
    """Return where the index of ``genome`` is cached.

    The directory is ``cache_dir``, else ``$XDG_CACHE_HOME/consent-ledger``,
    else ``~/.cache/consent-ledger``; the file name carries the genome's
    fingerprint, so each genome gets its own index.
    """
    if cache_dir is None:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        cache_dir = Path(base) / "consent-ledger"
    name = f"{Path(genome).name}.{genome_fingerprint(contig_sizes(genome))}.offtargets.npz"
    return Path(cache_dir) / name


def load_or_build_index(
    genome: Path | str,
    index_path: Path | str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> OfftargetIndex:
    """Load the cached index of ``genome``, building and saving it on first use.

    Without ``index_path`` the index lives at :func:`default_index_path`,
    whose folder is created if missing. A given ``index_path`` must be a
    file in an existing folder: no folder is created for it.

    Raises
    ------
    IndexFileError
        If ``index_path`` is a folder, its folder does not exist, the file
        cannot be written, or an existing file is not a valid index of
        ``genome``.
    """
    path = _prepared_index_path(genome, index_path)
    if path.is_file():
        return load_index(path, genome)
    index = build_index(genome, progress)
    try:
        index.save(path)
    except OSError as error:
        raise IndexFileError(
            f"cannot write off-target index {str(path)!r}: {error.strerror}; choose a writable path"
        ) from error
    return index


def _prepared_index_path(genome: Path | str, index_path: Path | str | None) -> Path:
    if index_path is None:
        path = default_index_path(genome)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise IndexFileError(
                f"cannot create the index cache folder {str(path.parent)!r}: {error.strerror}; "
                "set XDG_CACHE_HOME to a writable folder or give an index path"
            ) from error
        return path
    path = Path(index_path)
    if path.is_dir():
        raise IndexFileError(
            f"off-target index path {str(path)!r} is a folder; give a file path such as {str(path / 'genome.npz')!r}"
        )
    if not path.parent.is_dir():
        raise IndexFileError(
            f"off-target index {str(path)!r}: folder {str(path.parent)!r} does not exist; "
            "create it first or choose another path"
        )
    return path


def find_offtargets(
    index: OfftargetIndex | OfftargetSearcher,
    guides: Sequence[str],
    *,
    max_mismatches: int = MAX_MISMATCHES,
    on_targets: Sequence[OnTarget | None] | None = None,
    rules: SpecificityRules = PUBLISHED,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Search and score off-targets for each 20-nt guide.

    Parameters
    ----------
    index : OfftargetIndex or OfftargetSearcher
        The genome's index (pass a searcher to reuse it across calls).
    guides : sequence of str
        20-nt spacers without PAM.
    max_mismatches : int
        0 to 4.
    on_targets : sequence of OnTarget or None, optional
        The intended site per guide; ``None`` takes one perfect match.
    rules : SpecificityRules
        :data:`PUBLISHED` (default) or :data:`CRISPOR`.

    Returns
    -------
    list of dict
        Per guide: ``guide``, the summary of
        :func:`~sim.genomic.offtarget.specificity.summarise_guide` and
        ``sites`` (each off-target with mismatches, MIT and CFD).
    """
    searcher = index if isinstance(index, OfftargetSearcher) else OfftargetSearcher(index)
    hits = searcher.search(guides, max_mismatches, progress=progress)
    scores = score_hits(searcher.index, hits, list(guides), rules)
    results = []
    for number, guide in enumerate(guides):
        on_target = on_targets[number] if on_targets is not None else None
        summary, rows = summarise_guide(searcher.index, hits, scores, number, on_target, rules)
        sites = site_records(searcher.index, hits, scores, rows)
        results.append({"guide": guide.upper(), **summary, "sites": sites})
    return results
