"""Validation of a patient's clinical record for the PBPK model.

The record is the data custodian's mapping of clinical parameters. Only the
keys in :data:`CLINICAL_KEYS` are accepted, so a misspelt key fails loudly
instead of being ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ._errors import ClinicalRecordError
from .parameters import Value

__all__ = ["CLINICAL_KEYS", "ClinicalRecord", "parse_clinical"]

# key -> (lower bound, upper bound, unit, what it sets). Bounds are the
# physiological range the scaling is meant for, wide enough for paediatric
# to morbidly obese adults and for end-stage organ failure.
CLINICAL_KEYS: dict[str, tuple[float, float, str, str]] = {
    "body_weight_kg": (2.0, 300.0, "kg", "organ volumes and blood flows (required)"),
    "tumour_volume_ml": (0.01, 5000.0, "mL", "tumour volume and blood flow"),
    "egfr_ml_min_1_73m2": (1.0, 200.0, "mL/min/1.73 m^2", "urinary clearance of particles"),
    "liver_function_fraction": (
        0.05,
        1.0,
        "fraction of normal",
        "hepatic phagocytic uptake and biliary clearance",
    ),
    "haematocrit_fraction": (0.15, 0.65, "fraction", "plasma volume"),
}

# Reference values used when an optional key is absent.
REFERENCE_TUMOUR_VOLUME_ML = 10.0
REFERENCE_EGFR_ML_MIN_1_73M2 = 100.0
REFERENCE_HAEMATOCRIT = 0.45


@dataclass(frozen=True)
class ClinicalRecord:
    """Validated clinical parameters, with reference values filled in.

    ``assumed`` lists the optional keys that were absent and took their
    reference value. A virtual population passes arrays, one value per subject.
    """

    body_weight_kg: Value
    tumour_volume_ml: Value
    egfr_ml_min_1_73m2: Value
    liver_function_fraction: Value
    haematocrit_fraction: Value
    assumed: tuple[str, ...]


def _number(key: str, value: object) -> float:
    low, high, unit, _ = CLINICAL_KEYS[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClinicalRecordError(f"{key} must be a number in {unit}, got {value!r} of type {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ClinicalRecordError(
            f"{key} must be between {low:g} and {high:g} {unit}, got {value!r}; "
            "check the unit of the custodian's record"
        )
    return number


_DEFAULTS = {
    "tumour_volume_ml": REFERENCE_TUMOUR_VOLUME_ML,
    "egfr_ml_min_1_73m2": REFERENCE_EGFR_ML_MIN_1_73M2,
    "liver_function_fraction": 1.0,
    "haematocrit_fraction": REFERENCE_HAEMATOCRIT,
}


def parse_clinical(clinical: Mapping[str, object]) -> ClinicalRecord:
    """Validate ``clinical`` and return a :class:`ClinicalRecord`.

    Raises
    ------
    ClinicalRecordError
        When ``clinical`` is not a mapping, misses ``body_weight_kg``, has a
        key outside :data:`CLINICAL_KEYS` or a value outside its range.
    """
    if not isinstance(clinical, Mapping):
        raise ClinicalRecordError(
            f"clinical must be a mapping of clinical keys to numbers, got {type(clinical).__name__}"
        )
    unknown = sorted(str(key) for key in clinical if key not in CLINICAL_KEYS)
    if unknown:
        raise ClinicalRecordError(
            f"unknown clinical key(s) {', '.join(map(repr, unknown))}; accepted keys are {', '.join(CLINICAL_KEYS)}"
        )
    if "body_weight_kg" not in clinical:
        raise ClinicalRecordError("clinical record is missing body_weight_kg (kg), which is required")
    values = {key: _number(key, value) for key, value in clinical.items()}
    assumed = tuple(key for key in _DEFAULTS if key not in values)
    merged = {**_DEFAULTS, **values}
    return ClinicalRecord(assumed=assumed, **merged)
