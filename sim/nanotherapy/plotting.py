"""Plots of simulation results (matplotlib, Agg backend, PNG or SVG by file suffix)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._errors import PbpkInputError

__all__ = ["plot_patient", "PLOT_SUFFIXES"]

PLOT_SUFFIXES = (".png", ".svg")
_ORGANS_SHOWN = ("blood", "liver", "spleen", "kidney", "lung", "tumour", "rest")


def _figure_module() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def checked_plot_path(path: str | Path) -> Path:
    """Return ``path`` as a :class:`Path`, raising :class:`PbpkInputError` for an unsupported suffix."""
    target = Path(path)
    if target.suffix.lower() not in PLOT_SUFFIXES:
        raise PbpkInputError(f"plot file must end in .png or .svg, got {str(target)!r}")
    return target


def plot_patient(result: Mapping[str, Any], path: str | Path) -> Path:
    """Plot %ID over time per organ (and released drug when present) from :func:`simulate_patient`.

    Returns the path written.
    """
    target = checked_plot_path(path)
    plt = _figure_module()
    drug = result.get("released_drug")
    columns = 2 if drug else 1
    figure, axes = plt.subplots(1, columns, figsize=(6.5 * columns, 4.5), squeeze=False)
    # The first output is the time of dosing, where organs hold nothing yet.
    times = result["times_h"][1:]
    axis = axes[0][0]
    for organ in _ORGANS_SHOWN:
        if organ in result["organs"]:
            values = result["organs"][organ]["pct_id"][1:]
            axis.plot(times, values, label=organ, linewidth=2.2 if organ == "tumour" else 1.2)
    axis.set_yscale("log")
    axis.set_xlabel("time after dose (h)")
    axis.set_ylabel("% injected dose")
    axis.set_title(f"{result['formulation']}: particles")
    axis.legend(fontsize=8)
    if drug:
        drug_axis = axes[0][1]
        for organ in ("tumour", "liver"):
            values = drug[organ]["concentration_mg_per_l"][1:]
            drug_axis.plot(times, values, label=f"free {drug['drug']}, {organ}")
        drug_axis.set_yscale("log")
        drug_axis.set_xlabel("time after dose (h)")
        drug_axis.set_ylabel("free drug (mg/L)")
        drug_axis.set_title("released drug")
        drug_axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
    return target
