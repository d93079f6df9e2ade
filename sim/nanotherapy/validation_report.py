"""Validation figures and plots for ``docs/validation.md``.

Run ``python -m sim.nanotherapy.validation_report OUTPUT_DIR``: writes the
plots to OUTPUT_DIR and prints the figures as one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .plotting import _figure_module
from .rat import rat_validation
from .rat_fit import fit_validation
from .validation import nano_tumor_db_validation
from .vincristine import vincristine_validation

__all__ = ["validation_figures"]


def _strip(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("formulations", "pairs")}


def _identity_plot(axis: Any, predicted: np.ndarray, observed: np.ndarray, title: str) -> None:
    axis.loglog(observed, predicted, ".", markersize=3, alpha=0.5)
    low = min(observed.min(), predicted.min()) / 2
    high = max(observed.max(), predicted.max()) * 2
    line = np.array([low, high])
    axis.plot(line, line, "k-", linewidth=1)
    for factor in (2.0, 3.0):
        axis.plot(line, line * factor, "k--", linewidth=0.6)
        axis.plot(line, line / factor, "k--", linewidth=0.6)
    axis.set_xlabel("observed")
    axis.set_ylabel("predicted")
    axis.set_title(title, fontsize=9)


def _nano_tumor_db_plot(summary: dict[str, Any], path: Path) -> None:
    plt = _figure_module()
    figure, axes = plt.subplots(1, 4, figsize=(16, 4))
    formulations = summary["formulations"]
    _identity_plot(
        axes[0],
        np.concatenate([f["predicted"] for f in formulations]),
        np.concatenate([f["observed"] for f in formulations]),
        "tumour %ID, 1,719 observed points",
    )
    for axis, key in zip(axes[1:], ("DE24", "DE168", "DEmax"), strict=True):
        predicted = np.array([f["predicted_de"][key] for f in formulations])
        observed = np.array([f["published_de"][key] for f in formulations])
        _identity_plot(axis, predicted, observed, f"{key} (%ID), 378 formulations")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _pairs_plot(pairs: list[tuple[Any, ...]], path: Path, title: str) -> None:
    plt = _figure_module()
    figure, axis = plt.subplots(figsize=(5, 4.5))
    _identity_plot(axis, np.array([p[3] for p in pairs]), np.array([p[4] for p in pairs]), title)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def validation_figures(output_dir: Path) -> dict[str, Any]:
    """Run every validation, write the plots to ``output_dir`` and return the figures."""
    output_dir.mkdir(parents=True, exist_ok=True)
    balanced = nano_tumor_db_validation()
    published = nano_tumor_db_validation(balanced_liver_outflow=False)
    vincristine = vincristine_validation()
    rat = rat_validation()
    rat_fit = fit_validation()
    _nano_tumor_db_plot(balanced, output_dir / "pbpk_nano_tumor_db.png")
    _pairs_plot(vincristine["pairs"], output_dir / "pbpk_vincristine.png", "total vincristine (ug/mL), 707 points")
    _pairs_plot(rat["pairs"], output_dir / "pbpk_rat_gold_iv.png", "rat gold NP i.v., organ %ID")
    held_out = rat_fit["held_out"]["pairs"]
    _pairs_plot(held_out, output_dir / "pbpk_rat_gold_iv_fit.png", "rat gold NP i.v., fitted at 1 h: 24 h held out")
    return {
        "nano_tumor_db_balanced": _strip(balanced),
        "nano_tumor_db_published_flows": _strip(published),
        "vincristine": _strip(vincristine),
        "rat_gold_iv": _strip(rat),
        "rat_gold_iv_fit": {key: _strip(rat_fit[key]) for key in ("fitted", "held_out")},
    }


if __name__ == "__main__":
    print(json.dumps(validation_figures(Path(sys.argv[1])), indent=1))  # noqa: T201
