"""Agreement with the `phonenumbers` package (the oracle) on a fresh corpus, at the bars."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from agreement import compare, rates
from corpus import FULLWIDTH

import geoflex

phonenumbers = pytest.importorskip("phonenumbers")

THRESHOLDS = {
    "valid": 0.9995,
    "phone_e164": 0.9995,
    "country": 0.9995,
    "timezone (one zone)": 0.995,
    "timezone present (valid)": 1.0,
    "timezone is the country's own (valid)": 1.0,
    "region present (valid, geographic)": 1.0,
    "state (NANP)": 0.995,
    "city (NANP exchange)": 0.98,
    "city (other countries' geocoder places)": 0.98,
    "coordinates (valid US/CA)": 0.99,
}


@pytest.fixture(scope="module")
def agreement() -> dict[str, tuple[float, int, int]]:
    from corpus import phone_corpus

    corpus = phone_corpus(6000, seed=20261122, nanp_share=0.2, geo_share=0.4)
    return rates(compare(corpus))


@pytest.mark.parametrize("metric", sorted(THRESHOLDS))
def test_agreement_meets_the_bar(agreement: dict[str, tuple[float, int, int]], metric: str) -> None:
    rate, compared, differ = agreement[metric]
    assert compared > 100, f"{metric}: too few rows compared ({compared})"
    assert rate >= THRESHOLDS[metric], f"{metric}: {rate:.4%} ({differ} of {compared} differ)"


def _examples() -> list[tuple[str, object]]:
    from corpus import _templates

    return _templates()


FORMATS = ["E164", "INTERNATIONAL", "NATIONAL", "RFC3966"]
# Wrappers real exports put around a formatted number ({} is the number).
WRAPPERS = ["{}", "{}", "whatsapp:{}", "Tel: {}", "({})", "{} ext. 123", "{} x7", "{};ext=42"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    template=st.sampled_from(_examples()),
    tail=st.text("0123456789", min_size=0, max_size=4),
    fmt=st.sampled_from(FORMATS),
    wrapper=st.sampled_from(WRAPPERS),
    fullwidth=st.booleans(),
    default=st.sampled_from(["own", "US", "GB", "DE"]),
)
def test_round_trip_every_region_and_format(
    template: tuple[str, object],
    tail: str,
    fmt: str,
    wrapper: str,
    fullwidth: bool,
    default: str,
) -> None:
    """A number of any region and type, written in any shape, reads as phonenumbers reads it."""
    pn = phonenumbers
    region, example = template
    nsn = pn.national_significant_number(example)
    nsn = nsn[: len(nsn) - len(tail)] + tail
    number = pn.parse(f"+{example.country_code}{nsn}")  # type: ignore[attr-defined]
    text = wrapper.format(pn.format_number(number, getattr(pn.PhoneNumberFormat, fmt)))
    if fullwidth:
        text = text.translate(FULLWIDTH)
    country = region if default == "own" else default
    ours = geoflex.resolve(pl.DataFrame({"phone": [text]}), default_country=country).row(
        0, named=True
    )
    try:
        theirs = pn.parse(text, country)
    except pn.NumberParseException:
        assert ours["phone_e164"] is None
        assert ours["valid"] is False
        return
    assert ours["phone_e164"] == pn.format_number(theirs, pn.PhoneNumberFormat.E164)
    assert ours["valid"] == pn.is_valid_number(theirs)
    expected_country = pn.region_code_for_number(theirs)
    assert ours["country"] == (None if expected_country == "001" else expected_country)
