"""simulate_patient: the contract the API relies on."""

import json
import time

import numpy as np
import pytest

from sim.nanotherapy import (
    ClinicalRecordError,
    PbpkInputError,
    UnknownPresetError,
    list_presets,
    simulate_patient,
)

ADULT = {"body_weight_kg": 70.0, "tumour_volume_ml": 20.0}


@pytest.fixture(scope="module")
def adult_result():
    return simulate_patient(ADULT)


def test_list_presets_contains_defaults_and_formulations():
    names = list_presets()
    assert "mouse-default" in names
    assert "ntdb-001" in names
    assert "ntdb-378" in names
    assert "vincristine-pla-peg-u16c" in names
    assert len([n for n in names if n.startswith("ntdb-")]) == 378


def test_simulate_patient_is_json_serialisable(adult_result):
    text = json.dumps(adult_result)
    assert json.loads(text)["formulation"] == "mouse-default"


def test_simulate_patient_reports_required_outputs(adult_result):
    for key in ("model", "formulation", "units", "times_h", "organs", "tumour_delivery", "solver"):
        assert key in adult_result
    delivery = adult_result["tumour_delivery"]
    assert {"de24_pct_id", "de168_pct_id", "demax_pct_id"} <= set(delivery)
    for organ in ("blood", "liver", "spleen", "tumour", "kidney", "lung"):
        entry = adult_result["organs"][organ]
        assert len(entry["pct_id"]) == len(adult_result["times_h"])
        assert {"auc_mg_h_per_l", "cmax_mg_per_l", "tmax_h"} <= set(entry)
    assert adult_result["released_drug"] is None


def test_simulate_patient_output_is_compact(adult_result):
    assert 20 <= len(adult_result["times_h"]) <= 60
    assert adult_result["times_h"][-1] == 168.0


def test_simulate_patient_conserves_mass(adult_result):
    assert adult_result["solver"]["status"] == 0
    assert adult_result["mass_balance_max_rel_error"] < 1e-8
    final = sum(entry["pct_id"][-1] for entry in adult_result["organs"].values())
    assert final == pytest.approx(100.0, rel=1e-6)


def test_simulate_patient_demax_bounds_de24(adult_result):
    delivery = adult_result["tumour_delivery"]
    assert delivery["demax_pct_id"] >= delivery["de24_pct_id"] > 0
    assert delivery["demax_pct_id"] >= delivery["de168_pct_id"] > 0


def test_simulate_patient_with_drug_reports_exposure():
    result = simulate_patient(ADULT, formulation="vincristine-pla-peg-u16c")
    drug = result["released_drug"]
    assert drug["drug"] == "vincristine"
    assert drug["tumour"]["auc_mg_h_per_l"] > 0
    assert drug["liver"]["auc_mg_h_per_l"] > 0
    assert drug["tumour_to_liver_auc_ratio"] > 0
    assert result["mass_balance_max_rel_error"] < 1e-8


def test_simulate_patient_runs_under_one_second():
    start = time.perf_counter()
    simulate_patient(ADULT, formulation="ntdb-010")
    assert time.perf_counter() - start < 1.0


def test_simulate_patient_concentration_scales_with_dose():
    low = simulate_patient(ADULT, dose_mg_per_kg=1.0)
    high = simulate_patient(ADULT, dose_mg_per_kg=3.0)
    assert high["organs"]["liver"]["cmax_mg_per_l"] == pytest.approx(
        3.0 * low["organs"]["liver"]["cmax_mg_per_l"], rel=1e-9
    )
    assert high["tumour_delivery"]["de24_pct_id"] == pytest.approx(low["tumour_delivery"]["de24_pct_id"], rel=1e-9)


def test_simulate_patient_larger_tumour_takes_more():
    small = simulate_patient({"body_weight_kg": 70.0, "tumour_volume_ml": 5.0})
    large = simulate_patient({"body_weight_kg": 70.0, "tumour_volume_ml": 200.0})
    assert large["tumour_delivery"]["de24_pct_id"] > small["tumour_delivery"]["de24_pct_id"]


