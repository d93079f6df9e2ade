"""Validation against published observations, with thresholds from the published criteria.

The model's authors (Nano-AI-PBPK G1 code) judge a model by the fraction of
predictions within 2-fold and 3-fold of the observations. Here "reproduce"
means that most (more than half) are within 2-fold.
"""

import numpy as np
import pytest

from sim.nanotherapy.rat import rat_validation
from sim.nanotherapy.validation import fold_fractions, nano_tumor_db_validation
from sim.nanotherapy.vincristine import vincristine_validation

MOST = 0.5  # "most": more than half of the predictions


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


@pytest.mark.xfail(
    reason="the rat table holds the app's default RES rates, not the size-specific ones "
    "its QSAR equations derive; liver uptake after i.v. dosing is far too low",
    strict=True,
)
def test_rat_iv_mostly_within_2_fold():
    assert rat_validation()["liver_spleen_blood"]["within_2_fold"] > MOST
