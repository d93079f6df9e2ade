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
indirect response to the plasma drug level; that feedback makes the model
non-linear and is left out here.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from ._tables import read_table
from .parameters import DrugDistribution, OrganKinetics, Payload, ReleaseLaw
from .presets import Preset, TumourFit

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
    organs = {organ: _particle_organ(table, organ) for organ in base.organs}
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
