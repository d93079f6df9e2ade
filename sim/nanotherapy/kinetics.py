"""Particle kinetics of a preset applied to one body (mouse or patient).

Rate constants (1/h) and partition and permeability coefficients carry over
unchanged; the permeability-surface products scale with the organ flows
they are defined on. Excretion clearances scale allometrically as
``coefficient * BW^0.75`` (L/h), as in the Lin lab code. For a patient, the
urinary clearance is scaled by eGFR relative to 100 mL/min/1.73 m^2, and
the hepatic phagocytic uptake and the biliary clearance by the liver
function fraction.

NOTE: the phagocytic uptake and release constants are the mouse values,
because no human nanoparticle data set was at hand to rescale them. Patient
results are mouse particle kinetics in human physiology.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .clinical import REFERENCE_EGFR_ML_MIN_1_73M2, ClinicalRecord
from .parameters import OrganKinetics, ParticleKinetics, ReceptorBinding, Value
from .presets import Preset

__all__ = ["particle_kinetics"]

# Allometric exponent of the excretion clearances (Lin lab code).
CLEARANCE_EXPONENT = 0.75


def _scaled_liver(liver: OrganKinetics, fraction: Value) -> OrganKinetics:
    if liver.res_uptake is None or np.all(np.asarray(fraction) == 1.0):
        return liver
    uptake = replace(liver.res_uptake, k_max_per_h=liver.res_uptake.k_max_per_h * fraction)
    return replace(liver, res_uptake=uptake)


def particle_kinetics(
    preset: Preset,
    body_weight_kg: Value,
    record: ClinicalRecord | None = None,
    targeting: ReceptorBinding | None = None,
) -> ParticleKinetics:
    """Return the kinetics of ``preset`` for a body of ``body_weight_kg``.

    Parameters
    ----------
    preset : Preset
        Formulation preset.
    body_weight_kg : float
        Body weight (kg) for the allometric excretion clearances.
    record : ClinicalRecord, optional
        Patient record whose kidney and liver function scale excretion and
        hepatic uptake; omitted for the mouse.
    targeting : ReceptorBinding, optional
        Receptor binding in the tumour for actively targeted particles.
    """
    allometric = body_weight_kg**CLEARANCE_EXPONENT
    urinary = preset.urinary_coefficient * allometric
    biliary = preset.biliary_coefficient * allometric
    organs = {**preset.organs, "tumour": preset.tumour.kinetics}
    if record is not None:
        urinary *= record.egfr_ml_min_1_73m2 / REFERENCE_EGFR_ML_MIN_1_73M2
        biliary *= record.liver_function_fraction
        organs["liver"] = _scaled_liver(organs["liver"], record.liver_function_fraction)
    return ParticleKinetics(
        name=preset.name,
        organs=organs,
        biliary_clearance_l_per_h=biliary,
        urinary_clearance_l_per_h=urinary,
        targeting=targeting,
    )
