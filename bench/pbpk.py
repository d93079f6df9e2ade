"""Benchmark: batched virtual-population PBPK against per-subject LSODA.

Prints one JSON line. It gives the throughput (subjects/s) of populations
of 100, 1,000 and 10,000 virtual patients over 168 h, and that of SciPy's
LSODA on a sample of the same subjects solved one by one. It adds the
largest relative difference in tumour %ID between the two at the output
times, and the peak resident memory.

Run: ``.venv/bin/python bench/pbpk.py`` (add ``--quick`` for a smaller run).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time

import numpy as np

from sim.nanotherapy.population import OUTPUT_TIMES_H, population_spec, sample_population, simulate_population
from sim.nanotherapy.presets import DEFAULT_PRESET, get_preset
from sim.nanotherapy.simulation import DEFAULT_INFUSION_H, make_dosing
from sim.nanotherapy.solver import solve_lsoda

SEED = 2024
LSODA_RTOL = 1e-8
# Absolute tolerance per mg of dose: tumour amounts fall to about 1e-6 of the
# dose in a patient, so the tolerance sits well below that.
LSODA_ATOL_PER_MG = 1e-14


def _time_population(n: int) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    result = simulate_population(n, seed=SEED)
    elapsed = time.perf_counter() - start
    if result.status != 0:
        raise RuntimeError(f"population of {n} failed: {result.message}")
    return n / elapsed, result.tumour_pct_id


def _lsoda_sample(n_sample: int) -> tuple[float, np.ndarray]:
    """Solve the first ``n_sample`` subjects of the seeded population one by one with LSODA."""
    sample = {k: v[:n_sample] for k, v in sample_population(n_sample, SEED).items()}
    spec = population_spec(sample, get_preset(DEFAULT_PRESET))
    tumour_columns = [i for i, s in enumerate(spec.states) if s.startswith("tumour.")]
    results = np.empty((n_sample, len(OUTPUT_TIMES_H)))
    start = time.perf_counter()
    for i in range(n_sample):
        subject = spec.subject(i)
        dose_mg = float(sample["body_weight_kg"][i])
        dosing = make_dosing(subject, dose_mg, DEFAULT_INFUSION_H, None)
        trajectory = solve_lsoda(subject, dosing, OUTPUT_TIMES_H, rtol=LSODA_RTOL, atol=LSODA_ATOL_PER_MG * dose_mg)
        if not trajectory.success:
            raise RuntimeError(f"LSODA failed on subject {i}: {trajectory.message}")
        results[i] = 100.0 * trajectory.amounts_mg[:, tumour_columns].sum(axis=1) / dose_mg
    return n_sample / (time.perf_counter() - start), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="populations of 100 and 1,000 only, LSODA on 50")
    args = parser.parse_args()
    sizes = (100, 1000) if args.quick else (100, 1000, 10000)
    figures: dict[str, object] = {}
    for n in sizes:
        rate, tumour = _time_population(n)
        figures[f"subjects_per_s_n{n}"] = round(rate, 1)
    n_lsoda = 50 if args.quick else 200
    lsoda_rate, lsoda_tumour = _lsoda_sample(n_lsoda)
    # The sampler draws the same first subjects whatever n, so rows match.
    batched = tumour[:n_lsoda]
    figures["lsoda_subjects_per_s"] = round(lsoda_rate, 2)
    figures["lsoda_sample"] = n_lsoda
    figures["speedup_largest_n"] = round(figures[f"subjects_per_s_n{sizes[-1]}"] / lsoda_rate, 1)  # type: ignore[operator]
    figures["max_rel_diff_tumor_pct_id"] = float(np.max(np.abs(batched / lsoda_tumour - 1.0)))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    figures["lsoda_rtol"] = LSODA_RTOL
    figures["python"] = platform.python_version()
    print(json.dumps(figures))  # noqa: T201


if __name__ == "__main__":
    main()
