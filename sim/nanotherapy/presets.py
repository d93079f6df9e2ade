"""Named formulation presets: the mouse defaults, the 378 Nano-Tumor Database
formulations and the vincristine-loaded PLA-PEG particles.

A preset fixes what belongs to the particle: partition and permeability
coefficients, phagocytic (RES) uptake and release, excretion coefficients,
the tumour parameters fitted for it, and the drug payload if any. The body
(organ volumes and flows) comes from :mod:`sim.nanotherapy.physiology`.

Sources are listed in ``data/PROVENANCE.md``. The mouse defaults come from
the Lin lab nanoparticle PBPK code (Nano-AI-PBPK G2, the structure used by
Cheng et al., ACS Nano 2020). The formulations and their fitted tumour
parameters come from the Nano-Tumor Database sheet of Nano-AI-PBPK G1 (CC0).
The vincristine particles are those of Shalgunov et al., J Control Release
261 (2017), as reproduced by InSysBio (MIT).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from ._errors import UnknownPresetError
from ._tables import read_table, to_float
from .parameters import HillUptake, OrganKinetics, Payload, units_of

__all__ = [
    "DEFAULT_PRESET",
    "TumourFit",
    "Preset",
    "list_presets",
    "get_preset",
    "mouse_table",
    "preset_parameters",
]

DEFAULT_PRESET = "mouse-default"

_MOUSE_TABLE = "mouse_nano_tumor_pbpk_params.tsv"
_FORMULATION_TABLE = "nano_tumor_db_formulations_fitted.tsv"
_VINCRISTINE_TABLE = "shalgunov2017_np_drug_pbpk_params.tsv"

# Organ name -> the suffix the Lin lab tables use for it.
_LIN_SUFFIX = {
    "lung": "Lu",
    "liver": "L",
    "spleen": "S",
    "kidney": "K",
    "brain": "Br",
    "muscle": "M",
    "tumour": "T",
    "rest": "R",
}
# NOTE: the KTRESrelease column holds negative fitted values for a few
# formulations; the G1 code replaces them with this release rate (1/h).
_NEGATIVE_RELEASE_REPLACEMENT_PER_H = 0.005


@dataclass(frozen=True)
class TumourFit:
    """Tumour parameters fitted for one formulation in a mouse model.

    Flow and volume are fractions of the mouse's cardiac output and body
    weight; they set the tumour perfusion (L/h per L) carried to a patient.
    """

    flow_fraction: float
    volume_fraction: float
    blood_fraction: float
    kinetics: OrganKinetics


@dataclass(frozen=True)
class Preset:
    """A named formulation.

    ``organs`` contains the non-tumour organ kinetics and ``tumour`` the
    fitted tumour parameters. ``biliary_coefficient`` and
    ``urinary_coefficient`` are the excretion clearances per kg^0.75
    (L/h/kg^0.75). ``mouse_body_weight_kg`` and ``dose_mg_per_kg`` describe
    the source experiment, and ``published`` the observed delivery
    efficiencies (%ID) where known.
    """

    name: str
    description: str
    organs: dict[str, OrganKinetics]
    tumour: TumourFit
    biliary_coefficient: float
    urinary_coefficient: float
    mouse_body_weight_kg: float
    dose_mg_per_kg: float
    payload: Payload | None = None
    published: dict[str, float] | None = None
    attributes: dict[str, str] | None = None


@functools.cache
def mouse_table() -> dict[str, float]:
    """Return the numeric rows of the mouse parameter table, keyed by name."""
    values = {}
    for row in read_table(_MOUSE_TABLE):
        try:
            values[row["name"]] = float(row["value"])
        except ValueError:
            continue
    return values


def _lin_organ(table: dict[str, float], organ: str) -> OrganKinetics:
    suffix = _LIN_SUFFIX[organ]
    res_key = f"K{suffix}RESmax"
    uptake = None
    if res_key in table:
        uptake = HillUptake(table[res_key], table[f"K{suffix}RES50"], table[f"K{suffix}RESn"])
    return OrganKinetics(
        partition=table[f"P{suffix}"],
        permeability_coefficient=table[f"PA{suffix}C"],
        res_uptake=uptake,
        res_release_per_h=table.get(f"K{suffix}RESrelease", 0.0),
        res_site="blood" if organ == "liver" else "tissue",
    )


def _mouse_default() -> Preset:
    table = mouse_table()
    organs = {organ: _lin_organ(table, organ) for organ in _LIN_SUFFIX if organ != "tumour"}
    tumour = TumourFit(table["QTC"], table["VTC"], table["BVT"], _lin_organ(table, "tumour"))
    return Preset(
        name=DEFAULT_PRESET,
        description="Mouse nanoparticle PBPK defaults with tumour (Lin lab, Nano-AI-PBPK G2)",
        organs=organs,
        tumour=tumour,
        biliary_coefficient=table["KbileC"],
        urinary_coefficient=table["KurineC"],
        mouse_body_weight_kg=table["BW"],
        dose_mg_per_kg=1.0,
    )


def _formulation(row: dict[str, str], base: Preset) -> Preset:
    release = to_float(row["KTRESrelease"])
    if release < 0:
        release = _NEGATIVE_RELEASE_REPLACEMENT_PER_H
    tumour_kinetics = OrganKinetics(
        partition=to_float(row["PT"]),
        permeability_coefficient=to_float(row["PATC"]),
        res_uptake=HillUptake(to_float(row["KTRESmax"]), to_float(row["KTRES50"]), to_float(row["KTRESn"])),
        res_release_per_h=release,
        res_site="tissue",
    )
    tumour = TumourFit(to_float(row["QTC"]), to_float(row["VTC"]), to_float(row["BVT"]), tumour_kinetics)
    published = {k: to_float(row[c]) for k, c in (("DE24", "DE24"), ("DE168", "DE168"), ("DEmax", "Demax"))}
    attributes = {k: row[k] for k in ("Type", "TS", "HD", "Zeta", "Shape", "TM", "CT")}
    return replace(
        base,
        name=formulation_name(int(row["ID"])),
        description=f"Nano-Tumor Database formulation {row['ID']}: {row['Type']}, {row['TS']} targeting, "
        f"{row['Shape']}, {row['CT']} tumour",
        tumour=tumour,
        mouse_body_weight_kg=to_float(row["BW"]) / 1000.0,
        dose_mg_per_kg=to_float(row["Dose"]),
        published=published,
        attributes=attributes,
    )


def formulation_name(formulation_id: int) -> str:
    """Return the preset name of Nano-Tumor Database formulation ``formulation_id``."""
    return f"ntdb-{formulation_id:03d}"


@functools.cache
def _presets() -> dict[str, Preset]:
    base = _mouse_default()
    presets = {base.name: base}
    for row in read_table(_FORMULATION_TABLE):
        preset = _formulation(row, base)
        presets[preset.name] = preset
    from .vincristine import vincristine_presets

    presets.update({p.name: p for p in vincristine_presets(base)})
    return presets


def list_presets() -> list[str]:
    """Return the names of all shipped formulation presets."""
    return list(_presets())


def get_preset(name: str) -> Preset:
    """Return preset ``name``, raising :class:`UnknownPresetError` with the valid choices."""
    presets = _presets()
    if name not in presets:
        examples = ", ".join(n for n in presets if not n.startswith("ntdb-"))
        raise UnknownPresetError(
            f"formulation {name!r} is not a preset; use one of {examples} or ntdb-001 to "
            f"ntdb-{len([n for n in presets if n.startswith('ntdb-')]):03d} "
            "(list them with `consent-ledger sim pbpk-presets` or list_presets())"
        )
    return presets[name]


def preset_parameters(name: str) -> list[dict[str, object]]:
    """Return every parameter of preset ``name`` as rows of name, value and unit."""
    preset = get_preset(name)
    rows: list[dict[str, object]] = []
    for organ, kinetics in {**preset.organs, "tumour": preset.tumour.kinetics}.items():
        rows += _kinetics_rows(organ, kinetics)
    tumour_units = {
        "flow_fraction": "fraction of cardiac output",
        "volume_fraction": "fraction of body weight",
        "blood_fraction": "fraction of tumour volume",
    }
    for field_name, unit in tumour_units.items():
        rows.append({"name": f"tumour.{field_name}", "value": getattr(preset.tumour, field_name), "unit": unit})
    rows.append({"name": "biliary_coefficient", "value": preset.biliary_coefficient, "unit": "L/h/kg^0.75"})
    rows.append({"name": "urinary_coefficient", "value": preset.urinary_coefficient, "unit": "L/h/kg^0.75"})
    rows.append({"name": "mouse_body_weight", "value": preset.mouse_body_weight_kg, "unit": "kg"})
    rows.append({"name": "dose", "value": preset.dose_mg_per_kg, "unit": "mg/kg"})
    if preset.payload is not None:
        rows += _payload_rows(preset.payload)
    return rows


def _kinetics_rows(organ: str, kinetics: OrganKinetics) -> list[dict[str, object]]:
    units = units_of(kinetics)
    rows: list[dict[str, object]] = []
    for field_name in ("partition", "permeability_coefficient", "res_release_per_h", "res_site"):
        rows.append(
            {"name": f"{organ}.{field_name}", "value": getattr(kinetics, field_name), "unit": units[field_name]}
        )
    if kinetics.res_uptake is not None:
        hill_units = units_of(kinetics.res_uptake)
        for field_name, unit in hill_units.items():
            rows.append(
                {
                    "name": f"{organ}.res_uptake.{field_name}",
                    "value": getattr(kinetics.res_uptake, field_name),
                    "unit": unit,
                }
            )
    return rows


def _payload_rows(payload: Payload) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"name": "drug_per_particle_mass", "value": payload.drug_per_particle_mass, "unit": "mg/mg"},
        {"name": "release.law", "value": payload.release.law, "unit": "-"},
    ]
    release_units = units_of(payload.release)
    for field_name in ("rate_constant", "exponent", "burst_fraction"):
        rows.append(
            {
                "name": f"release.{field_name}",
                "value": getattr(payload.release, field_name),
                "unit": release_units[field_name],
            }
        )
    for organ, kp in payload.drug.tissue_partition.items():
        rows.append({"name": f"drug.{organ}.partition", "value": kp, "unit": "1"})
    rows.append({"name": "drug.blood_cell_partition", "value": payload.drug.blood_cell_partition, "unit": "1"})
    rows.append({"name": "drug.hepatic_elimination", "value": payload.drug.hepatic_elimination_per_h, "unit": "1/h"})
    return rows
