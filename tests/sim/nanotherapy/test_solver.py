"""Integrators: analytic one-compartment solutions, LSODA agreement, batched expm."""

import numpy as np
import pytest
import scipy.linalg

from sim.nanotherapy.parameters import HillUptake
from sim.nanotherapy.presets import get_preset
from sim.nanotherapy.simulation import make_dosing
from sim.nanotherapy.solver import (
    Dosing,
    expm_batch,
    hill_adapted_grid,
    integration_grid,
    solve_lsoda,
    solve_magnus,
)
from sim.nanotherapy.spec import ModelSpec, Transfer
from sim.nanotherapy.structures import hill_step_mean
from sim.nanotherapy.validation import simulate_mouse_formulation

TIMES = np.array([0.5, 1.0, 2.0, 6.0, 24.0, 72.0, 168.0])


def one_compartment(rate_per_h, hill=None):
    """A central amount eliminated first order, optionally with a Hill-shaped rate."""
    curves, means = {}, {}
    modulator = None
    if hill is not None:
        modulator = "elimination"
        curves[modulator] = hill.rate
        means[modulator] = hill_step_mean(hill)
    transfers = (Transfer("central", "eliminated", rate_per_h, "elimination", modulator),)
    return ModelSpec(("central", "eliminated"), {"central": 1.0}, transfers, (), curves, means)


def bolus(dose):
    return Dosing(np.zeros(2), 0, dose, 0.0)


def test_one_compartment_matches_exponential():
    trajectory = solve_magnus(one_compartment(0.3), bolus(5.0), TIMES)
    expected = 5.0 * np.exp(-0.3 * TIMES)
    assert trajectory.success
    np.testing.assert_allclose(trajectory.amounts_mg[:, 0], expected, rtol=1e-8, atol=0)


def test_one_compartment_hill_rate_matches_analytic():
    # With n = 1 the integral of k(t) is k_max * (t - t50 * ln(1 + t / t50)).
    hill = HillUptake(k_max_per_h=0.2, t50_h=10.0, hill_n=1.0)
    trajectory = solve_magnus(one_compartment(1.0, hill), bolus(2.0), TIMES)
    integral = 0.2 * (TIMES - 10.0 * np.log1p(TIMES / 10.0))
    np.testing.assert_allclose(trajectory.amounts_mg[:, 0], 2.0 * np.exp(-integral), rtol=1e-8, atol=0)


def test_one_compartment_infusion_matches_analytic():
    spec = one_compartment(0.5)
    trajectory = solve_magnus(spec, Dosing(np.zeros(2), 0, 3.0, 2.0), TIMES)
    rate = 3.0 / 2.0
    during = rate / 0.5 * (1.0 - np.exp(-0.5 * np.minimum(TIMES, 2.0)))
    after = during * np.exp(-0.5 * np.maximum(TIMES - 2.0, 0.0))
    np.testing.assert_allclose(trajectory.amounts_mg[:, 0], after, rtol=1e-8, atol=0)


def test_expm_batch_matches_scipy():
    rng = np.random.default_rng(7)
    matrices = rng.normal(size=(20, 12, 12))
    matrices[:, 0, 1] = 3000.0
    matrices[:, 3, 3] = -4000.0
    reference = scipy.linalg.expm(matrices)
    np.testing.assert_allclose(expm_batch(matrices), reference, rtol=1e-10, atol=1e-12 * np.abs(reference).max())


def test_integration_grid_contains_outputs_and_breakpoints():
    grid = integration_grid([0.3, 24.0, 168.0], breakpoints_h=[0.005], max_step_h=0.25)
    assert grid[0] == 0.0
    assert grid[-1] == 168.0
    assert {0.3, 24.0, 0.005} <= set(np.round(grid, 12))
    assert np.all(np.diff(grid) > 0)
    assert np.diff(grid).max() <= 0.25 + 1e-12


def test_hill_adapted_grid_keeps_outputs_and_budget():
    outputs = [0.7, 5.0, 33.3, 100.0]
    grid = hill_adapted_grid(outputs, [(48.0, 5.0), (0.2, 0.1)], 50, breakpoints_h=[0.005], first_step_h=1e-3)
    assert grid[0] == 0.0
    assert grid[-1] == 100.0
    assert set(outputs) | {0.005} <= set(grid.tolist())
    assert np.all(np.diff(grid) > 0)
    assert len(grid) - 1 == 50


def test_hill_adapted_grid_refines_steepest_rise():
    # f(t) = t**n / (t50**n + t**n) rises fastest at t50 * ((n - 1) / (n + 1)) ** (1 / n).
    steepest = 48.0 * (4.0 / 6.0) ** (1.0 / 5.0)
    grid = hill_adapted_grid([1.0, 168.0], [(48.0, 5.0)], 60)
    late = grid[grid >= 1.0]
    shortest = np.argmin(np.diff(late))
    assert late[shortest] - 2.0 <= steepest <= late[shortest + 1] + 2.0
    # Where the fraction is flat the steps are several times longer.
    assert np.diff(late).max() > 4.0 * np.diff(late).min()


def test_hill_adapted_grid_without_curves_is_uniform():
    grid = hill_adapted_grid([1.0, 101.0], [], 102, first_step_h=0.5, start_h=1.0)
    np.testing.assert_allclose(np.diff(grid[grid >= 1.0]), 1.0, rtol=1e-9)


@pytest.mark.parametrize("name", ["mouse-default", "ntdb-012", "ntdb-005", "vincristine-pla-peg-u16c"])
def test_magnus_agrees_with_lsoda(name):
    run = simulate_mouse_formulation(get_preset(name), hours=168.0)
    spec = run.spec
    dosing = make_dosing(spec, run.dose_mg, 0.005, run.payload)
    reference = solve_lsoda(spec, dosing, TIMES, rtol=1e-10, atol=1e-14 * run.dose_mg)
    magnus = solve_magnus(spec, dosing, TIMES, max_step_h=0.25)
    assert reference.success and magnus.success
    tumour = [spec.index(s) for s in spec.states if s.startswith("tumour.")]
    expected = reference.amounts_mg[:, tumour].sum(axis=1)
    got = magnus.amounts_mg[:, tumour].sum(axis=1)
    # The population target is 1e-3; the single-subject step (0.25 h) does better.
    np.testing.assert_allclose(got, expected, rtol=5e-4)


def test_solve_magnus_rejects_bad_output_times():
    with pytest.raises(ValueError, match="strictly increasing"):
        solve_magnus(one_compartment(0.1), bolus(1.0), [2.0, 1.0])
