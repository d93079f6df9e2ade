"""Virtual patient populations: sampled physiology, batched integration, percentiles.

Each virtual patient draws body weight, tumour volume and eGFR from
lognormal distributions, then organ volumes and flows scaled to that body
weight with lognormal residuals. An organ's volume and flow residuals are
correlated (bigger organs receive more blood), and the cardiac output
follows the flows it feeds. The hepatic and splenic phagocytic uptake
maxima vary between patients too. Sampling is reproducible from the seed.

The whole batch is integrated at once: for each step one stack of matrix
exponentials (one per subject) is computed with :func:`sim.nanotherapy.expm.expm_batch`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._errors import PbpkInputError
from .clinical import REFERENCE_HAEMATOCRIT, ClinicalRecord
from .kinetics import particle_kinetics
from .metrics import organ_amounts
from .parameters import OrganPhysiology, Physiology
from .physiology import human_physiology
from .presets import DEFAULT_PRESET, Preset, get_preset
from .simulation import DEFAULT_INFUSION_H, make_dosing
from .solver import hill_adapted_grid, integration_grid, propagate
from .spec import ModelSpec
from .structures import nanoparticle_spec

__all__ = ["PopulationVariability", "PopulationResult", "population_grid", "sample_population", "simulate_population"]

FloatArray = NDArray[np.float64]

# Steps of the batched integrator over 168 h, placed by hill_adapted_grid
# from the preset's Hill uptake curves. With it tumour %ID is within 1e-3 of
# LSODA in bench/pbpk.py (mouse-default) and in the grid comparison of
# docs/benchmarks.md (mouse-default, ntdb-005, ntdb-012, ntdb-100, ntdb-200;
# largest 9.0e-4, ntdb-005). At 62 steps, the count of the old uniform 4 h
# grid, the adapted grid still misses 1e-3 on ntdb-005 and ntdb-200.
POPULATION_STEPS = 92
# First step (h): the default preset needs no finer start (see bench/pbpk.py).
POPULATION_FIRST_STEP_H = 1e-4
# Subjects integrated together. This bounds the matrices held at once to about 10 MB.
CHUNK_SUBJECTS = 500
MAX_SUBJECTS = 1_000_000
OUTPUT_TIMES_H = (0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0, 48.0, 72.0, 96.0, 120.0, 144.0, 168.0)
PERCENTILES = (5, 25, 50, 75, 95)
_VARIED_ORGANS = ("liver", "spleen", "kidney", "brain", "muscle", "lung")


@dataclass(frozen=True)
class PopulationVariability:
    """Distributions of the virtual patients (medians and coefficients of variation).

    CVs are of lognormal distributions. ``volume_flow_correlation`` is the
    correlation of an organ's log volume and log flow residuals.
    NOTE: these CVs are typical of adult PBPK population tools, chosen for
    illustration; they are not fitted to a cohort.
    """

    body_weight_median_kg: float = 70.0
    body_weight_cv: float = 0.2
    tumour_volume_median_ml: float = 20.0
    tumour_volume_cv: float = 0.8
    egfr_median: float = 100.0
    egfr_cv: float = 0.25
    organ_volume_cv: float = 0.15
    organ_flow_cv: float = 0.2
    volume_flow_correlation: float = 0.5
    res_uptake_cv: float = 0.3


@dataclass(frozen=True)
class PopulationResult:
    """Outputs of a virtual population: per-subject metrics and their percentiles."""

    n_subjects: int
    seed: int
    formulation: str
    output_times_h: FloatArray
    tumour_pct_id: FloatArray
    metrics: dict[str, FloatArray]
    status: int
    message: str

    def percentiles(self) -> dict[str, dict[str, float]]:
        """Return the 5th, 25th, 50th, 75th and 95th percentiles of each metric."""
        return {
            name: {f"p{q}": float(np.percentile(values, q)) for q in PERCENTILES}
            for name, values in self.metrics.items()
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable summary (percentiles, not per-subject values)."""
        curve = np.percentile(self.tumour_pct_id, PERCENTILES, axis=0)
        return {
            "n_subjects": self.n_subjects,
            "seed": self.seed,
            "formulation": self.formulation,
            "output_times_h": self.output_times_h.tolist(),
            "tumour_pct_id_percentiles": {f"p{q}": row.tolist() for q, row in zip(PERCENTILES, curve, strict=True)},
            "metrics": self.percentiles(),
            "status": self.status,
            "message": self.message,
        }


