"""A small, hand-made FlexData-like object with hostile strings, for report tests.

Conversations already carry the resolver's geo columns, so these tests exercise the
reports alone. Hostile strings sit in every place a data string can reach a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from geoflex.resolve._schema import GEO_SCHEMA

XSS = "<img src=x onerror=alert(1)>"
SCRIPT_END = "</script><script>alert(2)</script>"
QUOTES = "\"'><svg onload=alert(3)>"
HOSTILE = (XSS, SCRIPT_END, QUOTES)
PHONE = "+14155550123"

_PLACES = [
    # country, country_name, region, state, state_code, city, lat, lon, timezone, phone
    (
        "US",
        "United States",
        "North America",
        "California",
        "US-CA",
        "San Francisco",
        37.77,
        -122.42,
        "America/Los_Angeles",
        "+14155550123",
    ),
    (
        "US",
        "United States",
        "North America",
        "New York",
        "US-NY",
        XSS,
        40.71,
        -74.0,
        "America/New_York",
        "+12125550188",
    ),
    (
        "GB",
        "United Kingdom",
        "Europe",
        None,
        None,
        SCRIPT_END,
        51.5,
        -0.12,
        "Europe/London",
        "+442079460000",
    ),
    ("FR", "France", "Europe", None, None, QUOTES, 48.85, 2.35, "Europe/Paris", "+33142685300"),
    ("JP", "Japan", "Asia", None, None, "Tokyo", 35.68, 139.69, "Asia/Tokyo", "+81312345678"),
]


@dataclass
class FakeFlexData:
    segments: pl.DataFrame
    conversations: pl.DataFrame
    customers: pl.DataFrame
    agents: pl.DataFrame
    problems: pl.DataFrame


def fake_flex_data(n: int = 600, *, seed_hours: int = 3) -> FakeFlexData:
    start = dt.datetime(2026, 1, 5)
    rows = []
    for i in range(n):
        place = _PLACES[i % len(_PLACES)]
        hour = (i * seed_hours) % (24 * 14)
        # A burst in London on day 9 for the spikes report.
        if i % 50 == 0:
            place, hour = _PLACES[2], 24 * 9 + 10
        rows.append(
            {
                "conversation_id": f"CV{i:05d}",
                "started_at": start + dt.timedelta(hours=hour, minutes=i % 60),
                "handle_time": 120.0 + (i % 7) * 30,
                "queue": XSS if i % 3 == 0 else "Support",
                "customer_name": PHONE if i % 4 == 0 else f"Customer {QUOTES}",
                "phone": place[9],
                "phone_e164": place[9],
                "valid": True,
                "geo_status": "ok" if i % 17 else "invalid",
                "region": place[2],
                "country": place[0],
                "country_name": place[1],
                "state": place[3],
                "state_code": place[4],
                "area": None,
                "zip": None,
                "city": place[5],
                "latitude": place[6],
                "longitude": place[7],
                "timezone": place[8],
                "geo_level": "city",
                "geo_source": "phone",
            }
        )
    conversations = pl.DataFrame(rows).with_columns(
        pl.col(c).cast(t) for c, t in GEO_SCHEMA.items()
    )
    agents = pl.DataFrame(
        {
            "worker_sid": ["WK1", "WK2", "WK3", "WK4"],
            "full_name": [XSS, "Ada Lovelace", SCRIPT_END, "Grace Hopper"],
            "flex_location": [QUOTES, QUOTES, "Manila", None],
            "timezone": ["America/New_York", "America/New_York", "Asia/Manila", None],
            "latitude": [40.7, 40.7, 14.6, None],
            "longitude": [-74.0, -74.0, 121.0, None],
        }
    )
    problems = pl.DataFrame(
        {"file": ["events.ndjson"] * 2, "line": [3, 9], "reason": [f"bad JSON {XSS}", "empty"]}
    )
    return FakeFlexData(
        segments=conversations,
        conversations=conversations,
        customers=conversations.select("customer_name", "phone").unique(),
        agents=agents,
        problems=problems,
    )
