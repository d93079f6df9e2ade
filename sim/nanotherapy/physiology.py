"""Physiology of the mouse model and of a patient scaled by body weight.

The patient's organ volumes and blood flows come from the adult human table
(``data/physiology_human_mouse.tsv``: organ weights as % of body weight with
tissue densities, flows as % of a cardiac output ``187 * BW^0.81`` mL/min,
after White et al. 1968 and Brown et al. 1997). Vascular fractions of the
organs keep the mouse values of the Lin model.
"""

from __future__ import annotations

import functools

from ._tables import read_table
from .clinical import ClinicalRecord
from .parameters import OrganPhysiology, Physiology, Value
from .presets import Preset, TumourFit, mouse_table

__all__ = ["mouse_physiology", "human_physiology", "tumour_perfusion_per_h"]

# Share of the plasma volume in the arterial pool, as in the Lin lab code.
ARTERIAL_FRACTION = 0.2
# Body density used to turn the remaining body weight into a volume (kg/L).
BODY_DENSITY_KG_PER_L = 1.0
# Hepatic-artery share of liver blood flow: the table's total liver flow minus
# the portal inflows it lists (spleen, pancreas, stomach, gut). The gut,
# stomach and pancreas are part of "rest" here, so their flow returns through
# the venous pool; the splenic flow enters the liver blood.
_PORTAL_KEYS = ("QSP", "QPA", "QST", "QGU")
_HUMAN_ORGANS = {"lung": "LU", "liver": "LI", "spleen": "SP", "kidney": "KI", "brain": "BR", "muscle": "MU"}
_MOUSE_SUFFIX = {"lung": "Lu", "liver": "L", "spleen": "S", "kidney": "K", "brain": "Br", "muscle": "M", "rest": "R"}


@functools.cache
def _human_table() -> dict[str, tuple[float, str]]:
    """Return ``{name: (value, description)}`` for the numeric human rows."""
    rows = {}
    for row in read_table("physiology_human_mouse.tsv"):
        if row["species"] != "human":
            continue
        try:
            rows[row["name"]] = (float(row["value"]), row["description"])
        except ValueError:
            continue
    return rows


def _density(description: str) -> float:
    return float(description.rsplit("density", 1)[1].split("g/mL")[0])


def tumour_perfusion_per_h(preset: Preset) -> float:
    """Return the tumour blood flow per tumour volume (1/h) of the preset's mouse."""
    table = mouse_table()
    body_weight = preset.mouse_body_weight_kg
    cardiac_output = table["QCC"] * body_weight**0.75
    fit = preset.tumour
    return float(fit.flow_fraction * cardiac_output / (fit.volume_fraction * body_weight))


def mouse_physiology(body_weight_kg: float, tumour: TumourFit) -> Physiology:
    """Return the Lin-model mouse physiology with the tumour of a fitted formulation."""
    table = mouse_table()
    cardiac_output = table["QCC"] * body_weight_kg**0.75
    flows = {organ: table.get(f"Q{s}C", 0.0) for organ, s in _MOUSE_SUFFIX.items()}
    flows["lung"] = 1.0
    flows["tumour"] = tumour.flow_fraction
    flows["rest"] = 1.0 - sum(f for organ, f in flows.items() if organ not in ("lung", "rest"))
    volumes = {organ: table.get(f"V{s}C", 0.0) for organ, s in _MOUSE_SUFFIX.items()}
    volumes["tumour"] = tumour.volume_fraction
    volumes["rest"] = 1.0 - sum(v for organ, v in volumes.items() if organ != "rest") - table["VPlasC"]
    organs = {}
    for organ in ("lung", "liver", "spleen", "kidney", "brain", "muscle", "tumour", "rest"):
        blood_fraction = tumour.blood_fraction if organ == "tumour" else table[f"BV{_MOUSE_SUFFIX[organ]}"]
        organs[organ] = OrganPhysiology(
            volume_l=volumes[organ] * body_weight_kg,
            blood_flow_l_per_h=flows[organ] * cardiac_output,
            blood_fraction=blood_fraction,
        )
    return Physiology(
        species="mouse",
        body_weight_kg=body_weight_kg,
        cardiac_output_l_per_h=cardiac_output,
        plasma_volume_l=table["VPlasC"] * body_weight_kg,
        arterial_fraction=ARTERIAL_FRACTION,
        organs=organs,
    )


def _human_flow_fractions() -> dict[str, float]:
    table = _human_table()
    fractions = {
        organ: table[f"Q{code}"][0] / 100.0 for organ, code in _HUMAN_ORGANS.items() if organ not in ("lung", "liver")
    }
    fractions["liver"] = (table["QLI"][0] - sum(table[k][0] for k in _PORTAL_KEYS)) / 100.0
    return fractions


def _human_organ_volumes_l(body_weight_kg: Value) -> dict[str, Value]:
    table = _human_table()
    volumes: dict[str, Value] = {}
    for organ, code in _HUMAN_ORGANS.items():
        percent, description = table[f"V{code}"]
        volumes[organ] = percent / 100.0 * body_weight_kg / _density(description)
    return volumes


def human_blood_volume_l(body_weight_kg: Value) -> Value:
    """Return the whole-blood volume (L): arterial plus venous blood of the human table."""
    table = _human_table()
    total: Value = 0.0
    for key in ("VAB", "VVB"):
        percent, description = table[key]
        total += percent / 100.0 * body_weight_kg / _density(description)
    return total


def human_physiology(record: ClinicalRecord, preset: Preset) -> Physiology:
    """Scale adult human physiology to the patient in ``record``.

    Organ volumes scale linearly with body weight and the cardiac output as
    ``BW^0.81``. The tumour takes the record's volume and the tumour
    perfusion (flow per volume) of the preset's mouse, and its flow is taken
    from the rest of the body, as is its volume.
    """
    body_weight = record.body_weight_kg
    cardiac_output = 187.0 * body_weight**0.81 * 60.0 / 1000.0
    plasma_l = human_blood_volume_l(body_weight) * (1.0 - record.haematocrit_fraction)
    volumes = _human_organ_volumes_l(body_weight)
    flows: dict[str, Value] = {organ: f * cardiac_output for organ, f in _human_flow_fractions().items()}
    flows["lung"] = cardiac_output
    volumes["tumour"] = record.tumour_volume_ml / 1000.0
    flows["tumour"] = tumour_perfusion_per_h(preset) * volumes["tumour"]
    volumes["rest"] = body_weight / BODY_DENSITY_KG_PER_L - sum(volumes.values()) - plasma_l
    flows["rest"] = cardiac_output - sum(q for organ, q in flows.items() if organ != "lung")
    table = mouse_table()
    organs = {}
    for organ in ("lung", "liver", "spleen", "kidney", "brain", "muscle", "tumour", "rest"):
        blood_fraction = preset.tumour.blood_fraction if organ == "tumour" else table[f"BV{_MOUSE_SUFFIX[organ]}"]
        organs[organ] = OrganPhysiology(volumes[organ], flows[organ], blood_fraction)
    return Physiology("human", body_weight, cardiac_output, plasma_l, ARTERIAL_FRACTION, organs)