def _lognormal(z: FloatArray, median: float, cv: float) -> FloatArray:
    """Map standard normals ``z`` to a lognormal with the given median and CV."""
    return np.asarray(median * np.exp(np.sqrt(np.log1p(cv**2)) * z), dtype=np.float64)


def _correlated_residuals(z: FloatArray, variability: PopulationVariability) -> tuple[FloatArray, FloatArray]:
    """Return (volume, flow) multipliers with mean 1 and correlated logs, from normals ``z`` (n, 2 * organs)."""
    organs = len(_VARIED_ORGANS)
    rho = variability.volume_flow_correlation
    z_volume = z[:, :organs]
    z_flow = rho * z_volume + np.sqrt(1.0 - rho**2) * z[:, organs:]
    sigma_v = np.sqrt(np.log1p(variability.organ_volume_cv**2))
    sigma_q = np.sqrt(np.log1p(variability.organ_flow_cv**2))
    return np.exp(sigma_v * z_volume - sigma_v**2 / 2), np.exp(sigma_q * z_flow - sigma_q**2 / 2)


def _check_variability(variability: PopulationVariability) -> None:
    """Raise :class:`PbpkInputError` for a negative CV or a correlation outside (-1, 1)."""
    for name, value in vars(variability).items():
        if name.endswith("_cv") and not (np.isfinite(value) and value >= 0.0):
            raise PbpkInputError(f"{name} must be a finite coefficient of variation >= 0, got {value!r}")
    rho = variability.volume_flow_correlation
    # |rho| < 1 keeps the 2 x 2 correlation matrix of log volume and log flow positive definite.
    if not -1.0 < rho < 1.0:
        raise PbpkInputError(f"volume_flow_correlation must be strictly between -1 and 1, got {rho!r}")


