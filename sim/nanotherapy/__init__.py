"""Nanoparticle PBPK: how much of a dose reaches the tumour, when, and how much the liver and spleen take.

The model is the permeability-limited nanoparticle PBPK of the Lin lab. It
has arterial and venous plasma, and lung, liver, spleen, kidney, brain,
muscle, tumour and rest of body, each with capillary blood, tissue and
phagocytic cells. A drug payload is released into a flow-limited free-drug
PBPK.
It runs in mouse physiology for validation against published data and in
human physiology scaled to a patient's clinical record.

Public entry points: :func:`simulate_patient`, :func:`list_presets`,
:func:`simulate_population`.
"""

from ._errors import ClinicalRecordError, PbpkAccuracyWarning, PbpkInputError, UnknownPresetError
from .patient import simulate_patient
from .population import simulate_population
from .presets import DEFAULT_PRESET, list_presets

__all__ = [
    "DEFAULT_PRESET",
    "ClinicalRecordError",
    "PbpkAccuracyWarning",
    "PbpkInputError",
    "UnknownPresetError",
    "list_presets",
    "simulate_patient",
    "simulate_population",
]
