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
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._tables import read_table, to_float
from .metrics import organ_amounts
from .parameters import HillUptake, OrganKinetics, OrganPhysiology, ParticleKinetics, Physiology
from .simulation import run_model
from .spec import ModelSpec, Transfer
from .structures import nanoparticle_spec
from .validation import fold_fractions

__all__ = ["rat_table", "rat_spec", "observed_iv", "predict_iv_pct_id", "observed_pairs", "rat_validation"]

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


def _rat_kinetics(table: dict[str, float], overrides: Mapping[str, float]) -> ParticleKinetics:
    values = {**table, **overrides}
    organs = {}
    for organ, (suffix, res) in _SUFFIX.items():
        organs[organ] = OrganKinetics(
            partition=values[f"P{suffix}"],
            permeability_coefficient=values[f"PA{suffix}C"],
            res_uptake=HillUptake(values[f"K{res}RESmax"], 0.0, 1.0),
            res_release_per_h=values[f"K{res}RESrelease"],
            res_site="blood" if organ == "liver" else "tissue",
        )
    allometric = table["BW"] ** 0.75
    return ParticleKinetics("rat-gold-iv", organs, table["KbileC"] * allometric, table["KurineC"] * allometric, None)


def rat_spec(res_rates: Mapping[str, float] | None = None) -> ModelSpec:
    """Return the rat i.v. model: the Lin structure plus GI lumen emptying and reabsorption.

    ``res_rates`` replaces rows of the parameter table by name (for example
    ``{"KLRESmax": 150.0}``, 1/h); :func:`sim.nanotherapy.rat_fit.fitted_res_rates`
    gives the per-size values.
    """
    table = rat_table()
    spec = nanoparticle_spec(_rat_physiology(table), _rat_kinetics(table, res_rates or {}))
    # The source uses KfecesC * BW^0.75 directly as a rate constant (1/h) on the lumen amount.
    faecal_per_h = table["KfecesC"] * table["BW"] ** 0.75
    extra = (
        Transfer("bile", "feces", faecal_per_h, "faeces"),
        Transfer("bile", "gi.blood", table["KGIb"], "reabsorption"),
    )
    return ModelSpec(
        spec.states + ("feces",), spec.volumes_l, spec.transfers + extra, spec.flows, spec.curves, spec.curve_means
    )


def observed_iv() -> list[dict[str, str]]:
    """Return the rows of the observed table after i.v. dosing (one per size and time)."""
    return [row for row in read_table("observed_rat_gold_np_biodistribution_pct_id.tsv") if row["Route"] == "IV"]


def predict_iv_pct_id(
    res_rates: Mapping[str, float] | None, times_h: tuple[float, ...]
) -> tuple[dict[str, Any], float]:
    """Return organ %ID at ``times_h`` (h) after an i.v. dose, and the run's mass-balance error.

    The GI tract includes the lumen (bile), as in the observations.
    """
    spec = rat_spec(res_rates)
    run = run_model(spec, 1.0, max(times_h), extra_times_h=times_h)
    t = run.trajectory.t_h
    amounts = organ_amounts(spec, run.trajectory.amounts_mg, list(_OBSERVED_COLUMNS))
    amounts["gi"] = amounts["gi"] + run.trajectory.amounts_mg[:, spec.index("bile")]
    at_times = {organ: 100.0 * np.interp(times_h, t, values) for organ, values in amounts.items()}
    return at_times, run.mass_balance_error


def observed_pairs(
    rows: list[dict[str, str]], res_rates: Mapping[str, float] | None
) -> tuple[list[tuple[str, str, float, float, float]], float]:
    """Return ``(size, organ, time h, predicted %ID, observed %ID)`` for the positive observations of ``rows``."""
    times = tuple(sorted({to_float(row["Time"]) for row in rows}))
    predicted, error = predict_iv_pct_id(res_rates, times)
    pairs = []
    for row in rows:
        time_h = to_float(row["Time"])
        for organ, column in _OBSERVED_COLUMNS.items():
            value = to_float(row[column])
            if value > 0:
                pairs.append((row["Size"], organ, time_h, float(predicted[organ][times.index(time_h)]), value))
    return pairs, error


def _summary(pairs: list[tuple[str, str, float, float, float]]) -> dict[str, Any]:
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
    }


def rat_validation(
    rates_by_size: Mapping[str, Mapping[str, float]] | None = None, rows: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """Compare organ %ID after i.v. dosing with the data (by default all sizes at 1 h and 24 h).

    ``rates_by_size`` maps a size label of the data (``"5 nm"``) to
    parameter values that replace the table's; without it every size runs
    with the table's values. ``rows`` restricts the comparison to some rows
    of :func:`observed_iv`.
    """
    pairs: list[tuple[str, str, float, float, float]] = []
    errors = []
    rows = observed_iv() if rows is None else rows
    for size in sorted({row["Size"] for row in rows}):
        rates = None if rates_by_size is None else rates_by_size[size]
        size_pairs, error = observed_pairs([row for row in rows if row["Size"] == size], rates)
        pairs.extend(size_pairs)
        errors.append(error)
    return {**_summary(pairs), "pairs": pairs, "mass_balance_error": max(errors)}