def sample_population(
    n: int, seed: int, variability: PopulationVariability = PopulationVariability()
) -> dict[str, FloatArray]:
    """Draw ``n`` virtual patients; return their sampled values as arrays keyed by name."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SUBJECTS:
        raise PbpkInputError(f"n_subjects must be an integer from 1 to {MAX_SUBJECTS}, got {n!r}")
    _check_variability(variability)
    rng = np.random.default_rng(seed)
    # One row of standard normals per subject, drawn row by row, so the first
    # subjects are the same whatever the population size.
    z = rng.standard_normal((n, 4 + 2 * len(_VARIED_ORGANS)))
    sample = {
        "body_weight_kg": np.clip(
            _lognormal(z[:, 0], variability.body_weight_median_kg, variability.body_weight_cv), 30.0, 250.0
        ),
        "tumour_volume_ml": np.clip(
            _lognormal(z[:, 1], variability.tumour_volume_median_ml, variability.tumour_volume_cv), 0.1, 2000.0
        ),
        "egfr_ml_min_1_73m2": np.clip(_lognormal(z[:, 2], variability.egfr_median, variability.egfr_cv), 5.0, 180.0),
        "res_uptake_multiplier": _lognormal(z[:, 3], 1.0, variability.res_uptake_cv),
    }
    volume, flow = _correlated_residuals(z[:, 4:], variability)
    for i, organ in enumerate(_VARIED_ORGANS):
        sample[f"{organ}_volume_multiplier"] = volume[:, i]
        sample[f"{organ}_flow_multiplier"] = flow[:, i]
    return sample


def _population_physiology(sample: dict[str, FloatArray], preset: Preset) -> Physiology:
    record = ClinicalRecord(
        body_weight_kg=sample["body_weight_kg"],
        tumour_volume_ml=sample["tumour_volume_ml"],
        egfr_ml_min_1_73m2=sample["egfr_ml_min_1_73m2"],
        liver_function_fraction=1.0,
        haematocrit_fraction=REFERENCE_HAEMATOCRIT,
        assumed=(),
    )
    base = human_physiology(record, preset)
    organs = dict(base.organs)
    for organ in _VARIED_ORGANS:
        scale_v = sample[f"{organ}_volume_multiplier"]
        scale_q = 1.0 if organ == "lung" else sample[f"{organ}_flow_multiplier"]
        organs[organ] = OrganPhysiology(
            organs[organ].volume_l * scale_v, organs[organ].blood_flow_l_per_h * scale_q, organs[organ].blood_fraction
        )
    # The cardiac output is the sum of the organ flows, so the rest of the body keeps its flow.
    cardiac_output = sum(p.blood_flow_l_per_h for o, p in organs.items() if o != "lung")
    organs["lung"] = replace(organs["lung"], blood_flow_l_per_h=cardiac_output)
    return replace(base, cardiac_output_l_per_h=cardiac_output, organs=organs)


def population_spec(sample: dict[str, FloatArray], preset: Preset) -> ModelSpec:
    """Return the batched model spec of the sampled subjects."""
    physiology = _population_physiology(sample, preset)
    record = ClinicalRecord(
        sample["body_weight_kg"],
        sample["tumour_volume_ml"],
        sample["egfr_ml_min_1_73m2"],
        1.0,
        REFERENCE_HAEMATOCRIT,
        (),
    )
    kinetics = particle_kinetics(preset, sample["body_weight_kg"], record)
    organs = dict(kinetics.organs)
    for organ in ("liver", "spleen"):
        uptake = organs[organ].res_uptake
        if uptake is not None:
            scaled = replace(uptake, k_max_per_h=uptake.k_max_per_h * sample["res_uptake_multiplier"])
            organs[organ] = replace(organs[organ], res_uptake=scaled)
    spec = nanoparticle_spec(physiology, replace(kinetics, organs=organs)).reachable(("venous",))
    # Populations report organs, not the excretion route, so urine and bile share one state.
    return spec.merge_sinks(("urine", "bile"), "excreted")


def _chunk(sample: dict[str, FloatArray], start: int, stop: int) -> dict[str, FloatArray]:
    return {key: values[start:stop] for key, values in sample.items()}


def simulate_population(
    n_subjects: int,
    *,
    seed: int = 0,
    formulation: str = DEFAULT_PRESET,
    variability: PopulationVariability = PopulationVariability(),
    dose_mg_per_kg: float = 1.0,
    max_step_h: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> PopulationResult:
    """Simulate ``n_subjects`` virtual patients for 168 h and collect tumour, liver and spleen metrics.

    Parameters
    ----------
    n_subjects : int
        Number of virtual patients.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same patients.
    formulation : str
        Preset name. Presets with a drug payload are simulated for the carrier only.
    variability : PopulationVariability
        Medians and CVs of the sampled quantities.
    dose_mg_per_kg : float
        Particle dose (mg/kg).
    max_step_h : float, optional
        Uniform integration step (h) after a geometric start. By default the
        :data:`POPULATION_STEPS` steps are placed by
        :func:`sim.nanotherapy.solver.hill_adapted_grid`.
    progress : callable, optional
        Called with the number of subjects finished after each chunk.

    Returns
    -------
    PopulationResult
        Tumour %ID at :data:`OUTPUT_TIMES_H` per subject, DE24, DE168,
        DEmax, liver and spleen %ID at 168 h and tumour AUC per subject.
    """
    preset = get_preset(formulation)
    sample = sample_population(n_subjects, seed, variability)
    outputs = np.asarray(OUTPUT_TIMES_H)
    grid = population_grid(preset, max_step_h)
    keep = np.arange(len(grid))
    chunks = []
    for start in range(0, n_subjects, CHUNK_SUBJECTS):
        chunk = _chunk(sample, start, min(start + CHUNK_SUBJECTS, n_subjects))
        chunks.append(_run_chunk(chunk, preset, dose_mg_per_kg, grid, keep))
        if progress is not None:
            progress(min(start + CHUNK_SUBJECTS, n_subjects))
    return _collect(chunks, grid, outputs, n_subjects, seed, preset.name)


def hill_curves(preset: Preset) -> list[tuple[float, float]]:
    """Return the distinct ``(t50_h, hill_n)`` of the preset's time-varying RES uptake curves."""
    kinetics = [*preset.organs.values(), preset.tumour.kinetics]
    uptakes = [k.res_uptake for k in kinetics if k.res_uptake is not None and k.res_uptake.t50_h > 0.0]
    return sorted({(u.t50_h, u.hill_n) for u in uptakes})


