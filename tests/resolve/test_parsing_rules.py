"""The parsing rules where geoflex reads a number better than a plain ``00`` rule would.

Each case is checked on both paths: the vectorized `resolve` (with repeats, so the fast
parser runs) and the one-number `lookup`.
"""

from __future__ import annotations

import polars as pl
import pytest

import geoflex
from geoflex import ConfigError

phonenumbers = pytest.importorskip("phonenumbers")


def _both(phone: str, default_country: str | None) -> tuple[tuple[object, ...], tuple[object, ...]]:
    frame = pl.DataFrame({"phone": [phone] * 3 + ["+1 650 253 0000"] * 3})
    row = geoflex.resolve(frame, default_country=default_country).row(0, named=True)
    one = geoflex.lookup(phone, default_country=default_country)
    return (
        (row["phone_e164"], row["geo_status"], row["country"]),
        (one.phone_e164, one.geo_status, one.country),
    )


@pytest.mark.parametrize(
    ("phone", "default_country", "expected"),
    [
        # Japan's 00xx numbers (toll-free 0077, 0088...) are national: the 00 rule left them
        # an impossible Kazakh number. libphonenumber agrees with the national reading.
        ("00777012", "JP", ("+8100777012", "ok", "JP")),
        ("0077-7012", "JP", ("+8100777012", "ok", "JP")),
        # ... while 00 followed by a whole foreign number is still international from Japan.
        ("0044 20 7946 0958", "JP", ("+442079460958", "ok", "GB")),
        # Australia dials 0011 (and some carriers 0012, 0015...): the 00 rule read "11 44..."
        # as a too-long NANP number; the longer prefix gives the valid London number.
        ("0011 44 20 7946 0958", "US", ("+442079460958", "ok", "GB")),
        ("0011 44 20 7946 0958", "AU", ("+442079460958", "ok", "GB")),
        ("0012 44 20 7946 0958", "AU", ("+442079460958", "ok", "GB")),
        ("0011 1 650 253 0000", "US", ("+16502530000", "ok", "US")),
        # A longer prefix never replaces a 00 reading of possible length (no country hop).
        ("0086 1477721768", "US", ("+861477721768", "invalid", "CN")),
        ("00 1 650 253 0000", "US", ("+16502530000", "ok", "US")),
    ],
)
def test_international_prefix_readings(
    phone: str, default_country: str, expected: tuple[object, ...]
) -> None:
    vectorized, single = _both(phone, default_country)
    assert vectorized == expected
    assert single == expected


def test_japanese_national_reading_agrees_with_libphonenumber() -> None:
    parsed = phonenumbers.parse("00777012", "JP")
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == (
        "+8100777012"
    )


@pytest.mark.parametrize(
    ("phone", "status"),
    [("12345", "too_short"), ("911", "too_short"), ("+1 650 253 00000000", "too_long")],
)
def test_impossible_lengths_say_so(phone: str, status: str) -> None:
    vectorized, single = _both(phone, "US")
    assert vectorized[1] == single[1] == status
    reason = phonenumbers.is_possible_number_with_reason(phonenumbers.parse(phone, "US"))
    assert reason == getattr(phonenumbers.ValidationResult, status.upper())


def test_a_possible_but_invalid_number_stays_invalid() -> None:
    vectorized, single = _both("+1 212 055 0100", "US")
    assert vectorized[1] == single[1] == "invalid"


def test_no_default_country_reads_only_international_numbers() -> None:
    assert _both("+44 20 7946 0958", None) == (("+442079460958", "ok", "GB"),) * 2
    assert _both("0044 20 7946 0958", None) == (("+442079460958", "ok", "GB"),) * 2
    assert _both("020 7946 0958", None) == ((None, "unparseable", None),) * 2
    frame = pl.DataFrame({"phone": ["+81 3-1234-5678"]})
    out = frame.select(pl.col("phone").geoflex.resolve(default_country=None))
    assert out.unnest("phone")["country"].to_list() == ["JP"]


@pytest.mark.parametrize("bad", ["USA", "", 1, ["US"]])
def test_a_bad_default_country_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="default_country must be an ISO 3166-1 alpha-2"):
        geoflex.lookup("+1 650 253 0000", default_country=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="default_country must be an ISO 3166-1 alpha-2"):
        geoflex.resolve(pl.DataFrame({"phone": ["1"]}), default_country=bad)  # type: ignore[arg-type]
