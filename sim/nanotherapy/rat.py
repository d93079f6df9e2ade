"""Rat gold-nanoparticle model after i.v. dosing, for validation against organ distribution data.

Parameters come from the Nano-iPBPK rat model of the Lin lab (Chou et al.,
``data/rat_gold_np_multiroute_pbpk_params.tsv``) and observations from the
Kreyling group's gold nanoparticle data (``data/observed_rat_gold_np_biodistribution_pct_id.tsv``).
The organs are lung, GI tract, liver, spleen, kidney and rest of body; the
GI tract and the spleen drain into the liver. Bile flows into the GI lumen
(the ``bile`` state), which empties into faeces and is reabsorbed slowly.

NOTE: the source limits phagocytic uptake by a capacity (100 µg/g tissue).
At the tracer doses of the data the cells stay far from it, so uptake runs
at its maximum rate from the time of dosing and the model stays linear.
Only the i.v. route is modelled, because the airway and oral routes need
compartments (airways, alveolar macrophages, lumen absorption) left out here.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ._tables import read_table, to_float
from .metrics import organ_amounts
from .parameters import HillUptake, OrganKinetics, OrganPhysiology, ParticleKinetics, Physiology
from .simulation import run_model
from .spec import ModelSpec, Transfer
from .structures import nanoparticle_spec
from .validation import fold_fractions

__all__ = ["rat_table", "rat_spec", "rat_validation"]

# Organ -> suffix of the table's partition/permeability names, and of its RES names.
_SUFFIX = {
    "lung": ("Lu", "in"),
    "gi": ("GI", "GI"),
    "liver": ("L", "L"),
    "spleen": ("S", "S"),
    "kidney": ("K", "K"),
    "rest": ("R", "R"),
}
_OBSERVED_COLUMNS = {
    "blood": "cB",
    "lung": "cLu",
    "gi": "cGI",
    "liver": "cL",
    "kidney": "cK",
    "spleen": "cS",
    "rest": "cRt",
}
_ARTERIAL_FRACTION = 0.2
# A sub-compartment blood fraction for the rest of body, as in the source.
_REST_BLOOD_FRACTION_KEY = "BVR"


@functools.cache
def rat_table() -> dict[str, float]:
    """Return the numeric rows of the rat parameter table, keyed by name."""
    return {row["name"]: float(row["value"]) for row in read_table("rat_gold_np_multiroute_pbpk_params.tsv")}


def _rat_physiology(table: dict[str, float]) -> Physiology:
    body_weight = table["BW"]
    cardiac_output = table["QCC"] * body_weight**0.75
    flow_fraction = {"gi": table["QGIC"], "liver": table["QLC"], "kidney": table["QKC"], "spleen": table["QSC"]}
    flow_fraction["rest"] = 1.0 - sum(flow_fraction.values())
    flow_fraction["lung"] = 1.0
    volume_fraction = {
        "lung": table["VLuC"],
        "gi": table["VGIC"],
        "liver": table["VLC"],
        "kidney": table["VKC"],
        "spleen": table["VSC"],
    }
    # The source leaves the lung out of this sum; kept for fidelity.
    volume_fraction["rest"] = 1.0 - (table["VGIC"] + table["VLC"] + table["VKC"] + table["VSC"] + table["VBC"])
    blood_fraction = {
        "lung": table["BVLu"],
        "gi": table["BVGI"],
        "liver": table["BVL"],
        "kidney": table["BVK"],
        "spleen": table["BVS"],
        "rest": table[_REST_BLOOD_FRACTION_KEY],
    }
    organs = {
        organ: OrganPhysiology(
            volume_fraction[organ] * body_weight, flow_fraction[organ] * cardiac_output, blood_fraction[organ]
        )
        for organ in _SUFFIX
    }
    return Physiology("rat", body_weight, cardiac_output, table["VBC"] * body_weight, _ARTERIAL_FRACTION, organs)


def _rat_kinetics(table: dict[str, float]) -> ParticleKinetics:
    organs = {}
    for organ, (suffix, res) in _SUFFIX.items():
        organs[organ] = OrganKinetics(
            partition=table[f"P{suffix}"],
            permeability_coefficient=table[f"PA{suffix}C"],
            res_uptake=HillUptake(table[f"K{res}RESmax"], 0.0, 1.0),
            res_release_per_h=table[f"K{res}RESrelease"],
            res_site="blood" if organ == "liver" else "tissue",
        )
    allometric = table["BW"] ** 0.75
    return ParticleKinetics("rat-gold-iv", organs, table["KbileC"] * allometric, table["KurineC"] * allometric, None)


def rat_spec() -> ModelSpec:
    """Return the rat i.v. model: the Lin structure plus GI lumen emptying and reabsorption."""
    table = rat_table()
    spec = nanoparticle_spec(_rat_physiology(table), _rat_kinetics(table))
    # The source uses KfecesC * BW^0.75 directly as a rate constant (1/h) on the lumen amount.
    faecal_per_h = table["KfecesC"] * table["BW"] ** 0.75
    extra = (
        Transfer("bile", "feces", faecal_per_h, "faeces"),
        Transfer("bile", "gi.blood", table["KGIb"], "reabsorption"),
    )
    return ModelSpec(
        spec.states + ("feces",), spec.volumes_l, spec.transfers + extra, spec.flows, spec.curves, spec.curve_means
    )


def _observed_iv() -> list[dict[str, str]]:
    return [row for row in read_table("observed_rat_gold_np_biodistribution_pct_id.tsv") if row["Route"] == "IV"]


def rat_validation() -> dict[str, Any]:
    """Compare organ %ID at 1 h and 24 h after i.v. dosing with the data for every particle size."""
    spec = rat_spec()
    run = run_model(spec, 1.0, 24.0, extra_times_h=(1.0,))
    t = run.trajectory.t_h
    amounts = organ_amounts(
        spec, run.trajectory.amounts_mg, ["blood", "lung", "gi", "liver", "kidney", "spleen", "rest"]
    )
    amounts["gi"] = amounts["gi"] + run.trajectory.amounts_mg[:, spec.index("bile")]
    pairs: list[tuple[str, str, float, float, float]] = []
    for row in _observed_iv():
        time_h = to_float(row["Time"])
        for organ, column in _OBSERVED_COLUMNS.items():
            value = to_float(row[column])
            if value > 0:
                prediction = 100.0 * float(np.interp(time_h, t, amounts[organ]))
                pairs.append((row["Size"], organ, time_h, prediction, value))
    predicted = np.array([p[3] for p in pairs])
    observed = np.array([p[4] for p in pairs])
    sizes = np.array([p[0] for p in pairs])
    organs = np.array([p[1] for p in pairs])
    major = np.isin(organs, ("liver", "spleen", "blood"))
    return {
        "overall": fold_fractions(predicted, observed),
        "liver_spleen_blood": fold_fractions(predicted[major], observed[major]),
        "by_size": {s: fold_fractions(predicted[sizes == s], observed[sizes == s]) for s in sorted(set(sizes))},
        "by_organ": {o: fold_fractions(predicted[organs == o], observed[organs == o]) for o in sorted(set(organs))},
        "pairs": pairs,
        "mass_balance_error": run.mass_balance_error,
    }
