"""Model equations against values worked out by hand from the parameter tables.

Mouse reference values (Lin lab G2 defaults, ``mouse_nano_tumor_pbpk_params.tsv``):
BW 0.02 kg, QCC 16.5 L/h/kg^0.75, so QC = 16.5 * 0.02^0.75 = 0.877520 L/h.
Kidney: QKC 0.091, VKC 0.017, BVK 0.24, PAKC 0.01, PK 0.15, KurineC 3e-6 L/h/kg^0.75.
Liver: QLC 0.02, VLC 0.055, BVL 0.31, KbileC 3e-5 L/h/kg^0.75. Spleen: QSC 0.011.
Human reference man (``physiology_human_mouse.tsv``): cardiac output
187 * 70^0.81 mL/min = 350.4 L/h; liver 2.57 % of 70 kg at 1.04 g/mL = 1.730 L;
arterial plus venous blood 8.43 % of 70 kg at 1.04 g/mL = 5.674 L.
"""

import numpy as np
import pytest

from sim.nanotherapy.clinical import parse_clinical
from sim.nanotherapy.kinetics import particle_kinetics
from sim.nanotherapy.parameters import HillUptake, ReceptorBinding
from sim.nanotherapy.physiology import human_blood_volume_l, human_physiology, mouse_physiology
from sim.nanotherapy.presets import get_preset
from sim.nanotherapy.simulation import make_dosing, run_model
from sim.nanotherapy.solver import Dosing, solve_lsoda, solve_magnus
from sim.nanotherapy.spec import ModelSpec, Transfer
from sim.nanotherapy.structures import nanoparticle_spec

QC_MOUSE = 16.5 * 0.02**0.75  # 0.877520 L/h
Q_KIDNEY = 0.091 * QC_MOUSE  # 0.0798543 L/h
KIDNEY_BLOOD_L = 0.24 * 0.017 * 0.02  # 8.16e-5 L
KIDNEY_TISSUE_L = 0.76 * 0.017 * 0.02  # 2.584e-4 L
PA_KIDNEY = 0.01 * Q_KIDNEY  # permeability coefficient x organ blood flow, 7.98543e-4 L/h


@pytest.fixture(scope="module")
def mouse_spec():
    preset = get_preset("mouse-default")
    return nanoparticle_spec(mouse_physiology(0.02, preset.tumour), particle_kinetics(preset, 0.02))


def rate(spec, source, target, process):
    matches = [t for t in spec.transfers if (t.source, t.target, t.process) == (source, target, process)]
    assert len(matches) == 1, f"expected one {process} term {source} -> {target}, got {len(matches)}"
    return float(matches[0].rate_per_h)


def test_mouse_cardiac_output_by_hand():
    assert QC_MOUSE == pytest.approx(0.877520, rel=1e-5)


def test_kidney_permeation_rates_by_hand(mouse_spec):
    # Blood -> tissue: PA / Vb = 7.98543e-4 / 8.16e-5 = 9.7860 per h.
    assert rate(mouse_spec, "kidney.blood", "kidney.tissue", "permeation") == pytest.approx(9.7860, rel=1e-4)
    # Tissue -> blood: PA / (P Vt) = 7.98543e-4 / (0.15 * 2.584e-4) = 20.602 per h.
    assert rate(mouse_spec, "kidney.tissue", "kidney.blood", "permeation") == pytest.approx(20.602, rel=1e-4)


def test_kidney_flow_and_urine_rates_by_hand(mouse_spec):
    # Venous return Q / Vb = 0.0798543 / 8.16e-5 = 978.61 per h.
    assert rate(mouse_spec, "kidney.blood", "venous", "flow") == pytest.approx(978.61, rel=1e-4)
    # Urine: KurineC BW^0.75 / Vb = 3e-6 * 0.0531833 / 8.16e-5 = 1.9553e-3 per h.
    assert rate(mouse_spec, "kidney.blood", "urine", "urine") == pytest.approx(1.9553e-3, rel=1e-4)


def test_liver_outflow_and_bile_rates_by_hand(mouse_spec):
    # Hepatic artery plus splenic flow over liver blood: (0.02 + 0.011) QC / (0.31 * 0.055 * 0.02) = 79.774 per h.
    assert rate(mouse_spec, "liver.blood", "venous", "flow") == pytest.approx(79.774, rel=1e-4)
    # The spleen drains into liver blood, not into the venous pool.
    assert rate(mouse_spec, "spleen.blood", "liver.blood", "flow") > 0
    # Bile: KbileC BW^0.75 / liver tissue = 3e-5 * 0.0531833 / (0.69 * 1.1e-3) = 2.1021e-3 per h.
    assert rate(mouse_spec, "liver.tissue", "bile", "bile") == pytest.approx(2.1021e-3, rel=1e-4)


def test_organ_flows_sum_to_cardiac_output(mouse_spec):
    into_organs = sum(f.l_per_h for f in mouse_spec.flows if f.source == "arterial")
    assert into_organs == pytest.approx(QC_MOUSE, rel=1e-12)
    lung = [f.l_per_h for f in mouse_spec.flows if f.source == "venous"]
    assert lung == [pytest.approx(QC_MOUSE, rel=1e-12)]


