"""Exposure metrics from a trajectory: %ID, concentrations, AUC, Cmax, Tmax, delivery efficiency."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .parameters import Value
from .spec import ModelSpec
from .structures import organ_states

__all__ = ["organ_amounts", "organ_volumes_l", "exposure", "delivery_efficiency"]

FloatArray = NDArray[np.float64]


def organ_amounts(spec: ModelSpec, amounts_mg: FloatArray, organs: list[str]) -> dict[str, FloatArray]:
    """Return particle amount (mg) per organ (all sub-compartments) over time.

    ``amounts_mg`` has time on its second-last axis and states on its last.
    """
    result = {}
    for organ in organs:
        columns = [spec.index(s) for s in organ_states(organ) if s in spec.states]
        result[organ] = amounts_mg[..., columns].sum(axis=-1)
    return result


def organ_volumes_l(spec: ModelSpec, organs: list[str]) -> dict[str, Value]:
    """Return each organ's volume (L): the sum of its blood and tissue volumes."""
    volumes: dict[str, Value] = {}
    for organ in organs:
        total: Value = 0.0
        for state in organ_states(organ):
            total = total + spec.volumes_l.get(state, 0.0)
        volumes[organ] = total
    return volumes


def exposure(t_h: FloatArray, concentration: FloatArray) -> dict[str, float]:
    """Return AUC (trapezoidal, concentration unit x h), Cmax and Tmax (h) of one curve."""
    peak = int(np.argmax(concentration))
    return {
        "auc": float(np.trapezoid(concentration, t_h)),
        "cmax": float(concentration[peak]),
        "tmax_h": float(t_h[peak]),
    }


def delivery_efficiency(t_h: FloatArray, tumour_pct_id: FloatArray) -> dict[str, float | None]:
    """Return tumour %ID at 24 h and 168 h (None past the horizon) and its maximum."""
    result: dict[str, float | None] = {}
    for label, time in (("de24_pct_id", 24.0), ("de168_pct_id", 168.0)):
        inside = t_h[-1] >= time - 1e-9
        result[label] = float(np.interp(time, t_h, tumour_pct_id)) if inside else None
    result["demax_pct_id"] = float(tumour_pct_id.max())
    result["tmax_tumour_h"] = float(t_h[int(np.argmax(tumour_pct_id))])
    return result