def population_grid(preset: Preset, max_step_h: float | None = None) -> FloatArray:
    """Return the step nodes of a population (h): Hill-adapted, or uniform when ``max_step_h`` is given."""
    outputs = np.asarray(OUTPUT_TIMES_H)
    if max_step_h is not None:
        return integration_grid(
            outputs, breakpoints_h=[DEFAULT_INFUSION_H], first_step_h=POPULATION_FIRST_STEP_H, max_step_h=max_step_h
        )
    return hill_adapted_grid(
        outputs,
        hill_curves(preset),
        POPULATION_STEPS,
        breakpoints_h=[DEFAULT_INFUSION_H],
        first_step_h=POPULATION_FIRST_STEP_H,
    )


def _run_chunk(
    sample: dict[str, FloatArray], preset: Preset, dose_mg_per_kg: float, grid: FloatArray, keep: NDArray[np.intp]
) -> dict[str, FloatArray]:
    spec = population_spec(sample, preset)
    dose_mg = dose_mg_per_kg * sample["body_weight_kg"]
    dosing = make_dosing(spec, 1.0, DEFAULT_INFUSION_H, None)
    dosing = replace(dosing, infusion_mg=dose_mg)
    states = propagate(spec, dosing, grid, keep)
    amounts = organ_amounts(spec, states, ["tumour", "liver", "spleen"])
    pct = {organ: 100.0 * a / dose_mg[:, None] for organ, a in amounts.items()}
    tumour_volume = np.asarray(spec.volumes_l["tumour.blood"]) + np.asarray(spec.volumes_l["tumour.tissue"])
    # Mass balance at every grid node: the states sum to the fraction of the dose infused so far.
    infused = np.clip(grid[keep] / DEFAULT_INFUSION_H, 0.0, 1.0)
    mass = states.sum(axis=-1) / dose_mg[:, None]
    mass_error = np.abs(mass - infused).max(axis=1)
    return {**pct, "tumour_volume_l": tumour_volume, "dose_mg": dose_mg, "mass_error": mass_error}


def _collect(
    chunks: list[dict[str, FloatArray]], grid: FloatArray, outputs: FloatArray, n: int, seed: int, name: str
) -> PopulationResult:
    tumour = np.concatenate([c["tumour"] for c in chunks])
    at_outputs = tumour[:, np.searchsorted(grid, outputs)]
    concentration = (
        tumour
        / 100.0
        * np.concatenate([c["dose_mg"] for c in chunks])[:, None]
        / np.concatenate([c["tumour_volume_l"] for c in chunks])[:, None]
    )
    metrics = {
        "de24_pct_id": tumour[:, np.searchsorted(grid, 24.0)],
        "de168_pct_id": tumour[:, -1],
        "demax_pct_id": tumour.max(axis=1),
        "tumour_auc_mg_h_per_l": np.trapezoid(concentration, grid, axis=1),
        "liver_pct_id_168h": np.concatenate([c["liver"][:, -1] for c in chunks]),
        "spleen_pct_id_168h": np.concatenate([c["spleen"][:, -1] for c in chunks]),
    }
    worst = max(float(c["mass_error"].max()) for c in chunks)
    finite = bool(np.all(np.isfinite(tumour)))
    status = 0 if finite and worst < 1e-6 else -1
    message = "reached 168 h" if status == 0 else f"failed: finite={finite}, mass balance error {worst:.2e}"
    return PopulationResult(n, seed, name, outputs, at_outputs, metrics, status, message)