def test_blood_tissue_pair_reaches_partition():
    # Closed kidney blood <-> tissue pair with 1 mg in blood at t = 0:
    # k1 = 9.7860, k2 = 20.602 per h; A_t(t) = k1 / (k1 + k2) (1 - exp(-(k1 + k2) t)),
    # and at steady state C_t / C_b = P = 0.15.
    k1 = PA_KIDNEY / KIDNEY_BLOOD_L
    k2 = PA_KIDNEY / (0.15 * KIDNEY_TISSUE_L)
    spec = ModelSpec(
        ("blood", "tissue"),
        {"blood": KIDNEY_BLOOD_L, "tissue": KIDNEY_TISSUE_L},
        (Transfer("blood", "tissue", k1, "permeation"), Transfer("tissue", "blood", k2, "permeation")),
    )
    times = np.array([0.001, 0.01, 0.05, 1.0])
    trajectory = solve_magnus(spec, Dosing(np.array([1.0, 0.0]), 0, 0.0, 0.0), times)
    expected = k1 / (k1 + k2) * (1.0 - np.exp(-(k1 + k2) * times))
    np.testing.assert_allclose(trajectory.amounts_mg[:, 1], expected, rtol=1e-9)
    blood, tissue = trajectory.amounts_mg[-1]
    assert (tissue / KIDNEY_TISSUE_L) / (blood / KIDNEY_BLOOD_L) == pytest.approx(0.15, rel=1e-9)
    # Initial slope PA * C_b = 7.98543e-4 * (1 / 8.16e-5) = 9.786 mg/h.
    assert trajectory.amounts_mg[0, 1] / 0.001 == pytest.approx(9.786, rel=2e-2)


def test_hill_uptake_half_maximum_at_t50():
    hill = HillUptake(k_max_per_h=0.3, t50_h=48.0, hill_n=5.0)
    assert hill.rate(48.0) == pytest.approx(0.15, rel=1e-12)
    assert hill.rate(0.0) == 0.0
    # t = 2 t50: 0.3 * 32 / 33 = 0.290909.
    assert hill.rate(96.0) == pytest.approx(0.290909, rel=1e-5)


def test_human_reference_man_by_hand():
    preset = get_preset("mouse-default")
    physiology = human_physiology(parse_clinical({"body_weight_kg": 70.0}), preset)
    assert physiology.cardiac_output_l_per_h == pytest.approx(350.37, rel=1e-4)
    assert physiology.organs["liver"].volume_l == pytest.approx(1.7298, rel=1e-4)
    assert human_blood_volume_l(70.0) == pytest.approx(5.674, rel=1e-3)
    # Plasma = blood x (1 - haematocrit 0.45) = 3.121 L.
    assert physiology.plasma_volume_l == pytest.approx(3.1207, rel=1e-4)
    # Hepatic artery = 25.5 - (3 + 1 + 1 + 14) = 6.5 % of cardiac output; spleen 3 %.
    assert physiology.organs["liver"].blood_flow_l_per_h == pytest.approx(0.065 * 350.37, rel=1e-4)
    organ_flows = sum(p.blood_flow_l_per_h for o, p in physiology.organs.items() if o != "lung")
    assert organ_flows == pytest.approx(physiology.cardiac_output_l_per_h, rel=1e-12)


def test_human_liver_outflow_carries_spleen():
    record = parse_clinical({"body_weight_kg": 70.0})
    preset = get_preset("mouse-default")
    physiology = human_physiology(record, preset)
    spec = nanoparticle_spec(physiology, particle_kinetics(preset, 70.0, record))
    outflow = [f.l_per_h for f in spec.flows if f.source == "liver.blood"]
    # 9.5 % of 350.37 L/h = 33.285 L/h.
    assert outflow == [pytest.approx(0.095 * 350.37, rel=1e-4)]


def test_targeted_patient_conserves_mass():
    record = parse_clinical({"body_weight_kg": 70.0, "tumour_volume_ml": 50.0, "egfr_ml_min_1_73m2": 60.0})
    preset = get_preset("ntdb-012")
    binding = ReceptorBinding(k_on_per_h=2.0, k_off_per_h=0.2, k_internalisation_per_h=0.1)
    spec = nanoparticle_spec(human_physiology(record, preset), particle_kinetics(preset, 70.0, record, binding))
    run = run_model(spec, 70.0, 168.0)
    totals = run.trajectory.amounts_mg.sum(axis=1)
    after = run.trajectory.t_h >= 0.005
    np.testing.assert_allclose(totals[after], 70.0, rtol=1e-8)
    assert run.trajectory.amounts_mg[-1, spec.index("tumour.internalised")] > 0


@pytest.mark.parametrize(
    ("name", "binding"),
    [
        ("ntdb-012", ReceptorBinding(k_on_per_h=2.0, k_off_per_h=0.2, k_internalisation_per_h=0.1)),
        ("vincristine-pla-peg-t", None),
    ],
    ids=["targeted", "drug"],
)
def test_patient_steps_agree_with_lsoda(name, binding):
    record = parse_clinical({"body_weight_kg": 70.0, "tumour_volume_ml": 20.0})
    preset = get_preset(name)
    kinetics = particle_kinetics(preset, 70.0, record, binding)
    spec = nanoparticle_spec(human_physiology(record, preset), kinetics, preset.payload)
    dosing = make_dosing(spec, 70.0, 0.005, preset.payload)
    times = np.array([0.5, 2.0, 24.0, 72.0, 168.0])
    reference = solve_lsoda(spec, dosing, times, rtol=1e-10, atol=1e-14 * 70.0)
    stepped = solve_magnus(spec, dosing, times)
    assert reference.success and stepped.success
    # Every state, relative to the dose: the step-mean error is second order in the 0.25 h step.
    assert np.abs(stepped.amounts_mg - reference.amounts_mg).max() / 70.0 < 1e-4
    tumour = [spec.index(s) for s in spec.states if s.startswith("tumour.")]
    np.testing.assert_allclose(
        stepped.amounts_mg[:, tumour].sum(axis=1), reference.amounts_mg[:, tumour].sum(axis=1), rtol=5e-4
    )