def test_simulate_patient_poor_kidney_lowers_urine():
    normal = simulate_patient({"body_weight_kg": 70.0, "egfr_ml_min_1_73m2": 100.0})
    poor = simulate_patient({"body_weight_kg": 70.0, "egfr_ml_min_1_73m2": 15.0})
    assert poor["organs"]["urine"]["pct_id"][-1] < normal["organs"]["urine"]["pct_id"][-1]


def test_simulate_patient_poor_liver_lowers_liver_uptake():
    normal = simulate_patient({"body_weight_kg": 70.0})
    poor = simulate_patient({"body_weight_kg": 70.0, "liver_function_fraction": 0.3})
    assert poor["organs"]["liver"]["pct_id"][-1] < normal["organs"]["liver"]["pct_id"][-1]


def test_simulate_patient_records_assumed_keys():
    result = simulate_patient({"body_weight_kg": 70.0})
    assert any("tumour_volume_ml" in line for line in result["assumptions"])


@pytest.mark.parametrize(
    ("clinical", "fragment"),
    [
        ({"body_weight_kg": -5}, "body_weight_kg must be between 2 and 300 kg, got -5"),
        ({"body_weight_kg": 70, "bmi": 22}, "unknown clinical key(s) 'bmi'"),
        ({"tumour_volume_ml": 10}, "missing body_weight_kg"),
        ({"body_weight_kg": "70"}, "body_weight_kg must be a number"),
        ({"body_weight_kg": True}, "body_weight_kg must be a number"),
        ({"body_weight_kg": float("nan")}, "body_weight_kg must be between"),
        ({"body_weight_kg": 70, "egfr_ml_min_1_73m2": 0}, "egfr_ml_min_1_73m2 must be between"),
        ({"body_weight_kg": 70, "liver_function_fraction": 1.5}, "liver_function_fraction"),
    ],
)
def test_simulate_patient_rejects_bad_clinical(clinical, fragment):
    with pytest.raises(ClinicalRecordError) as info:
        simulate_patient(clinical)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_simulate_patient_rejects_non_mapping():
    with pytest.raises(ClinicalRecordError, match="must be a mapping"):
        simulate_patient([("body_weight_kg", 70)])  # type: ignore[arg-type]


def test_simulate_patient_rejects_unknown_preset():
    with pytest.raises(UnknownPresetError, match="'gold-42' is not a preset"):
        simulate_patient(ADULT, formulation="gold-42")


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"dose_mg_per_kg": 0.0}, "dose_mg_per_kg"),
        ({"dose_mg_per_kg": -1.0}, "dose_mg_per_kg"),
        ({"hours": 0.0}, "hours"),
        ({"hours": 1e6}, "hours"),
        ({"hours": float("inf")}, "hours"),
    ],
)
def test_simulate_patient_rejects_bad_arguments(kwargs, name):
    with pytest.raises(PbpkInputError, match=name):
        simulate_patient(ADULT, **kwargs)


def test_simulate_patient_short_horizon_has_no_de168():
    result = simulate_patient(ADULT, hours=48.0)
    assert result["tumour_delivery"]["de168_pct_id"] is None
    assert result["times_h"][-1] == 48.0
    assert np.isfinite(result["tumour_delivery"]["de24_pct_id"])


@pytest.mark.parametrize("infusion_h", [-0.5, 30.0])
def test_simulate_patient_rejects_bad_infusion(infusion_h):
    with pytest.raises(PbpkInputError, match="infusion_h"):
        simulate_patient(ADULT, infusion_h=infusion_h)


def test_simulate_patient_bolus_matches_short_infusion():
    bolus = simulate_patient(ADULT, infusion_h=0.0)
    infused = simulate_patient(ADULT)
    assert bolus["tumour_delivery"]["de24_pct_id"] == pytest.approx(infused["tumour_delivery"]["de24_pct_id"], rel=1e-3)


def test_simulate_patient_targeting_binds_in_tumour():
    from sim.nanotherapy.parameters import ReceptorBinding

    plain = simulate_patient(ADULT)
    targeted = simulate_patient(
        ADULT, targeting=ReceptorBinding(k_on_per_h=1.0, k_off_per_h=0.1, k_internalisation_per_h=0.5)
    )
    assert targeted["tumour_delivery"]["de168_pct_id"] > plain["tumour_delivery"]["de168_pct_id"]
