"""Release laws: survival functions, exact step means, validation of parameters."""

import numpy as np
import pytest

from sim.nanotherapy import PbpkInputError
from sim.nanotherapy.parameters import ReleaseLaw
from sim.nanotherapy.release import encapsulated_fraction, release_rate, release_rate_mean, validate_release

LAWS = [
    ReleaseLaw("first_order", 0.06, 1.0, 0.0),
    ReleaseLaw("higuchi", 0.1, 0.5, 0.1),
    ReleaseLaw("korsmeyer_peppas", 0.05, 0.45, 0.0),
    ReleaseLaw("weibull", 0.0128, 0.43, 0.0075),
]


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.law)
def test_encapsulated_fraction_starts_at_one_and_falls(law):
    values = encapsulated_fraction(law, np.linspace(0.0, 168.0, 200))
    assert values[0] == 1.0
    assert np.all(np.diff(values) <= 0.0)
    assert np.all((values >= 0.0) & (values <= 1.0))


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.law)
def test_release_rate_mean_integrates_rate(law):
    t0, t1 = 2.0, 5.0
    grid = np.linspace(t0, t1, 20001)
    numeric = np.trapezoid(release_rate(law, grid), grid) / (t1 - t0)
    assert release_rate_mean(law, t0, t1) == pytest.approx(numeric, rel=1e-6)


def test_first_order_release_matches_exponential():
    law = LAWS[0]
    assert encapsulated_fraction(law, 10.0) == pytest.approx(np.exp(-0.6))


def test_higuchi_release_ends_when_load_is_out():
    law = ReleaseLaw("higuchi", 0.5, 0.5, 0.0)
    assert encapsulated_fraction(law, 4.0) == 0.0
    assert release_rate(law, 5.0) == 0.0


@pytest.mark.parametrize(
    ("law", "fragment"),
    [
        (ReleaseLaw("zero_order", 1.0, 1.0, 0.0), "release law must be one of"),
        (ReleaseLaw("weibull", -1.0, 0.5, 0.0), "rate_constant must be a positive"),
        (ReleaseLaw("weibull", 1.0, 0.0, 0.0), "exponent of the weibull law"),
        (ReleaseLaw("first_order", 1.0, 1.0, 1.5), "burst_fraction must be in [0, 1]"),
    ],
)
def test_validate_release_rejects_bad_law(law, fragment):
    with pytest.raises(PbpkInputError) as info:
        validate_release(law)
    assert fragment in str(info.value)
