"""Free-drug PBPK: flow-limited distribution of the drug released from particles.

Each organ is one well-stirred tissue that the drug leaves at the organ's
blood flow times its venous-blood concentration,
``C_tissue * BP / Kp`` with ``BP = haematocrit * Kp_bc + 1 - haematocrit``
the blood:plasma ratio and ``Kp`` the tissue:plasma partition coefficient
(the structure of the vincristine model of Shalgunov et al., J Control
Release 261 (2017)). The free drug is eliminated in the liver only, at a
first-order rate. Particles release drug into the organ they sit in; drug
released from excreted particles goes to ``drug.excreted``.
"""

from __future__ import annotations

from .parameters import Payload, Physiology, Value
from .spec import Flow, Transfer
from .structures import organ_states

__all__ = ["DRUG_SINKS", "drug_state", "drug_terms"]

DRUG_SINKS = ("drug.eliminated", "drug.excreted")


def drug_state(particle_state: str) -> str:
    """Return the free-drug state that receives drug released from ``particle_state``."""
    if particle_state in ("arterial", "venous"):
        return f"drug.{particle_state}"
    if particle_state in ("urine", "bile"):
        return "drug.excreted"
    return f"drug.{particle_state.split('.')[0]}"


def _partition(payload: Payload, organ: str) -> float:
    partitions = payload.drug.tissue_partition
    return partitions.get(organ, partitions["rest"])


def _drug_circulation(physiology: Physiology, payload: Payload) -> tuple[list[Transfer], list[Flow]]:
    drug = payload.drug
    blood_plasma_ratio = drug.haematocrit * drug.blood_cell_partition + 1.0 - drug.haematocrit
    blood_l = physiology.plasma_volume_l / (1.0 - drug.haematocrit)
    arterial_l = blood_l * physiology.arterial_fraction
    venous_l = blood_l - arterial_l
    organs = physiology.organs
    cardiac_output = physiology.cardiac_output_l_per_h
    lung_exit = cardiac_output * blood_plasma_ratio / (_partition(payload, "lung") * organs["lung"].volume_l)
    transfers = [
        Transfer("drug.venous", "drug.lung", cardiac_output / venous_l, "flow"),
        Transfer("drug.lung", "drug.arterial", lung_exit, "flow"),
    ]
    flows = [Flow("drug.venous", "drug.lung", cardiac_output), Flow("drug.lung", "drug.arterial", cardiac_output)]
    for organ, organ_physiology in organs.items():
        if organ == "lung":
            continue
        inflow = organ_physiology.blood_flow_l_per_h
        outflow = inflow + (organs["spleen"].blood_flow_l_per_h if organ == "liver" else 0.0)
        target = "drug.liver" if organ == "spleen" else "drug.venous"
        exit_rate = outflow * blood_plasma_ratio / (_partition(payload, organ) * organ_physiology.volume_l)
        transfers.append(Transfer("drug.arterial", f"drug.{organ}", inflow / arterial_l, "flow"))
        transfers.append(Transfer(f"drug.{organ}", target, exit_rate, "flow"))
        flows.append(Flow("drug.arterial", f"drug.{organ}", inflow))
        flows.append(Flow(f"drug.{organ}", target, outflow))
    return transfers, flows


def drug_terms(
    physiology: Physiology, payload: Payload
) -> tuple[tuple[str, ...], dict[str, Value], list[Transfer], list[Flow]]:
    """Return the free-drug states, volumes (L), transfers and flows for ``payload``."""
    blood_l = physiology.plasma_volume_l / (1.0 - payload.drug.haematocrit)
    arterial_l = blood_l * physiology.arterial_fraction
    states = ("drug.arterial", "drug.venous") + tuple(f"drug.{o}" for o in physiology.organs)
    volumes: dict[str, Value] = {"drug.arterial": arterial_l, "drug.venous": blood_l - arterial_l}
    volumes.update({f"drug.{o}": p.volume_l for o, p in physiology.organs.items()})
    transfers, flows = _drug_circulation(physiology, payload)
    transfers.append(Transfer("drug.liver", "drug.eliminated", payload.drug.hepatic_elimination_per_h, "elimination"))
    particle_states = ["arterial", "venous", "urine", "bile"]
    for organ in physiology.organs:
        particle_states += organ_states(organ)
    for state in particle_states:
        transfers.append(
            Transfer(
                state,
                drug_state(state),
                payload.drug_per_particle_mass,
                "release",
                modulator="release",
                consumes_source=False,
            )
        )
    return states + DRUG_SINKS, volumes, transfers, flows
