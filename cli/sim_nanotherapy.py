"""``consent-ledger sim pbpk``, ``pbpk-presets`` and ``population``: registered on :data:`cli.sim.sim_app`.

These commands run the nanoparticle PBPK model on values the user types or
on a JSON clinical record, with no chain or consent involved. Input errors,
including an output path that cannot be written, exit with status 2 and a
one-line message. A population whose solver fails exits with status 1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.sim import sim_app
from sim.nanotherapy import DEFAULT_PRESET, PbpkInputError, list_presets, simulate_patient
from sim.nanotherapy.plotting import checked_plot_path, plot_patient
from sim.nanotherapy.population import simulate_population
from sim.nanotherapy.presets import get_preset, preset_parameters

# soft_wrap keeps each error on one line, whatever the terminal width.
_console = Console(stderr=True, soft_wrap=True)
_output = Console()
_INPUT_ERROR_EXIT = 2
_SOLVER_FAILURE_EXIT = 1

FormulationOption = Annotated[str, typer.Option("--formulation", help="Preset name (see `sim pbpk-presets`).")]
JsonOption = Annotated[Path | None, typer.Option("--json", help="Write the full result as JSON to this file.")]


def _fail(error: Exception) -> typer.Exit:
    _console.print(f"[red]error:[/red] {error}")
    return typer.Exit(_INPUT_ERROR_EXIT)


def _checked_output(path: Path | None, option: str) -> None:
    """Raise :class:`PbpkInputError` before the run when ``path`` cannot be written as a file."""
    if path is None:
        return
    if path.is_dir():
        raise PbpkInputError(f"{option} {str(path)!r} is a folder; give a file name inside it")
    folder = path.parent
    if not folder.is_dir():
        raise PbpkInputError(f"{option} {str(path)!r}: folder {str(folder)!r} does not exist; create it first")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise PbpkInputError(f"{option} {str(path)!r} is not writable; choose a path you can write to")


def _write_text(path: Path, text: str, option: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _fail(PbpkInputError(f"cannot write {option} {str(path)!r}: {error.strerror}")) from error
    _console.print(f"wrote {path}")


def _clinical_record(
    clinical_file: Path | None,
    weight: float | None,
    tumour: float | None,
    egfr: float | None,
    liver: float | None,
    haematocrit: float | None,
) -> dict[str, object]:
    record: dict[str, object] = {}
    if clinical_file is not None:
        try:
            record = json.loads(clinical_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise PbpkInputError(f"cannot read clinical record {clinical_file}: {error}") from error
        if not isinstance(record, dict):
            raise PbpkInputError(
                f"clinical record {clinical_file} must hold a JSON object of clinical keys to numbers, "
                f"got a JSON {type(record).__name__}"
            )
    typed = {
        "body_weight_kg": weight,
        "tumour_volume_ml": tumour,
        "egfr_ml_min_1_73m2": egfr,
        "liver_function_fraction": liver,
        "haematocrit_fraction": haematocrit,
    }
    record.update({key: value for key, value in typed.items() if value is not None})
    return record


def _summary_table(result: dict[str, Any]) -> Table:
    table = Table(title=f"{result['formulation']} in a {result['clinical']['body_weight_kg']:g} kg patient")
    for column in ("organ", "%ID at end", "Cmax (mg/L)", "Tmax (h)", "AUC (mg*h/L)"):
        table.add_column(column, justify="right" if column != "organ" else "left")
    for organ, entry in result["organs"].items():
        if "cmax_mg_per_l" not in entry:
            table.add_row(organ, f"{entry['pct_id'][-1]:.4g}", "", "", "")
            continue
        table.add_row(
            organ,
            f"{entry['pct_id'][-1]:.4g}",
            f"{entry['cmax_mg_per_l']:.4g}",
            f"{entry['tmax_h']:.3g}",
            f"{entry['auc_mg_h_per_l']:.4g}",
        )
    return table


@sim_app.command("pbpk")
def pbpk(
    weight: Annotated[
        float | None, typer.Option("--weight", help="Body weight (kg); required unless in --clinical.")
    ] = None,
    tumour: Annotated[float | None, typer.Option("--tumour-ml", help="Tumour volume (mL).")] = None,
    egfr: Annotated[float | None, typer.Option("--egfr", help="eGFR (mL/min/1.73 m^2).")] = None,
    liver: Annotated[
        float | None, typer.Option("--liver-function", help="Liver function, fraction of normal (0.05-1).")
    ] = None,
    haematocrit: Annotated[float | None, typer.Option("--haematocrit", help="Haematocrit (fraction).")] = None,
    clinical_file: Annotated[
        Path | None, typer.Option("--clinical", help="JSON clinical record; typed options override it.")
    ] = None,
    formulation: FormulationOption = DEFAULT_PRESET,
    dose: Annotated[float | None, typer.Option("--dose", help="Particle dose (mg/kg); default 1.")] = None,
    hours: Annotated[float, typer.Option("--hours", help="Simulated time after the dose (h).")] = 168.0,
    json_path: JsonOption = None,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="Write %ID curves to this PNG or SVG file.")] = None,
) -> None:
    """Simulate an i.v. nanoparticle dose in one patient: tumour delivery, liver and spleen exposure."""
    try:
        if plot_path is not None:
            checked_plot_path(plot_path)
        _checked_output(plot_path, "--plot")
        _checked_output(json_path, "--json")
        record = _clinical_record(clinical_file, weight, tumour, egfr, liver, haematocrit)
        result = simulate_patient(record, formulation=formulation, dose_mg_per_kg=dose, hours=hours)
    except PbpkInputError as error:
        raise _fail(error) from error
    _output.print(_summary_table(result))
    delivery = result["tumour_delivery"]
    de168 = "n/a" if delivery["de168_pct_id"] is None else f"{delivery['de168_pct_id']:.4g}"
    _output.print(
        f"tumour delivery (%ID): DE24 {delivery['de24_pct_id']:.4g}, DE168 {de168}, "
        f"DEmax {delivery['demax_pct_id']:.4g} at {delivery['tmax_tumour_h']:.3g} h"
    )
    drug = result["released_drug"]
    if drug is not None:
        _output.print(
            f"released {drug['drug']} AUC (mg*h/L): tumour {drug['tumour']['auc_mg_h_per_l']:.4g}, "
            f"liver {drug['liver']['auc_mg_h_per_l']:.4g}"
        )
    for line in result["assumptions"]:
        _console.print(f"[yellow]assumed:[/yellow] {line}")
    if json_path is not None:
        _write_text(json_path, json.dumps(result, indent=1), "--json")
    if plot_path is not None:
        try:
            plot_patient(result, plot_path)
        except OSError as error:
            raise _fail(PbpkInputError(f"cannot write --plot {str(plot_path)!r}: {error.strerror}")) from error
        _console.print(f"wrote {plot_path}")


@sim_app.command("pbpk-presets")
def pbpk_presets(
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the 378 Nano-Tumor Database formulations.")
    ] = False,
    parameters: Annotated[
        str | None, typer.Option("--parameters", help="Print every parameter of this preset with units.")
    ] = None,
) -> None:
    """List the formulation presets, or the parameters of one."""
    if parameters is not None:
        try:
            rows = preset_parameters(parameters)
        except PbpkInputError as error:
            raise _fail(error) from error
        table = Table(title=parameters)
        for column in ("name", "value", "unit"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row["name"]), str(row["value"]), str(row["unit"]))
        _output.print(table)
        return
    for name in list_presets():
        if show_all or not name.startswith("ntdb-"):
            _output.print(f"{name}\t{get_preset(name).description}")
    if not show_all:
        _output.print("ntdb-001 ... ntdb-378\tNano-Tumor Database formulations (use --all)")


@sim_app.command("population")
def population(
    n_subjects: Annotated[int, typer.Option("--n", min=1, max=1_000_000, help="Number of virtual patients.")] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed (0 or more); the same seed gives the same patients.")
    ] = 0,
    formulation: FormulationOption = DEFAULT_PRESET,
    dose: Annotated[float, typer.Option("--dose", min=1e-9, help="Particle dose (mg/kg).")] = 1.0,
    json_path: JsonOption = None,
) -> None:
    """Simulate a virtual population for 168 h and print percentiles of tumour, liver and spleen metrics."""
    columns = (TextColumn("virtual patients"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        _checked_output(json_path, "--json")
        with Progress(*columns, console=_console) as progress:
            task = progress.add_task("population", total=n_subjects)
            result = simulate_population(
                n_subjects,
                seed=seed,
                formulation=formulation,
                dose_mg_per_kg=dose,
                progress=lambda done: progress.update(task, completed=done),
            )
    except PbpkInputError as error:
        raise _fail(error) from error
    summary = result.to_dict()
    table = Table(title=f"{n_subjects} virtual patients, {formulation}, seed {seed}")
    table.add_column("metric")
    for q in ("p5", "p25", "p50", "p75", "p95"):
        table.add_column(q, justify="right")
    for metric, values in summary["metrics"].items():
        table.add_row(metric, *(f"{v:.4g}" for v in values.values()))
    _output.print(table)
    if json_path is not None:
        _write_text(json_path, json.dumps(summary, indent=1), "--json")
    if result.status != 0:
        # A numerical failure is not an input error: exit 1, after writing what was computed.
        _console.print(f"[red]solver:[/red] {result.message}")
        raise typer.Exit(_SOLVER_FAILURE_EXIT)
