"""Benchmark the off-target index against brute-force scans on the whole yeast genome.

Run from the repository root::

    .venv/bin/python bench/offtarget.py

Prints one JSON line. Guides are 20-mers of randomly chosen NGG/NAG/NGA
sites of the genome (seed 2026), so each has at least one perfect match.
``search_s_*`` time :meth:`OfftargetSearcher.search` only (best of three
runs); the slice tables are built once beforehand (``searcher_setup_s``).
``oracle_s_k4_g100`` times the numpy brute-force scan of every window.
The plain Python scan is too slow for the whole genome, so it is timed on
chrI and scaled by genome length (``python_scan_measured_*`` give the
measured part).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.genomic.offtarget import (  # noqa: E402
    OfftargetHits,
    OfftargetIndex,
    OfftargetSearcher,
    build_index,
    load_index,
)
from sim.genomic.offtarget.encoding import unpack  # noqa: E402
from sim.genomic.offtarget.oracle import scan_genome_numpy, scan_sequence_python  # noqa: E402
from sim.genomic.reference import iter_contigs  # noqa: E402

GENOME = Path(__file__).resolve().parents[1] / "tests" / "data" / "genomes" / "sacCer3.2bit"
GUIDE_COUNTS = (1, 10, 100, 1000)
SEED = 2026
# FlashFry (McKenna and Shendure, BMC Biology 16:74, 2018): about 63 s for
# 1,000 guides at up to 4 mismatches on the 3.1 Gb human genome, one core.
FLASHFRY_S_PER_NT = 63.0 / 3.1e9
TARGET_FACTOR = 5.0
PYTHON_SCAN_CONTIG = "chrI"


def cpu_model() -> str:
    """Return the CPU model from lscpu, or the platform string."""
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor()
    for line in text.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def best_of(runs: int, function: Callable[[], object]) -> float:
    """Return the shortest wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def site_set(index: OfftargetIndex, hits: OfftargetHits) -> set[tuple[int, str, int, str, int]]:
    """Convert hits to oracle-style tuples (guide, contig, start, strand, mismatches)."""
    return {
        (int(g), index.contig_names[index.contigs[s]], int(index.starts[s]), "+-"[index.strands[s]], int(m))
        for g, s, m in zip(hits.guide, hits.site, hits.mismatches, strict=True)
    }  # fmt: skip


def main() -> None:
    """Run every measurement and print one JSON line."""
    contigs = list(iter_contigs(GENOME))
    genome_nt = sum(len(sequence) for _, sequence in contigs)
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        built = build_index(GENOME)
        path = built.save(Path(directory) / "sacCer3.npz")
        index_build_s = time.perf_counter() - started
        index_mb = path.stat().st_size / 1e6
        index = load_index(path)

    started = time.perf_counter()
    searcher = OfftargetSearcher(index)
    setup_s = time.perf_counter() - started

    rng = np.random.default_rng(SEED)
    guides = [unpack(int(k)) for k in index.kmers[rng.choice(len(index), max(GUIDE_COUNTS), replace=False)]]
    result: dict[str, object] = {
        "genome": "sacCer3", "genome_nt": genome_nt, "sites_indexed": len(index),
        "index_build_s": round(index_build_s, 3), "index_mb": round(index_mb, 1),
        "searcher_setup_s": round(setup_s, 3),
    }  # fmt: skip
    timings: dict[str, float] = {}
    for limit in (3, 4):
        for count in GUIDE_COUNTS:
            seconds = best_of(3, partial(searcher.search, guides[:count], limit))
            timings[f"search_s_k{limit}_g{count}"] = round(seconds, 4)
    result.update(timings)
    search_k4_g100, search_k4_g1000 = timings["search_s_k4_g100"], timings["search_s_k4_g1000"]

    started = time.perf_counter()
    oracle = {site[:5] for site in scan_genome_numpy(contigs, guides[:100], 4)}
    result["oracle_s_k4_g100"] = round(time.perf_counter() - started, 2)
    indexed = site_set(index, searcher.search(guides[:100], 4))
    result["identical_to_oracle"] = indexed == oracle
    result["sites_k4_g100"] = len(indexed)

    subset = dict(contigs)[PYTHON_SCAN_CONTIG]
    started = time.perf_counter()
    python_sites = scan_sequence_python(PYTHON_SCAN_CONTIG, subset, guides[:100], 4)
    measured = time.perf_counter() - started
    result["python_scan_measured_contig"] = PYTHON_SCAN_CONTIG
    result["python_scan_measured_nt"] = len(subset)
    result["python_scan_measured_s"] = round(measured, 2)
    result["python_scan_s_k4_g100"] = round(measured * genome_nt / len(subset), 1)  # estimate
    result["python_scan_identical_on_contig"] = {s[:5] for s in python_sites} == {
        s for s in oracle if s[1] == PYTHON_SCAN_CONTIG
    }
    python_scan_s = measured * genome_nt / len(subset)
    result["speedup_vs_python_k4_g100"] = round(python_scan_s / search_k4_g100, 0)
    target = FLASHFRY_S_PER_NT * genome_nt * TARGET_FACTOR
    result["flashfry_scaled_s_k4_g1000"] = round(FLASHFRY_S_PER_NT * genome_nt, 3)
    result["target_s_k4_g1000"] = round(target, 3)
    result["meets_flashfry_target"] = search_k4_g1000 <= target
    result["cpu"] = cpu_model()
    result["cores"] = os.cpu_count()
    result["numpy"] = np.__version__
    print(json.dumps(result))  # noqa: T201 - the benchmark's output is this one line


if __name__ == "__main__":
    main()
