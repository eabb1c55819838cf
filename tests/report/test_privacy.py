"""Phone numbers stay out of reports; importing the report package stays light."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from geoflex.report import mask_phone_numbers, redact_frame


@pytest.mark.parametrize(
    "raw",
    [
        "+14155550123",
        "+1 (415) 555-0123",
        "415.555.0123",
        "tel:+442079460000",
        "whatsapp:+5511987654321",
        "0044 20 7946 0000",
        "call me on +33 1 42 68 53 00 please",
    ],
)
def test_phone_numbers_are_masked(raw):
    masked = mask_phone_numbers(raw)
    assert sum(c.isdigit() for c in masked) == 2  # only the last two digits remain
    assert masked[-2:] == raw[-2:] or raw.endswith("please")


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-05",
        "2026-01-05 10:00",
        "Mon 09:00-17:00",
        "Queue 12",
        "US-CA",
        "12345",
        "Support Tier 2",
        "v1.2.3",
    ],
)
def test_ordinary_strings_are_untouched(text):
    assert mask_phone_numbers(text) == text


def test_redact_frame_drops_phone_columns_and_masks_values():
    frame = pl.DataFrame(
        {
            "phone": ["+14155550123"],
            "phone_e164": ["+14155550123"],
            "customer": ["+14155550123"],
            "queue": pl.Series(["Sales"], dtype=pl.Categorical),
            "n": [1],
        }
    )
    out = redact_frame(frame)
    assert out.columns == ["customer", "queue", "n"]
    assert out["customer"][0].endswith("23")
    assert "4155550" not in out["customer"][0]
    assert redact_frame(frame, show_phone_numbers=True).equals(frame)


def test_report_and_staffing_imports_are_light():
    code = (
        "import sys, geoflex.report, geoflex.staffing; "
        "heavy = {'jinja2', 'altair', 'folium', 'geopandas', 'shapely', 'pandas', 'phonenumbers'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
