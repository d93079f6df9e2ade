"""Presets: every parameter has a unit, formulations carry their published values."""

import pytest

from sim.nanotherapy import UnknownPresetError
from sim.nanotherapy.presets import get_preset, list_presets, preset_parameters


@pytest.mark.parametrize("name", ["mouse-default", "ntdb-001", "ntdb-378", "vincristine-pla-peg-u16p"])
def test_preset_parameters_have_units(name):
    rows = preset_parameters(name)
    assert rows
    for row in rows:
        assert row["unit"] not in ("", None), row["name"]


def test_preset_formulation_carries_published_delivery():
    preset = get_preset("ntdb-001")
    assert preset.published == {"DE24": 1.69, "DE168": 2.06, "DEmax": 2.36}
    assert preset.tumour.kinetics.res_uptake.k_max_per_h == pytest.approx(0.055)


def test_preset_headline_delivery_figures():
    # Headline figures of the 378 formulations: DE24 mean 2.24 and median 0.735 %ID.
    values = sorted(get_preset(n).published["DE24"] for n in list_presets() if n.startswith("ntdb-"))
    assert sum(values) / len(values) == pytest.approx(2.24, abs=0.01)
    assert (values[188] + values[189]) / 2 == pytest.approx(0.735, abs=0.001)


def test_preset_negative_release_is_replaced():
    releases = [get_preset(n).tumour.kinetics.res_release_per_h for n in list_presets() if n.startswith("ntdb-")]
    assert min(releases) >= 0.0


def test_preset_vincristine_release_is_weibull():
    payload = get_preset("vincristine-pla-peg-u16c").payload
    assert payload.release.law == "weibull"
    assert payload.release.exponent == pytest.approx(0.43)
    assert payload.release.burst_fraction == pytest.approx(0.0075)


def test_get_preset_unknown_names_choices():
    with pytest.raises(UnknownPresetError, match="mouse-default"):
        get_preset("nope")
