"""Reading of the tab-separated tables shipped in ``sim/nanotherapy/data``.

Each table starts with ``#`` lines naming its source, licence and units,
followed by one header row. ``NA`` marks a missing value.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

__all__ = ["read_table", "to_float"]

_DATA_PACKAGE = "sim.nanotherapy.data"


@functools.cache
def read_table(file_name: str) -> tuple[dict[str, str], ...]:
    """Read a shipped table as rows keyed by the header, skipping ``#`` lines."""
    text = resources.files(_DATA_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


def to_float(text: str) -> float:
    """Convert a table cell to float, with ``NA`` read as NaN."""
    return float("nan") if text.strip() in ("NA", "") else float(text)
