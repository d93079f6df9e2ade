"""Model declaration: flows balance, mass is conserved, the states match the published structure."""

import numpy as np
import pytest

from sim.nanotherapy.clinical import parse_clinical
from sim.nanotherapy.kinetics import particle_kinetics
from sim.nanotherapy.physiology import human_physiology, mouse_physiology
from sim.nanotherapy.presets import get_preset
from sim.nanotherapy.structures import nanoparticle_spec


@pytest.fixture(scope="module")
def mouse_parts():
    preset = get_preset("mouse-default")
    physiology = mouse_physiology(0.02, preset.tumour)
    return physiology, particle_kinetics(preset, 0.02)


def test_spec_flows_balance_when_fixed(mouse_parts):
    spec = nanoparticle_spec(*mouse_parts)
    imbalance = spec.flow_imbalance()
    assert max(abs(v) for v in imbalance.values()) < 1e-12


def test_spec_published_liver_outflow_is_unbalanced(mouse_parts):
    physiology, kinetics = mouse_parts
    spec = nanoparticle_spec(physiology, kinetics, balanced_liver_outflow=False)
    imbalance = spec.flow_imbalance()
    splenic = physiology.organs["spleen"].blood_flow_l_per_h
    assert imbalance["liver.blood"] == pytest.approx(splenic)
    assert imbalance["venous"] == pytest.approx(-splenic)


@pytest.mark.parametrize("balanced", [True, False])
def test_spec_matrix_conserves_mass(mouse_parts, balanced):
    spec = nanoparticle_spec(*mouse_parts, balanced_liver_outflow=balanced)
    a0, b = spec.matrices()
    np.testing.assert_allclose(a0.sum(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(b.sum(axis=1), 0.0, atol=1e-12)


def test_spec_declares_every_organ_sub_compartment(mouse_parts):
    spec = nanoparticle_spec(*mouse_parts)
    for organ in ("lung", "liver", "spleen", "kidney", "brain", "muscle", "tumour", "rest"):
        for part in ("blood", "tissue", "res"):
            assert f"{organ}.{part}" in spec.states
    assert {"arterial", "venous", "urine", "bile"} <= set(spec.states)


def test_spec_liver_phagocytes_take_from_blood(mouse_parts):
    spec = nanoparticle_spec(*mouse_parts)
    uptake = [t for t in spec.transfers if t.process == "res_uptake" and t.target == "liver.res"]
    assert uptake[0].source == "liver.blood"


def test_spec_describe_lists_each_term(mouse_parts):
    spec = nanoparticle_spec(*mouse_parts)
    lines = spec.describe()
    assert len(lines) == len(spec.transfers)
    assert any("spleen.blood -> liver.blood" in line for line in lines)


def test_spec_reachable_drops_empty_states(mouse_parts):
    spec = nanoparticle_spec(*mouse_parts).reachable(("venous",))
    assert "brain.res" not in spec.states
    assert "tumour.bound" not in spec.states
    assert "liver.res" in spec.states


def test_human_physiology_flows_balance():
    record = parse_clinical({"body_weight_kg": 80.0, "tumour_volume_ml": 30.0})
    preset = get_preset("mouse-default")
    physiology = human_physiology(record, preset)
    spec = nanoparticle_spec(physiology, particle_kinetics(preset, 80.0, record))
    assert max(abs(v) for v in spec.flow_imbalance().values()) < 1e-9
    assert all(p.volume_l > 0 and p.blood_flow_l_per_h > 0 for p in physiology.organs.values())
    # Reference man: cardiac output about 5.6 L/min at 70 kg (187 * 70^0.81 mL/min).
    assert human_physiology(parse_clinical({"body_weight_kg": 70.0}), preset).cardiac_output_l_per_h == pytest.approx(
        350.4, rel=1e-3
    )
