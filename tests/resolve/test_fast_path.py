"""The vectorized parser agrees with the exact per-string parser on every row it takes."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoflex.resolve._fastparse import fast_parse
from geoflex.resolve._metadata import load_metadata
from geoflex.resolve._parse import Parsed, parse_cached

META = load_metadata()
DEFAULTS = ["US", "GB", "DE", "AU", "CN", "BR", "FR", "IN", "CA", "JP"]

number_like = st.builds(
    lambda prefix, plus, body, tail: prefix + plus + body + tail,
    st.sampled_from(["", "", "tel:", "whatsapp:", " ", "(", "0", "00", "011 ", "1 "]),
    st.sampled_from(["", "+", "＋"]),
    st.text(alphabet="0123456789 ()-./", min_size=0, max_size=18),
    st.sampled_from(["", "", " ext. 12", " x7", ";ext=99", " #4", "１", " - "]),
)


def _reference(text: str, region: str) -> tuple[str | None, str | None]:
    result = parse_cached(text, region, META)
    if isinstance(result, Parsed):
        return None, result.e164
    return result, None


def _check(texts: list[str], region: str) -> None:
    raw = pl.Series(texts, dtype=pl.String)
    fast = fast_parse(raw, region, META)
    e164 = fast.select(
        pl.when(pl.col("cc").is_not_null()).then(
            "+"
            + pl.col("cc").cast(pl.String)
            + pl.col("nsn").cast(pl.String).str.zfill(pl.col("nl"))
        )
    ).to_series()
    for text, slow, status, ours in zip(texts, fast["slow"], fast["status"], e164, strict=True):
        if slow:
            continue
        assert (status, ours) == _reference(text, region), (text, region)


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(number_like, min_size=1, max_size=40), region=st.sampled_from(DEFAULTS))
def test_fast_path_matches_the_exact_parser(texts: list[str], region: str) -> None:
    _check(texts, region)


@pytest.mark.parametrize("region", DEFAULTS)
def test_fast_path_on_real_shapes(region: str) -> None:
    texts = [
        "+1 415 555 0132",
        "(415) 555-0132",
        "1-415-555-0132",
        "011 44 20 7946 0958",
        "0044 20 7946 0958",
        "+44 (0) 20 7946 0958",
        "020 7946 0958",
        "07911 123456",
        "+61 0 2 9876 5432",
        "+86 0 10 1234 5678",
        "+352 15001 1234",
        "+55 11 91234 5678",
        "+54 9 11 2345 6789",
        "+39 06 1234 5678",
        "+7 8 495 123 4567",
        "tel:+33-1-23-45-67-89",
        "whatsapp:+5511912345678",
        "+1 415 555 0132 ext. 99",
        "＋４４ ２０ ７９４６ ０９５８",
        "12",
        "1 2",
        "+12",
        "000 1 415 555 0132",
        "8 10 44 20 7946 0958",
    ]
    _check(texts, region)
