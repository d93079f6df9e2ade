"""Simulation for one patient: the public entry point behind the consent gate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._errors import PbpkInputError
from .clinical import parse_clinical
from .kinetics import particle_kinetics
from .metrics import delivery_efficiency, exposure, organ_amounts, organ_volumes_l
from .parameters import ReceptorBinding
from .physiology import human_physiology
from .presets import DEFAULT_PRESET, get_preset
from .simulation import DEFAULT_INFUSION_H, Run, run_model
from .structures import ORGANS, nanoparticle_spec

__all__ = ["MODEL_NAME", "simulate_patient", "report_run"]

MODEL_NAME = "nanoparticle-pbpk (Lin 2016 / Cheng 2020 structure, balanced liver outflow)"
MAX_HOURS = 2016.0  # 12 weeks; RES release half-lives reach weeks, longer runs add nothing
MAX_DOSE_MG_PER_KG = 1000.0
# Output times (h) for the compact curves; the metrics use the full 0.25 h grid.
_OUTPUT_TIMES_H = (
    0.0,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2,
    3,
    4,
    6,
    8,
    10,
    12,
    16,
    20,
    24,
    30,
    36,
    42,
    48,
    60,
    72,
    84,
    96,
    108,
    120,
    132,
    144,
    156,
    168,
)
_REFERENCE_DOSE_MG_PER_KG = 1.0

FloatArray = NDArray[np.float64]

UNITS = {
    "time": "h",
    "pct_id": "% of injected particle dose",
    "concentration": "mg/L (= ug/mL) of particle mass",
    "auc": "mg*h/L",
    "dose": "mg/kg",
    "drug_concentration": "mg/L of free drug",
    "drug_auc": "mg*h/L of free drug",
}


def _checked_scalar(name: str, value: object, low: float, high: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PbpkInputError(f"{name} must be a finite number in {unit}, got {value!r}")
    if not low < float(value) <= high:
        raise PbpkInputError(f"{name} must be above {low:g} and at most {high:g} {unit}, got {value!r}")
    return float(value)


def output_times(hours: float) -> FloatArray:
    """Return the compact output times (h) up to ``hours``, ending at ``hours``."""
    times = [t for t in _OUTPUT_TIMES_H if t < hours]
    if hours > 168.0:
        times += list(np.arange(192.0, hours, 24.0 * max(1, round(hours / 24.0 / 20))))
    return np.asarray(times + [hours], dtype=float)


def _organ_report(run: Run, times: FloatArray) -> dict[str, dict[str, Any]]:
    spec, trajectory = run.spec, run.trajectory
    organs = ["blood", *[o for o in ORGANS if f"{o}.tissue" in spec.states]]
    amounts = organ_amounts(spec, trajectory.amounts_mg, organs)
    volumes = organ_volumes_l(spec, organs)
    report = {}
    for organ in organs:
        concentration = amounts[organ] / volumes[organ]
        pct_id = 100.0 * amounts[organ] / run.dose_mg
        metrics = exposure(trajectory.t_h, concentration)
        report[organ] = {
            "pct_id": _at(trajectory.t_h, pct_id, times),
            "concentration_mg_per_l": _at(trajectory.t_h, concentration, times),
            "auc_mg_h_per_l": metrics["auc"],
            "cmax_mg_per_l": metrics["cmax"],
            "tmax_h": metrics["tmax_h"],
            "volume_l": volumes[organ],
        }
    for sink in ("urine", "bile"):
        pct_id = 100.0 * trajectory.amounts_mg[:, spec.index(sink)] / run.dose_mg
        report[sink] = {"pct_id": _at(trajectory.t_h, pct_id, times)}
    return report


def _at(t_dense: FloatArray, values: FloatArray, times: FloatArray) -> list[float]:
    return [float(v) for v in np.interp(times, t_dense, values)]


def _drug_report(run: Run, times: FloatArray) -> dict[str, Any] | None:
    if run.payload is None:
        return None
    spec, trajectory = run.spec, run.trajectory
    report: dict[str, Any] = {"drug": run.payload.drug.name, "release_law": run.payload.release.law}
    for organ in ("tumour", "liver"):
        amounts = trajectory.amounts_mg[:, spec.index(f"drug.{organ}")]
        concentration = amounts / spec.volumes_l[f"drug.{organ}"]
        metrics = exposure(trajectory.t_h, concentration)
        report[organ] = {
            "concentration_mg_per_l": _at(trajectory.t_h, concentration, times),
            "auc_mg_h_per_l": metrics["auc"],
            "cmax_mg_per_l": metrics["cmax"],
            "tmax_h": metrics["tmax_h"],
        }
    liver_auc = report["liver"]["auc_mg_h_per_l"]
    ratio = report["tumour"]["auc_mg_h_per_l"] / liver_auc if liver_auc > 0 else None
    report["tumour_to_liver_auc_ratio"] = ratio
    return report


def report_run(run: Run, hours: float) -> dict[str, Any]:
    """Return the JSON-serialisable outputs of a run: curves, metrics and solver outcome."""
    times = output_times(hours)
    organs = _organ_report(run, times)
    tumour_pct = 100.0 * organ_amounts(run.spec, run.trajectory.amounts_mg, ["tumour"])["tumour"] / run.dose_mg
    return {
        "times_h": [float(t) for t in times],
        "organs": organs,
        "tumour_delivery": delivery_efficiency(run.trajectory.t_h, tumour_pct),
        "released_drug": _drug_report(run, times),
        "mass_balance_max_rel_error": run.mass_balance_error,
        "solver": {
            "method": "step-mean matrix exponential (first-order Magnus), max step 0.25 h",
            "status": run.trajectory.status,
            "message": run.trajectory.message,
        },
    }


def simulate_patient(
    clinical: Mapping[str, object],
    *,
    formulation: str = DEFAULT_PRESET,
    dose_mg_per_kg: float | None = None,
    hours: float = 168.0,
    infusion_h: float = DEFAULT_INFUSION_H,
    targeting: ReceptorBinding | None = None,
) -> dict[str, Any]:
    """Simulate an i.v. nanoparticle dose in one patient and report tumour, liver and spleen exposure.

    Parameters
    ----------
    clinical : mapping
        The custodian's record: ``body_weight_kg`` (kg, required) and
        optionally ``tumour_volume_ml`` (mL), ``egfr_ml_min_1_73m2``
        (mL/min/1.73 m^2), ``liver_function_fraction`` (fraction of normal
        hepatic phagocytic and biliary function) and ``haematocrit_fraction``.
        Unknown keys are rejected.
    formulation : str
        Preset name, see :func:`list_presets`.
    dose_mg_per_kg : float, optional
        Particle dose (mg/kg); defaults to 1 mg/kg. %ID does not depend on
        it because the model is linear; concentrations scale with it.
    hours : float
        Simulated time after the dose (h), at most 2016.
    infusion_h : float
        Duration of the i.v. infusion (h), 0 for a bolus.
    targeting : ReceptorBinding, optional
        Tumour receptor binding (1/h rates) for an actively targeted particle.

    Returns
    -------
    dict
        JSON-serialisable result with the model and preset names, units and
        output times. It contains per-organ %ID and concentration curves
        with AUC, Cmax and Tmax, and the tumour delivery efficiency (DE24,
        DE168, DEmax in %ID). When the preset carries a drug, it adds the
        released drug's exposure in tumour and liver. The mass-balance error
        and the solver status come last.

    Raises
    ------
    PbpkInputError
        On an invalid clinical record, preset name, dose or duration.
    """
    record = parse_clinical(clinical)
    preset = get_preset(formulation)
    hours = _checked_scalar("hours", hours, 0.0, MAX_HOURS, "h")
    if infusion_h != 0:
        infusion_h = _checked_scalar("infusion_h", infusion_h, 0.0, min(hours, 24.0), "h")
    dose = _REFERENCE_DOSE_MG_PER_KG if dose_mg_per_kg is None else dose_mg_per_kg
    dose = _checked_scalar("dose_mg_per_kg", dose, 0.0, MAX_DOSE_MG_PER_KG, "mg/kg")
    physiology = human_physiology(record, preset)
    kinetics = particle_kinetics(preset, record.body_weight_kg, record, targeting)
    spec = nanoparticle_spec(physiology, kinetics, preset.payload)
    dose_mg = float(dose * record.body_weight_kg)
    run = run_model(spec, dose_mg, hours, payload=preset.payload, infusion_h=infusion_h)
    result = report_run(run, hours)
    assumptions = [f"{key} absent: reference value used" for key in record.assumed]
    assumptions.append("phagocytic (RES) rate constants are the mouse values of the preset")
    return {
        "model": MODEL_NAME,
        "formulation": preset.name,
        "formulation_description": preset.description,
        "species": "human",
        "units": UNITS,
        "dose_mg_per_kg": dose,
        "dose_mg": dose * record.body_weight_kg,
        "hours": hours,
        "clinical": {k: v for k, v in vars(record).items() if k != "assumed"},
        "assumptions": assumptions,
        **result,
    }
