"""Frozen parameter records of the nanoparticle PBPK model, with units.

Each field carries its unit in ``field(metadata={"unit": ...})``; :func:`units_of`
lists them. Amounts are in mg, volumes in L, flows and clearances in L/h and
first-order rate constants in 1/h, so concentrations come out in mg/L (µg/mL).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Value",
    "HillUptake",
    "OrganPhysiology",
    "Physiology",
    "OrganKinetics",
    "ReceptorBinding",
    "ParticleKinetics",
    "DrugDistribution",
    "ReleaseLaw",
    "Payload",
    "units_of",
]


# A parameter value, or an array of values with one per subject of a virtual population.
Value: TypeAlias = float | NDArray[np.float64]


def _unit(unit: str) -> Any:
    return field(metadata={"unit": unit})


@dataclass(frozen=True)
class HillUptake:
    """Phagocytic (RES) uptake rate rising with time since dose as a Hill function.

    ``k(t) = k_max * t**n / (t50**n + t**n)``: uptake capacity of the
    phagocytic cells is recruited over hours to days after the dose.
    ``t50_h = 0`` gives a constant rate ``k_max`` from the time of dosing.
    """

    k_max_per_h: Value = _unit("1/h")
    t50_h: float = _unit("h")
    hill_n: float = _unit("1")

    def rate(self, t_h: Any) -> Any:
        """Return the uptake rate constant (1/h) at time ``t_h`` (h, array-like)."""
        t = np.asarray(t_h, dtype=float)
        if self.t50_h == 0.0:
            return np.full_like(t, self.k_max_per_h)
        tn = np.power(np.maximum(t, 0.0), self.hill_n)
        return self.k_max_per_h * tn / (self.t50_h**self.hill_n + tn)


@dataclass(frozen=True)
class OrganPhysiology:
    """Volume, blood flow and vascular fraction of one organ."""

    volume_l: Value = _unit("L")
    blood_flow_l_per_h: Value = _unit("L/h")
    blood_fraction: float = _unit("1")


@dataclass(frozen=True)
class Physiology:
    """Whole-body physiology: cardiac output, blood pools and organs.

    ``organs`` maps organ names (``lung``, ``liver``, ``spleen``, ``kidney``,
    ``brain``, ``muscle``, ``tumour``, ``rest``) to their physiology. The lung
    receives the whole cardiac output; the spleen drains into the liver.
    """

    species: str
    body_weight_kg: Value = _unit("kg")
    cardiac_output_l_per_h: Value = _unit("L/h")
    plasma_volume_l: Value = _unit("L")
    arterial_fraction: float = _unit("1")
    organs: Mapping[str, OrganPhysiology] = _unit("-")


@dataclass(frozen=True)
class OrganKinetics:
    """Nanoparticle distribution parameters of one organ.

    ``permeability_coefficient`` is the permeability-surface area product as a
    fraction of the organ blood flow (of the cardiac output for the lung).
    ``res_site`` is the sub-compartment that phagocytic cells take particles
    from: tissue in most organs, capillary blood in the liver (Kupffer cells).
    """

    partition: float = _unit("1")
    permeability_coefficient: float = _unit("1")
    res_uptake: HillUptake | None = _unit("-")
    res_release_per_h: float = _unit("1/h")
    res_site: Literal["tissue", "blood"] = _unit("-")


@dataclass(frozen=True)
class ReceptorBinding:
    """Active targeting: binding to tumour-cell receptors and internalisation.

    Receptors are taken to be in excess, so binding is first order in free
    particles in tumour tissue and the model stays linear.
    """

    k_on_per_h: float = _unit("1/h")
    k_off_per_h: float = _unit("1/h")
    k_internalisation_per_h: float = _unit("1/h")


@dataclass(frozen=True)
class ParticleKinetics:
    """Organ kinetics and excretion of one nanoparticle formulation."""

    name: str
    organs: Mapping[str, OrganKinetics] = _unit("-")
    biliary_clearance_l_per_h: Value = _unit("L/h")
    urinary_clearance_l_per_h: Value = _unit("L/h")
    targeting: ReceptorBinding | None = _unit("-")


@dataclass(frozen=True)
class ReleaseLaw:
    """Drug release from particles: fraction still encapsulated over time.

    ``law`` is one of ``first_order`` (``rate_constant`` 1/h),
    ``higuchi`` (``rate_constant`` in h^-0.5), ``korsmeyer_peppas``
    (``rate_constant`` in h^-n, ``exponent`` n) or ``weibull``
    (scale ``rate_constant`` in h^-b, shape ``exponent`` b), after a burst
    fraction released at the time of dosing.
    """

    law: Literal["first_order", "higuchi", "korsmeyer_peppas", "weibull"]
    rate_constant: float = _unit("1/h, h^-0.5, h^-n or h^-b by law")
    exponent: float = _unit("1")
    burst_fraction: float = _unit("1")


@dataclass(frozen=True)
class DrugDistribution:
    """Flow-limited distribution and elimination of the free (released) drug."""

    name: str
    tissue_partition: Mapping[str, float] = _unit("1")
    blood_cell_partition: float = _unit("1")
    haematocrit: float = _unit("1")
    hepatic_elimination_per_h: float = _unit("1/h")


@dataclass(frozen=True)
class Payload:
    """Drug carried by a formulation: load, release law and free-drug kinetics."""

    drug_per_particle_mass: float = _unit("mg drug / mg particle")
    release: ReleaseLaw = _unit("-")
    drug: DrugDistribution = _unit("-")


def units_of(record: Any) -> dict[str, str]:
    """Return ``{field name: unit}`` for a parameter dataclass instance or class."""
    return {f.name: f.metadata.get("unit", "-") for f in dataclasses.fields(record)}
