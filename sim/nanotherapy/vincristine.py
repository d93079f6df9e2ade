"""Vincristine-loaded PLA-PEG nanoparticles (Shalgunov et al., J Control Release 261 (2017)).

The source model gives each organ a permeability-surface product ``PS``
(mL/h) for the particles and a tissue:plasma partition of 1000, which makes
uptake practically irreversible, and no phagocytic compartment. Here those
values are carried into the capillary/tissue structure of the Lin model as
permeability coefficients ``PS / Q_organ`` for the reference mouse (20.8 g,
0.366 g tumour). Brain and muscle, absent from the source, take the rest-of-body
values. Release follows the burst plus power law fitted in vitro, which is a
Weibull law with scale ``kdiff / (1 - gamma)`` and shape ``1 - gamma``.

NOTE: the source damps the liver, kidney and rest-of-body ``PS`` by an
indirect response to the plasma drug level. That feedback would make the
model non-linear, so it is left out here.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._tables import read_table
from .kinetics import particle_kinetics
from .parameters import DrugDistribution, OrganKinetics, OrganPhysiology, Payload, Physiology, ReleaseLaw
from .presets import Preset, TumourFit, get_preset
from .release import encapsulated_fraction
from .simulation import Run, run_model
from .structures import nanoparticle_spec, organ_states
from .validation import fold_fractions

FloatArray = NDArray[np.float64]

__all__ = ["VINCRISTINE_FORMULATIONS", "vincristine_presets", "vincristine_table", "vincristine_payload"]

_TABLE = "shalgunov2017_np_drug_pbpk_params.tsv"
# Preset name -> suffix of the release parameters in the table and drug load
# (mg vincristine per mg particle: drug dose / particle dose of the low-dose groups).
VINCRISTINE_FORMULATIONS = {
    "vincristine-pla-peg-u16c": ("U16c", 2.5 / 30.0),
    "vincristine-pla-peg-u16p": ("U16p", 2.17 / 30.0),
    "vincristine-pla-peg-t": ("T", 1.98 / 30.0),
}
# Source organ suffix for each organ of the Lin structure.
_ORGAN_SUFFIX = {"lung": "U", "liver": "L", "spleen": "S", "kidney": "K", "tumour": "T", "rest": "R"}
_PARTICLE_PARTITION = 1000.0
_REFERENCE_PARTICLE_DOSE_MG_PER_KG = 30.0


@functools.cache
def vincristine_table() -> dict[str, float]:
    """Return the numeric rows of the vincristine particle table, keyed by name."""
    values = {}
    for row in read_table(_TABLE):
        try:
            values[row["name"]] = float(row["value"])
        except ValueError:
            continue
    return values


def _tumour_flow_ml_per_h(table: dict[str, float]) -> float:
    return table["Q_T_g"] * table["W_T_061"]


def _organ_flow_ml_per_h(table: dict[str, float], organ: str) -> float:
    if organ == "tumour":
        return _tumour_flow_ml_per_h(table)
    return table[f"Q_{_ORGAN_SUFFIX[organ]}"]


def _particle_organ(table: dict[str, float], organ: str) -> OrganKinetics:
    source = _ORGAN_SUFFIX.get(organ, "R")
    flow = _organ_flow_ml_per_h(table, organ if organ in _ORGAN_SUFFIX else "rest")
    return OrganKinetics(
        partition=_PARTICLE_PARTITION,
        permeability_coefficient=table[f"PS_{source}_061"] / flow,
        res_uptake=None,
        res_release_per_h=0.0,
        res_site="blood" if organ == "liver" else "tissue",
    )


def vincristine_payload(suffix: str, load: float) -> Payload:
    """Return the vincristine payload with the release law fitted for formulation ``suffix``."""
    table = vincristine_table()
    gamma = table[f"gamma_{suffix}"]
    release = ReleaseLaw(
        law="weibull",
        rate_constant=table[f"kdiff_{suffix}"] / (1.0 - gamma),
        exponent=1.0 - gamma,
        burst_fraction=table[f"delta_{suffix}"],
    )
    partitions = {organ: table[f"Kp_{s}_D"] for organ, s in _ORGAN_SUFFIX.items()}
    drug = DrugDistribution(
        name="vincristine",
        tissue_partition=partitions,
        blood_cell_partition=table["Kp_BC_D"],
        haematocrit=table["hemato"],
        hepatic_elimination_per_h=table["kel_L_D"],
    )
    return Payload(drug_per_particle_mass=load, release=release, drug=drug)


def vincristine_presets(base: Preset) -> list[Preset]:
    """Return the three vincristine particle presets, built on the organ list of ``base``."""
    table = vincristine_table()
    organs = {organ: _particle_organ(table, organ) for organ in base.organs if organ != "brain"}
    organs["brain"] = base.organs["brain"]
    cardiac_output = table["Q_U"]
    tumour = TumourFit(
        flow_fraction=_tumour_flow_ml_per_h(table) / cardiac_output,
        volume_fraction=table["W_T_061"] / table["W_animal_061"],
        blood_fraction=table["bto_T"],
        kinetics=_particle_organ(table, "tumour"),
    )
    presets = []
    for name, (suffix, load) in VINCRISTINE_FORMULATIONS.items():
        presets.append(
            replace(
                base,
                name=name,
                description=f"Vincristine-loaded PLA-PEG nanoparticle {suffix} (Shalgunov et al. 2017)",
                organs=organs,
                tumour=tumour,
                biliary_coefficient=0.0,
                urinary_coefficient=0.0,
                mouse_body_weight_kg=table["W_animal_061"] / 1000.0,
                dose_mg_per_kg=_REFERENCE_PARTICLE_DOSE_MG_PER_KG,
                payload=vincristine_payload(suffix, load),
            )
        )
    return presets


_OBSERVED = "observed_shalgunov2017_vincristine_np_mouse.tsv"
_OBSERVABLE_ORGANS = {
    "D_K_aver": "kidney",
    "D_L_aver": "liver",
    "D_S_aver": "spleen",
    "D_T_aver": "tumour",
    "D_U_aver": "lung",
    "D_P_aver": "plasma",
}


def observed_scenarios() -> dict[str, dict[str, Any]]:
    """Return the observed scenarios: doses, animal and tumour weights, release and data points."""
    scenarios: dict[str, dict[str, Any]] = {}
    for row in read_table(_OBSERVED):
        entry = scenarios.setdefault(
            row["scenario"],
            {
                "dose_particle_mg_per_kg": float(row["dose_NP_ug_g"]),
                "dose_drug_mg_per_kg": float(row["dose_D_ug_g"]),
                "body_weight_kg": float(row["W_animal_g"]) / 1000.0,
                "tumour_weight_kg": float(row["W_T_g"]) / 1000.0,
                "release": (float(row["delta"]), float(row["kdiff"]), float(row["gamma"])),
                "points": [],
            },
        )
        entry["points"].append(
            (float(row["time_h"]), _OBSERVABLE_ORGANS[row["observable"]], float(row["measurement_ug_per_mL"]))
        )
    return scenarios


def shalgunov_mouse(body_weight_kg: float, tumour_weight_kg: float) -> Physiology:
    """Return the tumour-bearing mouse of the vincristine model (flows in L/h, volumes in L).

    The liver's own (hepatic-artery) flow is the source's liver flow minus
    the splenic flow that drains into it. The rest of the body takes what is
    left of the lung flow, so flows balance.
    """
    table = vincristine_table()
    ml = 1e-3
    flows = {
        "liver": (table["Q_L"] - table["Q_S"]) * ml,
        "spleen": table["Q_S"] * ml,
        "kidney": table["Q_K"] * ml,
        "tumour": table["Q_T_g"] * tumour_weight_kg * 1000.0 * ml,
    }
    cardiac_output = table["Q_U"] * ml
    flows["rest"] = cardiac_output - sum(flows.values())
    flows["lung"] = cardiac_output
    fractions = {organ: table[f"w_{s}_061"] for organ, s in _ORGAN_SUFFIX.items() if organ not in ("tumour", "rest")}
    volumes = {organ: f * body_weight_kg for organ, f in fractions.items()}
    volumes["tumour"] = tumour_weight_kg
    blood_l = table["w_B"] * body_weight_kg
    volumes["rest"] = body_weight_kg - sum(volumes.values()) - blood_l
    blood_fraction = {organ: table.get(f"bto_{s}", 0.04) for organ, s in _ORGAN_SUFFIX.items()}
    organs = {
        o: OrganPhysiology(volumes[o], flows[o], blood_fraction[o])
        for o in ("lung", "liver", "spleen", "kidney", "tumour", "rest")
    }
    plasma_l = blood_l * (1.0 - table["hemato"])
    return Physiology("mouse", body_weight_kg, cardiac_output, plasma_l, 0.2, organs)


def _scenario_payload(scenario: dict[str, Any]) -> Payload:
    delta, kdiff, gamma = scenario["release"]
    base = vincristine_payload("U16c", 0.0)
    load = scenario["dose_drug_mg_per_kg"] / scenario["dose_particle_mg_per_kg"]
    if delta >= 1.0:
        release = ReleaseLaw("first_order", 1.0, 1.0, 1.0)
    else:
        release = ReleaseLaw("weibull", kdiff / (1.0 - gamma), 1.0 - gamma, delta)
    return replace(base, drug_per_particle_mass=load, release=release)


def _total_drug(run: Run, organ: str, t: FloatArray) -> FloatArray:
    spec, amounts = run.spec, run.trajectory.amounts_mg
    payload = run.payload
    assert payload is not None
    encapsulated = (
        payload.drug_per_particle_mass
        * (1.0 - payload.release.burst_fraction)
        * encapsulated_fraction(payload.release, t)
    )
    if organ == "plasma":
        drug = payload.drug
        ratio = drug.haematocrit * drug.blood_cell_partition + 1.0 - drug.haematocrit
        blood_l = spec.volumes_l["drug.arterial"] + spec.volumes_l["drug.venous"]
        free = (amounts[:, spec.index("drug.arterial")] + amounts[:, spec.index("drug.venous")]) / blood_l / ratio
        plasma_l = spec.volumes_l["arterial"] + spec.volumes_l["venous"]
        particles = (amounts[:, spec.index("arterial")] + amounts[:, spec.index("venous")]) / plasma_l
        return np.asarray(free + encapsulated * particles)
    columns = [spec.index(s) for s in organ_states(organ) if s in spec.states]
    particles = amounts[:, columns].sum(axis=1)
    volume = spec.volumes_l[f"drug.{organ}"]
    return np.asarray((amounts[:, spec.index(f"drug.{organ}")] + encapsulated * particles) / volume)


def simulate_scenario(scenario: dict[str, Any]) -> Run:
    """Run one observed scenario (bolus i.v.) in the vincristine mouse."""
    physiology = shalgunov_mouse(scenario["body_weight_kg"], scenario["tumour_weight_kg"])
    preset = get_preset("vincristine-pla-peg-u16c")
    kinetics = particle_kinetics(preset, scenario["body_weight_kg"])
    payload = _scenario_payload(scenario)
    spec = nanoparticle_spec(physiology, kinetics, payload)
    times = tuple(sorted({p[0] for p in scenario["points"]}))
    dose_mg = scenario["dose_particle_mg_per_kg"] * scenario["body_weight_kg"]
    return run_model(spec, dose_mg, max(times), payload=payload, infusion_h=0.0, max_step_h=0.5, extra_times_h=times)


def vincristine_validation() -> dict[str, Any]:
    """Compare total vincristine (free plus encapsulated) with the 707 observations.

    Returns fold-error summaries overall, per observed organ and per
    scenario, plus the paired predictions for plotting.
    """
    pairs: list[tuple[str, str, float, float, float]] = []
    for name, scenario in observed_scenarios().items():
        run = simulate_scenario(scenario)
        t = run.trajectory.t_h
        curves = {organ: _total_drug(run, organ, t) for organ in set(_OBSERVABLE_ORGANS.values())}
        for time_h, organ, observed in scenario["points"]:
            pairs.append((name, organ, time_h, float(np.interp(time_h, t, curves[organ])), observed))
    predicted = np.array([p[3] for p in pairs])
    observed = np.array([p[4] for p in pairs])
    organs = np.array([p[1] for p in pairs])
    groups = np.array([p[0].split("_")[0] for p in pairs])
    return {
        "overall": fold_fractions(predicted, observed),
        "by_organ": {o: fold_fractions(predicted[organs == o], observed[organs == o]) for o in sorted(set(organs))},
        "by_formulation": {
            g: fold_fractions(predicted[groups == g], observed[groups == g]) for g in sorted(set(groups))
        },
        "pairs": pairs,
    }
