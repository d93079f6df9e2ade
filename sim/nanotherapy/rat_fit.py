"""Size-specific phagocytic (RES) rates of the rat gold-nanoparticle model, fitted to i.v. data.

The Nano-iPBPK app (UFPBPK/Nano-iPBPK, ``Revised Code_for_App/server.R``
at commit 097792b) derives its i.v. RES rates from multiple linear
regressions on core size (nm), zeta potential (mV), hydrodynamic diameter
(nm), total surface area dosed (cm²) and number of particles dosed. Those
five descriptors of each particle in the data set are not in the app's
repository, so the regressions cannot be evaluated here for the five sizes.
Instead, four rates per size are fitted to the observed organ %ID at one
time point and judged on the other time point, which the fit does not use:

* ``KLRESmax``: uptake by liver phagocytes from liver capillary blood (1/h);
* ``KLRESrelease``: release from liver phagocytes back to the blood (1/h);
* ``PASC``: spleen permeability-surface product as a fraction of spleen
  blood flow (dimensionless). With the table's 0.001, no splenic uptake
  rate brings the spleen to its observed %ID, and the app's i.v.
  regression for it also departs from the table (about 0.3);
* ``KRRESmax``: uptake by phagocytes of the rest of the body (1/h).

Every other parameter keeps the value of the shipped table. The fit
minimises the squared ``log10(predicted / observed)`` over the organs with
:func:`scipy.optimize.least_squares`, on ``log10`` of the values within
1e-4 to 1e4.

``python -m sim.nanotherapy.rat_fit`` refits and prints the table stored in
``data/rat_gold_np_iv_fitted_res_rates.tsv``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from ._tables import read_table, to_float
from .rat import observed_iv, observed_pairs, rat_table, rat_validation

__all__ = ["FITTED_PARAMETERS", "LOG10_RATE_BOUNDS", "fit_res_rates", "fitted_res_rates", "fit_validation"]

FITTED_PARAMETERS = ("KLRESmax", "KLRESrelease", "PASC", "KRRESmax")
# Bounds of log10 of each fitted value (rates in 1/h, PASC dimensionless).
LOG10_RATE_BOUNDS = (-4.0, 4.0)
_FITTED_TABLE = "rat_gold_np_iv_fitted_res_rates.tsv"


def _rows(size: str, time_h: float) -> list[dict[str, str]]:
    return [row for row in observed_iv() if row["Size"] == size and to_float(row["Time"]) == time_h]


def _log_residuals(log_rates: NDArray[np.float64], rows: list[dict[str, str]]) -> NDArray[np.float64]:
    rates = dict(zip(FITTED_PARAMETERS, 10.0**log_rates, strict=True))
    pairs, _ = observed_pairs(rows, rates)
    return np.array([np.log10(predicted / observed) for *_, predicted, observed in pairs])


def fit_res_rates(size: str, fit_time_h: float) -> dict[str, float]:
    """Fit :data:`FITTED_PARAMETERS` to the organ %ID of ``size`` observed at ``fit_time_h`` (h).

    The fit starts from the shipped table's values and returns the values
    by table name (rates in 1/h, ``PASC`` dimensionless).
    """
    rows = _rows(size, fit_time_h)
    if not rows:
        raise ValueError(f"size must be a size label of the i.v. data with a {fit_time_h:g} h row, got {size!r}")
    table = rat_table()
    start = np.log10([table[name] for name in FITTED_PARAMETERS])
    result = least_squares(_log_residuals, start, bounds=LOG10_RATE_BOUNDS, args=(rows,), x_scale=1.0)
    return dict(zip(FITTED_PARAMETERS, (float(v) for v in 10.0**result.x), strict=True))


@functools.cache
def fitted_res_rates(fit_time_h: float = 1.0) -> Mapping[str, Mapping[str, float]]:
    """Return the stored fitted values ``{size: {parameter: value}}`` for one fit time (h)."""
    rates: dict[str, dict[str, float]] = {}
    for row in read_table(_FITTED_TABLE):
        if to_float(row["fit_time_h"]) == fit_time_h:
            rates.setdefault(row["size"], {})[row["name"]] = float(row["value"])
    if not rates:
        raise ValueError(f"fit_time_h must be a fit time stored in {_FITTED_TABLE} (1 or 24), got {fit_time_h!r}")
    return rates


def fit_validation(fit_time_h: float = 1.0) -> dict[str, Any]:
    """Compare the stored fit with the data: at the fitted time point and at the held-out one.

    Returns
    -------
    dict
        ``fitted`` and ``held_out``: :func:`sim.nanotherapy.rat.rat_validation`
        summaries (overall, by organ and size, pairs) of the points at
        ``fit_time_h`` and of the other time point; ``rates`` and
        ``held_out_time_h``.
    """
    rates = fitted_res_rates(fit_time_h)
    rows = observed_iv()
    held_out_time_h = next(t for t in sorted({to_float(row["Time"]) for row in rows}) if t != fit_time_h)
    fitted_rows = [row for row in rows if to_float(row["Time"]) == fit_time_h]
    held_rows = [row for row in rows if to_float(row["Time"]) == held_out_time_h]
    return {
        "fitted": rat_validation(rates, fitted_rows),
        "held_out": rat_validation(rates, held_rows),
        "rates": {size: dict(values) for size, values in rates.items()},
        "held_out_time_h": held_out_time_h,
    }


def _print_table() -> None:
    sys.stdout.write("size\tfit_time_h\tname\tvalue\tunit\n")
    sizes = sorted({row["Size"] for row in observed_iv()})
    for fit_time_h in (1.0, 24.0):
        for size in sizes:
            for name, value in fit_res_rates(size, fit_time_h).items():
                unit = "1" if name == "PASC" else "1/h"
                sys.stdout.write(f"{size}\t{fit_time_h:g}\t{name}\t{value:.6g}\t{unit}\n")


if __name__ == "__main__":
    _print_table()
