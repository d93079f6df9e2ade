"""Integrators for the linear time-varying PBPK system ``dx/dt = A(t) x + u(t)``.

The blood pools turn over in seconds while phagocytic release takes days,
so the system is stiff. Because it is linear in the states, each step is
solved exactly for a matrix frozen at its mean over the step (first-order
Magnus, second order in the step):
``x(t + h) = expm(h * mean(A)) x(t)``, with the mean of every
time-dependent curve integrated over the step. The i.v. infusion is a
constant input on ``[0, infusion_h]``, folded into an augmented matrix.

:func:`solve_lsoda` solves the same system with SciPy's LSODA as an
independent reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from ._errors import PbpkInputError
from .expm import expm_batch
from .parameters import Value
from .spec import ModelSpec

__all__ = [
    "Dosing",
    "Trajectory",
    "expm_batch",
    "hill_adapted_grid",
    "integration_grid",
    "solve_magnus",
    "solve_lsoda",
]

FloatArray = NDArray[np.float64]

# First step (h): resolves the first seconds, when the dose mixes through the blood.
FIRST_STEP_H = 1e-6
# Largest step (h). The curves that vary (Hill uptake, release) change over
# hours, and 0.25 h keeps tumour amounts within a relative 5e-4 of LSODA at
# rtol 1e-10 from 0.5 h to 168 h for the presets in
# tests/sim/nanotherapy/test_solver.py (largest seen 2.7e-4, ntdb-012 at 0.5 h).
MAX_STEP_H = 0.25
# Hill-adapted grids: the step density grows as the square root of the summed
# rates of change of the Hill fractions. Powers 1/3, 1/2 and 1 were tried on
# populations of ntdb-005, ntdb-012, ntdb-100 and ntdb-200. At an equal step
# count, 1/2 gave the smallest maximum tumour error (docs/benchmarks.md).
HILL_DENSITY_POWER = 0.5
# Share of the adapted steps spread uniformly in time, so no step grows long
# where the Hill curves are flat.
HILL_UNIFORM_SHARE = 0.1
# Points of the fine time mesh on which the step density is integrated.
_DENSITY_MESH_POINTS = 4000


@dataclass(frozen=True)
class Dosing:
    """Initial amounts (mg) and an optional constant-rate infusion.

    ``infusion_mg`` enters ``infusion_state`` at a constant rate over
    ``infusion_h`` hours; a batch gives one dose per subject. ``initial_mg`` contains any bolus amounts, such as
    the burst release of a drug payload.
    """

    initial_mg: FloatArray
    infusion_state: int
    infusion_mg: Value
    infusion_h: float


@dataclass(frozen=True)
class Trajectory:
    """Amounts (mg) at the output times, with the integrator's outcome.

    ``status`` is 0 on success and -1 on failure, and ``message`` describes
    the outcome, as for :func:`scipy.integrate.solve_ivp`.
    """

    t_h: FloatArray
    amounts_mg: FloatArray
    status: int
    message: str

    @property
    def success(self) -> bool:
        """True when the integrator reached the last output time."""
        return self.status == 0


def integration_grid(
    output_times_h: ArrayLike,
    *,
    breakpoints_h: ArrayLike = (),
    first_step_h: float = FIRST_STEP_H,
    max_step_h: float = MAX_STEP_H,
) -> FloatArray:
    """Return step nodes from 0: geometric from ``first_step_h`` up to ``max_step_h``, then uniform.

    Every output time and breakpoint (the end of the infusion) is a node.
    """
    outputs = np.asarray(output_times_h, dtype=float)
    t_end = float(outputs.max())
    geometric = first_step_h * 2.0 ** np.arange(int(np.ceil(np.log2(max_step_h / first_step_h))))
    # Uniform nodes sit on multiples of the step, so round output times add no extra node.
    uniform = max_step_h * np.arange(1, int(np.ceil(t_end / max_step_h)) + 1)
    nodes = np.concatenate(([0.0], geometric, uniform, outputs, np.asarray(breakpoints_h, float)))
    nodes = np.unique(nodes[nodes <= t_end])
    return nodes[np.concatenate(([True], np.diff(nodes) > 1e-12))]


def _hill_fraction_rate(t_h: FloatArray, t50_h: float, hill_n: float) -> FloatArray:
    """Return ``df/dt`` (1/h) of the Hill fraction ``f(t) = t**n / (t50**n + t**n)`` for ``t > 0``."""
    x = (t_h / t50_h) ** hill_n
    return np.asarray(hill_n * x / (t_h * (1.0 + x) ** 2), dtype=np.float64)


def _fixed_nodes(outputs: FloatArray, breakpoints: FloatArray, first_step_h: float, start_h: float) -> FloatArray:
    """Return 0, the geometric nodes below ``start_h``, the outputs and the breakpoints, sorted."""
    geometric = first_step_h * 2.0 ** np.arange(max(int(np.ceil(np.log2(start_h / first_step_h))), 0))
    nodes = np.unique(np.concatenate(([0.0], geometric[geometric < start_h], outputs, breakpoints)))
    nodes = nodes[nodes <= outputs.max()]
    return np.asarray(nodes[np.concatenate(([True], np.diff(nodes) > 1e-12))], dtype=np.float64)


def _step_density(curves: Sequence[tuple[float, float]], start_h: float, t_end: float) -> tuple[FloatArray, FloatArray]:
    """Return a fine mesh on ``[start_h, t_end]`` and the normalised cumulative step density on it."""
    half = _DENSITY_MESH_POINTS // 2
    mesh = np.unique(np.concatenate((np.geomspace(start_h, t_end, half), np.linspace(start_h, t_end, half))))
    change = sum((_hill_fraction_rate(mesh, t50, n) for t50, n in curves), np.zeros_like(mesh))
    density = change**HILL_DENSITY_POWER
    cumulative = np.concatenate(([0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(mesh))))
    uniform = (mesh - start_h) / (t_end - start_h)
    if cumulative[-1] <= 0.0:
        return mesh, uniform
    return mesh, (1.0 - HILL_UNIFORM_SHARE) * cumulative / cumulative[-1] + HILL_UNIFORM_SHARE * uniform


def _allocate_steps(weights: FloatArray, n_steps: int) -> NDArray[np.intp]:
    """Give each gap one step, then each further step to the gap with the largest weight per step."""
    counts = np.ones(weights.size, dtype=np.intp)
    for _ in range(n_steps - weights.size):
        counts[np.argmax(weights / counts)] += 1
    return counts


def hill_adapted_grid(
    output_times_h: ArrayLike,
    hill_curves: Sequence[tuple[float, float]],
    n_steps: int,
    *,
    breakpoints_h: ArrayLike = (),
    first_step_h: float = FIRST_STEP_H,
    start_h: float = 0.1,
) -> FloatArray:
    """Return about ``n_steps`` step nodes from 0, placed closest where the Hill fractions change fastest.

    Parameters
    ----------
    output_times_h : array_like
        Output times (h); each is a node, and the last is the end of the grid.
    hill_curves : sequence of (float, float)
        ``(t50_h, hill_n)`` of each Hill curve ``t**n / (t50**n + t**n)``;
        the maxima ``k_max`` play no part, so subjects that differ only in
        ``k_max`` share one grid.
    n_steps : int
        Step budget. The fixed nodes (0, geometric nodes from
        ``first_step_h`` below ``start_h``, outputs, breakpoints) come first,
        so a budget below their count gives just those nodes.
    breakpoints_h : array_like
        Further times that must be nodes, such as the end of the infusion (h).
    first_step_h : float
        First step (h).
    start_h : float
        Below this time (h) the nodes are geometric only.

    Returns
    -------
    numpy.ndarray
        Increasing nodes (h) from 0 to the last output time.

    Notes
    -----
    Beyond ``start_h`` the nodes sit at equal increments of a cumulative
    density: :data:`HILL_UNIFORM_SHARE` of it uniform in time, the rest
    proportional to ``(sum_j |f_j'(t)|) ** HILL_DENSITY_POWER``. The steps
    are shared among the gaps between fixed nodes in proportion to the
    density each gap holds, so the output times stay nodes.
    """
    outputs = np.asarray(output_times_h, dtype=float)
    t_end = float(outputs.max())
    fixed = _fixed_nodes(outputs, np.asarray(breakpoints_h, dtype=float), first_step_h, start_h)
    mesh, cumulative = _step_density(hill_curves, start_h, t_end)
    at_fixed = np.interp(fixed, mesh, cumulative, left=0.0)
    counts = _allocate_steps(np.diff(at_fixed), n_steps)
    nodes = [fixed[:1]]
    for i, count in enumerate(counts):
        targets = at_fixed[i] + (at_fixed[i + 1] - at_fixed[i]) * np.arange(1, count) / count
        nodes.append(np.append(np.interp(targets, cumulative, mesh), fixed[i + 1]))
    return np.concatenate(nodes)


def _step_matrix(
    a0: FloatArray, entries: list[tuple[int, int, int, FloatArray, bool]], weights: FloatArray
) -> FloatArray:
    """Return ``a0 + sum_j weights_j B_j`` for every subject of the batch."""
    matrix = a0.copy()
    for curve, target, source, rate, consumes in entries:
        term = weights[curve] * rate
        matrix[:, target, source] += term
        if consumes:
            matrix[:, source, source] -= term
    return matrix


def propagate(spec: ModelSpec, dosing: Dosing, grid: FloatArray, keep: NDArray[np.intp]) -> FloatArray:
    """Step the batch through ``grid`` and return the states at nodes ``keep``.

    Returns an array (subjects, len(keep), m); ``dosing.initial_mg`` and
    ``dosing.infusion_mg`` may carry a leading subject axis.
    """
    a0 = spec.constant_matrix()
    m = a0.shape[-1]
    a0 = a0.reshape(-1, m, m)
    subjects = a0.shape[0]
    batch = spec.batch_shape()
    entries = [(j, t, s, np.broadcast_to(r, batch).reshape(-1), c) for j, t, s, r, c in spec.modulated_entries()]
    means = spec.curve_step_means(grid[:-1], grid[1:])
    steps = np.diff(grid)
    x = np.ones((subjects, m + 1))
    x[:, :m] = np.broadcast_to(dosing.initial_mg, (subjects, m))
    infusion_mg = np.broadcast_to(dosing.infusion_mg, (subjects,)).astype(float)
    if dosing.infusion_h == 0.0:
        x[:, dosing.infusion_state] += infusion_mg
    states = np.empty((subjects, len(keep), m))
    slots = {int(node): i for i, node in enumerate(keep)}
    if 0 in slots:
        states[:, slots[0]] = x[:, :m]
    for k, step in enumerate(steps):
        exponent = _step_matrix(a0, entries, means[k]) * step
        if grid[k + 1] <= dosing.infusion_h + 1e-12:
            # During the infusion the constant input rides in an extra column.
            augmented = np.zeros((subjects, m + 1, m + 1))
            augmented[:, :m, :m] = exponent
            augmented[:, dosing.infusion_state, m] = infusion_mg / dosing.infusion_h * step
            x = np.einsum("nij,nj->ni", expm_batch(augmented), x)
        else:
            x[:, :m] = np.einsum("nij,nj->ni", expm_batch(exponent), x[:, :m])
        if k + 1 in slots:
            states[:, slots[k + 1]] = x[:, :m]
    return states


def solve_magnus(
    spec: ModelSpec,
    dosing: Dosing,
    output_times_h: ArrayLike,
    *,
    max_step_h: float = MAX_STEP_H,
) -> Trajectory:
    """Solve the system with step-mean matrix exponentials and return amounts at the outputs.

    Parameters
    ----------
    spec : ModelSpec
        States, transfers and time-dependent curves; array-valued rates
        make a batch of subjects.
    dosing : Dosing
        Initial amounts and the i.v. infusion (mg, h).
    output_times_h : array_like
        Non-negative, increasing output times (h).
    max_step_h : float
        Largest integration step (h).

    Returns
    -------
    Trajectory
        Amounts with shape (len(output_times_h), m) for a scalar spec and
        (subjects, len(output_times_h), m) for a batch.
    """
    outputs = _checked_outputs(output_times_h)
    grid = integration_grid(outputs, breakpoints_h=[dosing.infusion_h], max_step_h=max_step_h)
    states = propagate(spec, dosing, grid, np.searchsorted(grid, outputs))
    if spec.batch_shape() == ():
        states = states[0]
    if not np.all(np.isfinite(states)):
        return Trajectory(outputs, states, -1, "non-finite amounts: check the rate constants")
    return Trajectory(outputs, states, 0, "reached the last output time")


def _checked_outputs(output_times_h: ArrayLike) -> FloatArray:
    outputs = np.asarray(output_times_h, dtype=float)
    if outputs.ndim != 1 or outputs.size == 0:
        raise PbpkInputError("output_times_h must be a non-empty 1-D array of hours")
    if np.any(outputs < 0) or np.any(np.diff(outputs) <= 0) or not np.all(np.isfinite(outputs)):
        raise PbpkInputError("output_times_h must be finite, non-negative and strictly increasing (h)")
    return outputs


def solve_lsoda(
    spec: ModelSpec,
    dosing: Dosing,
    output_times_h: ArrayLike,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-14,
) -> Trajectory:
    """Solve the same system with LSODA, one segment for the infusion and one after it.

    The right-hand side evaluates ``A(t) @ x`` with the curves at ``t``; the
    Jacobian is ``A(t)``. Tolerances default tight, because the result is a
    reference for the exponential integrators.
    """
    outputs = _checked_outputs(output_times_h)
    if spec.batch_shape() != ():
        raise PbpkInputError("solve_lsoda takes one subject; pass a spec with scalar rates")
    a0, b = spec.matrices()
    m = a0.shape[0]
    rate = np.zeros(m)
    if dosing.infusion_h > 0:
        rate[dosing.infusion_state] = dosing.infusion_mg / dosing.infusion_h

    def matrix(t: float) -> FloatArray:
        return a0 + np.tensordot(spec.curve_values(np.array([t]))[0], b, axes=1)

    def rhs(t: float, x: FloatArray, infusing: bool) -> FloatArray:
        derivative = matrix(t) @ x
        return derivative + rate if infusing else derivative

    x = dosing.initial_mg.astype(float).copy()
    segments = [(0.0, dosing.infusion_h, True), (dosing.infusion_h, outputs[-1], False)]
    if dosing.infusion_h == 0.0:
        x[dosing.infusion_state] += dosing.infusion_mg
        segments = [(0.0, outputs[-1], False)]
    amounts = np.zeros((outputs.size, m))
    for start, end, infusing in segments:
        inside = (outputs >= start) & (outputs <= end)
        t_eval = np.union1d(outputs[inside], [end])
        result = solve_ivp(
            rhs,
            (start, end),
            x,
            method="LSODA",
            t_eval=t_eval,
            args=(infusing,),
            jac=lambda t, _x, _infusing: matrix(t),
            rtol=rtol,
            atol=atol,
        )
        if not result.success:
            return Trajectory(outputs, amounts, -1, f"LSODA failed: {result.message}")
        amounts[inside] = result.y.T[np.isin(t_eval, outputs[inside])]
        x = result.y[:, -1]
    return Trajectory(outputs, amounts, 0, "reached the last output time")
