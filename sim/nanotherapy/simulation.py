"""One model run: dosing, integration on the dense grid and the mass-balance check."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._errors import PbpkAccuracyWarning
from .parameters import Payload
from .release import encapsulated_fraction
from .solver import MAX_STEP_H, Dosing, Trajectory, integration_grid, solve_magnus
from .spec import ModelSpec

__all__ = ["MASS_BALANCE_RTOL", "DEFAULT_INFUSION_H", "Run", "make_dosing", "run_model", "mass_balance_error"]

FloatArray = NDArray[np.float64]

# The Lin lab scripts give the i.v. dose as a 0.005 h (18 s) infusion into venous blood.
DEFAULT_INFUSION_H = 0.005
# Largest relative mass-balance error tolerated before a warning: the
# propagators are exact up to round-off, so anything above this is a bug.
MASS_BALANCE_RTOL = 1e-6


@dataclass(frozen=True)
class Run:
    """A dense trajectory of one model run, with its dose and mass-balance error."""

    spec: ModelSpec
    trajectory: Trajectory
    dose_mg: float
    payload: Payload | None
    mass_balance_error: float


def make_dosing(spec: ModelSpec, dose_mg: float, infusion_h: float, payload: Payload | None) -> Dosing:
    """Return the dosing: particles infused into venous plasma, any burst release as a drug bolus."""
    initial = np.zeros(len(spec.states))
    if payload is not None:
        burst = payload.release.burst_fraction * payload.drug_per_particle_mass * dose_mg
        initial[spec.index("drug.venous")] = burst
    return Dosing(initial, spec.index("venous"), dose_mg, infusion_h)


def _particle_columns(spec: ModelSpec) -> list[int]:
    return [i for i, s in enumerate(spec.states) if not s.startswith("drug.")]


def mass_balance_error(
    run_spec: ModelSpec, trajectory: Trajectory, dose_mg: float, infusion_h: float, payload: Payload | None
) -> float:
    """Return the largest relative mass-balance error of particles (and drug) over the trajectory.

    Particles: the amounts of all particle states sum to the dose infused so
    far. Drug: free plus encapsulated drug is constant after the infusion.
    """
    t = trajectory.t_h
    infused = dose_mg * np.clip(t / infusion_h, 0.0, 1.0) if infusion_h > 0 else np.full_like(t, dose_mg)
    particles = trajectory.amounts_mg[:, _particle_columns(run_spec)].sum(axis=1)
    error = float(np.max(np.abs(particles - infused)) / dose_mg)
    if payload is None:
        return error
    drug_columns = [i for i, s in enumerate(run_spec.states) if s.startswith("drug.")]
    load = payload.drug_per_particle_mass
    burst = payload.release.burst_fraction
    encapsulated = load * (1.0 - burst) * encapsulated_fraction(payload.release, t) * particles
    total = trajectory.amounts_mg[:, drug_columns].sum(axis=1) + encapsulated
    after = t >= infusion_h
    drift = np.abs(total[after] - total[after][0]) / (load * dose_mg)
    return max(error, float(drift.max()))


def run_model(
    spec: ModelSpec,
    dose_mg: float,
    hours: float,
    *,
    payload: Payload | None = None,
    infusion_h: float = DEFAULT_INFUSION_H,
    max_step_h: float = MAX_STEP_H,
    extra_times_h: tuple[float, ...] = (),
) -> Run:
    """Integrate ``spec`` after an i.v. dose and return the trajectory on the dense grid.

    ``extra_times_h`` are added to the grid as nodes (observation times).
    """
    dosing = make_dosing(spec, dose_mg, infusion_h, payload)
    breakpoints = [infusion_h, *extra_times_h]
    grid = integration_grid([hours], breakpoints_h=breakpoints, max_step_h=max_step_h)
    trajectory = solve_magnus(spec, dosing, grid[1:], max_step_h=max_step_h)
    trajectory = Trajectory(
        np.concatenate(([0.0], trajectory.t_h)),
        np.vstack([dosing.initial_mg + _bolus(spec, dosing), trajectory.amounts_mg]),
        trajectory.status,
        trajectory.message,
    )
    error = mass_balance_error(spec, trajectory, dose_mg, infusion_h, payload)
    if error > MASS_BALANCE_RTOL:
        warnings.warn(
            f"mass balance error {error:.2e} of the dose exceeds {MASS_BALANCE_RTOL:g}",
            PbpkAccuracyWarning,
            stacklevel=2,
        )
    return Run(spec, trajectory, dose_mg, payload, error)


def _bolus(spec: ModelSpec, dosing: Dosing) -> FloatArray:
    bolus = np.zeros(len(spec.states))
    if dosing.infusion_h == 0.0:
        bolus[dosing.infusion_state] = dosing.infusion_mg
    return bolus
