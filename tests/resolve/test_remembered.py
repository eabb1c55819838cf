"""Resolving one dataset's tables one after another reuses the last call's rows, exactly."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import geoflex
from geoflex.resolve import _core


def _phones(n: int, offset: int = 0) -> list[str | None]:
    # Mixed shapes, repeats, identities and nulls: both the deduplicating and the plain path.
    shapes = ["+1206{:07d}", "(415) {:07d}", "+44 20 79{:06d}", "whatsapp:+5511987{:06d}"]
    out: list[str | None] = []
    for i in range(offset, offset + n):
        if i % 97 == 0:
            out.append(None)
        elif i % 89 == 0:
            out.append(f"client:agent{i}")
        else:
            out.append(shapes[i % len(shapes)].format(2_000_000 + i))
    return out


def _skewed(phones: list[str | None]) -> list[str | None]:
    """``phones`` and one caller 100,000 times: a sample shows repeats, so the call
    deduplicates (and its distinct phones are remembered)."""
    return phones + ["+1 206 555 0100"] * 100_000


def _fresh(frame: pl.DataFrame, **kwargs: str) -> pl.DataFrame:
    geoflex.clear_resolve_cache()
    try:
        return geoflex.resolve(frame, "phone", **kwargs)
    finally:
        geoflex.clear_resolve_cache()


@pytest.mark.parametrize("repeats", [True, False])
def test_second_call_equals_a_fresh_resolve(repeats: bool) -> None:
    n = 60_000
    first = pl.DataFrame({"phone": _skewed(_phones(n))})
    # Overlapping, in another order, with strings the first call never saw.
    second_values = _phones(n, offset=n // 2)[::-1]
    if repeats:  # the deduplicating path; else every string once (the plain path)
        second_values = _skewed(second_values)
    second = pl.DataFrame({"phone": second_values})
    expected = _fresh(second)
    geoflex.resolve(first, "phone")
    assert _core._last_results.last is not None
    got = geoflex.resolve(second, "phone")
    assert_frame_equal(got, expected)
    # And again (the table now comes from the second call).
    assert_frame_equal(geoflex.resolve(second, "phone"), expected)
    geoflex.clear_resolve_cache()


def test_another_default_country_is_not_taken_from_the_last_call() -> None:
    frame = pl.DataFrame({"phone": _skewed(_phones(60_000))})
    expected_gb = _fresh(frame, default_country="GB")
    geoflex.resolve(frame, "phone", default_country="US")
    assert_frame_equal(geoflex.resolve(frame, "phone", default_country="GB"), expected_gb)
    geoflex.clear_resolve_cache()


def test_small_calls_are_not_remembered() -> None:
    geoflex.clear_resolve_cache()
    geoflex.resolve(pl.DataFrame({"phone": _skewed(_phones(1_000))}), "phone")
    assert _core._last_results.last is None


def test_after_a_plain_call_with_repeats() -> None:
    # Every string once or twice (no deduplication): remembered as given, made distinct
    # when the next call uses it.
    first = pl.DataFrame({"phone": _phones(60_000) + _phones(20_000)})
    second = pl.DataFrame({"phone": _phones(60_000, offset=10_000)})
    expected = _fresh(second)
    geoflex.resolve(first, "phone")
    assert_frame_equal(geoflex.resolve(second, "phone"), expected)
    geoflex.clear_resolve_cache()


def test_a_mostly_new_call_does_not_use_the_remembered_phones() -> None:
    geoflex.resolve(pl.DataFrame({"phone": _skewed(_phones(60_000))}), "phone")
    other = pl.DataFrame({"phone": _phones(60_000, offset=500_000)})
    assert not _core._mostly_in(other["phone"], _core._last_results.last[1])  # type: ignore[index]
    assert_frame_equal(geoflex.resolve(other, "phone"), _fresh(other))


def test_mostly_in_counts_the_sample_rows_found() -> None:
    table = pl.DataFrame({"__raw": ["a", "b", "c", None]})
    assert _core._mostly_in(pl.Series(["a", "b", "x", "a"] * 10), table)  # 30 of 40
    assert not _core._mostly_in(pl.Series(["a", "x", "y", "z"] * 10), table)  # 10 of 40
    assert not _core._mostly_in(pl.Series([None, None], dtype=pl.String), table)


def test_a_much_smaller_call_is_resolved_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    joined: list[int] = []
    original = _core._LastResults._with_known

    def spy(strings: pl.Series, country: str, table: pl.DataFrame) -> pl.DataFrame:
        joined.append(len(strings))
        return original(strings, country, table)

    monkeypatch.setattr(_core._LastResults, "_with_known", staticmethod(spy))
    big = pl.DataFrame({"phone": _phones(200_000)})
    small = pl.DataFrame({"phone": _phones(60_000)})  # all known, but under half of big
    half = pl.DataFrame({"phone": _phones(120_000)})
    expected_small, expected_half = _fresh(small), _fresh(half)
    geoflex.resolve(big, "phone")
    assert_frame_equal(geoflex.resolve(small, "phone"), expected_small)
    assert joined == []
    geoflex.resolve(big, "phone")
    assert_frame_equal(geoflex.resolve(half, "phone"), expected_half)
    assert joined == [120_000]
    geoflex.clear_resolve_cache()
