"""Validation against published observations, with thresholds from the published criteria.

The model's authors (Nano-AI-PBPK G1 code) judge a model by the fraction of
predictions within 2-fold and 3-fold of the observations. Here "reproduce"
means that most (more than half) are within 2-fold.
"""

import numpy as np
import pytest

from sim.nanotherapy.rat import rat_validation
from sim.nanotherapy.rat_fit import FITTED_PARAMETERS, fit_res_rates, fit_validation, fitted_res_rates
from sim.nanotherapy.validation import fold_fractions, nano_tumor_db_validation
from sim.nanotherapy.vincristine import vincristine_validation

MOST = 0.5  # "most": more than half of the predictions


@pytest.fixture(scope="module")
def rat_fit():
    return fit_validation(1.0)


@pytest.fixture(scope="module")
def nano_tumor_db():
    return nano_tumor_db_validation()


def test_fold_fractions_counts_bands():
    result = fold_fractions(np.array([1.0, 2.0, 3.0, 10.0]), np.ones(4))
    assert result["within_2_fold"] == 0.5
    assert result["within_3_fold"] == 0.75
    assert result["n"] == 4


@pytest.mark.slow
def test_nano_tumor_db_runs_all_formulations(nano_tumor_db):
    assert len(nano_tumor_db["formulations"]) == 378
    assert nano_tumor_db["failed_runs"] == 0
    assert nano_tumor_db["max_mass_balance_error"] < 1e-9


@pytest.mark.slow
def test_nano_tumor_db_uses_observed_points(nano_tumor_db):
    # 1,722 points, of which 3 are zero and have no fold error.
    assert nano_tumor_db["timecourse"]["n"] == 1719


@pytest.mark.slow
def test_nano_tumor_db_timecourse_mostly_within_2_fold(nano_tumor_db):
    assert nano_tumor_db["timecourse"]["within_2_fold"] > MOST
    assert nano_tumor_db["timecourse"]["within_3_fold"] > nano_tumor_db["timecourse"]["within_2_fold"]


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["DE24", "DEmax"])
def test_nano_tumor_db_delivery_mostly_within_2_fold(nano_tumor_db, metric):
    assert nano_tumor_db[metric]["within_2_fold"] > MOST


@pytest.mark.slow
def test_nano_tumor_db_de168_is_reported(nano_tumor_db):
    # DE168 is reported whatever it gives; no acceptance claimed for it.
    assert 0.0 <= nano_tumor_db["DE168"]["within_2_fold"] <= 1.0


def test_vincristine_total_drug_mostly_within_2_fold():
    result = vincristine_validation()
    assert result["overall"]["n"] == 707
    assert result["overall"]["within_2_fold"] > MOST
    for organ, summary in result["by_organ"].items():
        assert summary["within_2_fold"] > MOST, organ


def test_rat_iv_conserves_mass():
    assert rat_validation()["mass_balance_error"] < 1e-9


def test_rat_iv_table_rates_miss_liver():
    # The table's default RES rates hold about 14 % of the dose in the liver against 92-98 % observed.
    assert rat_validation()["by_organ"]["liver"]["within_2_fold"] == 0.0


def test_rat_iv_fit_conserves_mass(rat_fit):
    assert rat_fit["held_out"]["mass_balance_error"] < 1e-8


def test_rat_iv_fit_held_out_liver_mostly_within_2_fold(rat_fit):
    assert rat_fit["held_out_time_h"] == 24.0
    assert rat_fit["held_out"]["by_organ"]["liver"]["n"] == 5
    assert rat_fit["held_out"]["by_organ"]["liver"]["within_2_fold"] > MOST


def test_rat_iv_fit_held_out_mostly_within_3_fold(rat_fit):
    assert rat_fit["held_out"]["overall"]["n"] == 35
    assert rat_fit["held_out"]["overall"]["within_3_fold"] > MOST


@pytest.mark.xfail(
    reason="fitted at 1 h, the 24 h organ %ID are within 2-fold for 16 of 35 points: spleen, kidney "
    "and rest of body are off by 4- to 100-fold with four fitted parameters per size",
    strict=True,
)
def test_rat_iv_fit_held_out_mostly_within_2_fold(rat_fit):
    assert rat_fit["held_out"]["overall"]["within_2_fold"] > MOST


def test_fit_res_rates_reproduces_stored_fit():
    stored = fitted_res_rates(1.0)["18 nm"]
    refitted = fit_res_rates("18 nm", 1.0)
    for name in FITTED_PARAMETERS:
        assert refitted[name] == pytest.approx(stored[name], rel=1e-3), name
