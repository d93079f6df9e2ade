"""Model structures derived from parameters: the nanoparticle PBPK and the free drug.

:func:`nanoparticle_spec` declares the states and transfers of the
permeability-limited nanoparticle PBPK (Lin et al. 2016 structure, with the
tumour of Cheng et al. 2020): arterial and venous plasma, and for each organ
capillary blood, tissue and phagocytic (RES) cells. Every term of the
equations is one :class:`~sim.nanotherapy.spec.Transfer` below, so a reader
can check each one against the published model.

One deliberate change: the published code sends only the hepatic-artery
flow out of the liver capillary blood although the splenic outflow enters
it too, so mass is conserved but the liver and venous pools do not balance
their flows. Here the liver outflow carries hepatic-artery plus splenic
flow; ``balanced_liver_outflow=False`` restores the published term.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .parameters import HillUptake, ParticleKinetics, Payload, Physiology, Value
from .release import release_rate, release_rate_mean, validate_release
from .spec import Flow, ModelSpec, Transfer

__all__ = ["ORGANS", "PORTAL_ORGANS", "nanoparticle_spec", "organ_states", "hill_step_mean"]

ORGANS = ("lung", "liver", "spleen", "kidney", "brain", "muscle", "tumour", "rest")

# Gauss-Legendre points per step for the mean of a Hill uptake curve; 16 points
# keep the mean within 1e-8 of the exact integral on the integrator's grid
# (steps start at 1e-4 h, where a Hill exponent below 1 is steepest).
_HILL_QUADRATURE_POINTS = 16
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(_HILL_QUADRATURE_POINTS)

FloatArray = NDArray[np.float64]


def hill_step_mean(hill: HillUptake) -> Callable[[FloatArray, FloatArray], FloatArray]:
    """Return a function giving the mean of ``hill.rate`` over each step ``[t0, t1]``."""

    def mean(t0: FloatArray, t1: FloatArray) -> FloatArray:
        start = np.asarray(t0, dtype=float)[..., None]
        end = np.asarray(t1, dtype=float)[..., None]
        points = 0.5 * (end - start) * _NODES + 0.5 * (end + start)
        return np.asarray(0.5 * (hill.rate(points) * _WEIGHTS).sum(axis=-1))

    return mean


def organ_states(organ: str) -> tuple[str, ...]:
    """Return the particle states that make up ``organ`` (all its sub-compartments)."""
    if organ == "blood":
        return ("arterial", "venous")
    states: tuple[str, ...] = (f"{organ}.blood", f"{organ}.tissue", f"{organ}.res")
    if organ == "tumour":
        states += ("tumour.bound", "tumour.internalised")
    return states


# Organs whose venous blood drains into the liver (portal circulation).
PORTAL_ORGANS = ("spleen", "gi")


def _organ_outflow_target(organ: str) -> str:
    return "liver.blood" if organ in PORTAL_ORGANS else "venous"


def _circulation(physiology: Physiology, balanced: bool) -> tuple[list[Transfer], list[Flow]]:
    """Blood flow terms: arterial -> organ capillaries -> venous (spleen via liver) -> lung."""
    organs = physiology.organs
    arterial_l = physiology.plasma_volume_l * physiology.arterial_fraction
    venous_l = physiology.plasma_volume_l - arterial_l
    cardiac_output = physiology.cardiac_output_l_per_h
    lung_blood_l = organs["lung"].volume_l * organs["lung"].blood_fraction
    transfers = [
        Transfer("venous", "lung.blood", cardiac_output / venous_l, "flow"),
        Transfer("lung.blood", "arterial", cardiac_output / lung_blood_l, "flow"),
    ]
    flows = [
        Flow("venous", "lung.blood", cardiac_output),
        Flow("lung.blood", "arterial", cardiac_output),
    ]
    for organ, organ_physiology in organs.items():
        if organ == "lung":
            continue
        flow = organ_physiology.blood_flow_l_per_h
        blood_l = organ_physiology.volume_l * organ_physiology.blood_fraction
        outflow = flow
        if organ == "liver" and balanced:
            outflow += sum(organs[o].blood_flow_l_per_h for o in PORTAL_ORGANS if o in organs)
        target = _organ_outflow_target(organ)
        transfers.append(Transfer("arterial", f"{organ}.blood", flow / arterial_l, "flow"))
        transfers.append(Transfer(f"{organ}.blood", target, outflow / blood_l, "flow"))
        flows.append(Flow("arterial", f"{organ}.blood", flow))
        flows.append(Flow(f"{organ}.blood", target, outflow))
    return transfers, flows


def _organ_exchange(
    organ: str, physiology: Physiology, kinetics: ParticleKinetics
) -> tuple[list[Transfer], dict[str, HillUptake]]:
    """Permeation between capillary blood and tissue, and RES uptake and release."""
    organ_physiology = physiology.organs[organ]
    organ_kinetics = kinetics.organs[organ]
    blood_l = organ_physiology.volume_l * organ_physiology.blood_fraction
    tissue_l = organ_physiology.volume_l - blood_l
    reference_flow = physiology.cardiac_output_l_per_h if organ == "lung" else organ_physiology.blood_flow_l_per_h
    permeability = organ_kinetics.permeability_coefficient * reference_flow

    site = f"{organ}.{organ_kinetics.res_site}"
    transfers = [
        Transfer(f"{organ}.blood", f"{organ}.tissue", permeability / blood_l, "permeation"),
        Transfer(
            f"{organ}.tissue",
            f"{organ}.blood",
            permeability / (organ_kinetics.partition * tissue_l),
            "permeation",
        ),
    ]

    curves: dict[str, HillUptake] = {}
    uptake = organ_kinetics.res_uptake
    if uptake is not None:
        # The curve is the Hill shape with unit maximum; the maximum rate sits
        # on the transfer so that it may vary between virtual subjects.
        name = f"res_uptake.{organ}"
        curves[name] = HillUptake(1.0, uptake.t50_h, uptake.hill_n)
        transfers.append(Transfer(site, f"{organ}.res", uptake.k_max_per_h, "res_uptake", modulator=name))
    if np.any(np.asarray(organ_kinetics.res_release_per_h) > 0.0):
        transfers.append(Transfer(f"{organ}.res", site, organ_kinetics.res_release_per_h, "res_release"))
    return transfers, curves


def _excretion_and_targeting(physiology: Physiology, kinetics: ParticleKinetics) -> list[Transfer]:
    organs = physiology.organs
    kidney_blood_l = organs["kidney"].volume_l * organs["kidney"].blood_fraction
    liver_tissue_l = organs["liver"].volume_l * (1.0 - organs["liver"].blood_fraction)
    transfers = [
        Transfer("kidney.blood", "urine", kinetics.urinary_clearance_l_per_h / kidney_blood_l, "urine"),
        Transfer("liver.tissue", "bile", kinetics.biliary_clearance_l_per_h / liver_tissue_l, "bile"),
    ]
    binding = kinetics.targeting
    if binding is not None:
        transfers += [
            Transfer("tumour.tissue", "tumour.bound", binding.k_on_per_h, "binding"),
            Transfer("tumour.bound", "tumour.tissue", binding.k_off_per_h, "unbinding"),
            Transfer("tumour.bound", "tumour.internalised", binding.k_internalisation_per_h, "internalisation"),
        ]
    return transfers


def _particle_states(physiology: Physiology) -> tuple[str, ...]:
    states = ["arterial", "venous"]
    for organ in physiology.organs:
        states += organ_states(organ)
    return tuple(states + ["urine", "bile"])


def _particle_volumes(physiology: Physiology) -> dict[str, Value]:
    arterial_l = physiology.plasma_volume_l * physiology.arterial_fraction
    volumes: dict[str, Value] = {"arterial": arterial_l, "venous": physiology.plasma_volume_l - arterial_l}
    for organ, organ_physiology in physiology.organs.items():
        blood_l = organ_physiology.volume_l * organ_physiology.blood_fraction
        volumes[f"{organ}.blood"] = blood_l
        volumes[f"{organ}.tissue"] = organ_physiology.volume_l - blood_l
    return volumes


def nanoparticle_spec(
    physiology: Physiology,
    kinetics: ParticleKinetics,
    payload: Payload | None = None,
    *,
    balanced_liver_outflow: bool = True,
) -> ModelSpec:
    """Declare the nanoparticle PBPK (and the released drug when ``payload`` is given).

    Parameters
    ----------
    physiology : Physiology
        Organ volumes (L), blood flows (L/h) and vascular fractions.
    kinetics : ParticleKinetics
        Partition and permeability coefficients, RES Hill uptake and release,
        excretion clearances (L/h) and optional receptor binding.
    payload : Payload, optional
        Drug load, release law and free-drug distribution.
    balanced_liver_outflow : bool
        Send hepatic-artery plus splenic flow out of the liver (default).
        ``False`` reproduces the published code, whose liver outflow carries
        the hepatic-artery flow only.

    Returns
    -------
    ModelSpec
        States in mg, volumes in L, transfers in 1/h.
    """
    transfers, flows = _circulation(physiology, balanced_liver_outflow)
    hills: dict[str, HillUptake] = {}
    for organ in physiology.organs:
        organ_transfers, organ_curves = _organ_exchange(organ, physiology, kinetics)
        transfers += organ_transfers
        hills.update(organ_curves)
    transfers += _excretion_and_targeting(physiology, kinetics)
    states = _particle_states(physiology)
    volumes = _particle_volumes(physiology)
    curves: dict[str, Callable[..., FloatArray]] = {n: h.rate for n, h in hills.items()}
    means = {name: hill_step_mean(hill) for name, hill in hills.items()}
    if payload is not None:
        from .drug import drug_terms

        validate_release(payload.release)
        drug_states, drug_volumes, drug_transfers, drug_flows = drug_terms(physiology, payload)
        states += drug_states
        volumes.update(drug_volumes)
        transfers += drug_transfers
        flows += drug_flows
        law = payload.release
        curves["release"] = lambda t: release_rate(law, t)
        means["release"] = lambda t0, t1: release_rate_mean(law, t0, t1)
    return ModelSpec(states, volumes, tuple(transfers), tuple(flows), curves, means)
