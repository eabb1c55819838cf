"""Shifts in local time, scheduled coverage in UTC, gaps and recommendations."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from geoflex._errors import ColumnError, ConfigError
from geoflex.staffing import (
    Shift,
    ShiftPlan,
    hour_label,
    parse_shifts,
    recommendations,
    scheduled_coverage,
    staffing_gap,
)

WINTER = dt.date(2026, 1, 7)  # a Wednesday; its week starts Monday 2026-01-05
SUMMER = dt.date(2026, 7, 8)


def test_default_shift_is_nine_to_five_weekdays():
    hours = Shift().hours_local()
    assert len(hours) == 40
    assert {d for d, _, _ in hours} == {0, 1, 2, 3, 4}
    assert {h for _, h, _ in hours} == set(range(9, 17))


def test_overnight_and_part_hour_shift():
    shift = Shift(start=dt.time(22, 30), end=dt.time(6), days=("Sun",))
    hours = shift.hours_local()
    assert hours[0] == (6, 22, 0.5)
    assert hours[1] == (6, 23, 1.0)
    assert hours[2] == (0, 0, 1.0)  # Sunday night runs into Monday
    assert sum(share for *_, share in hours) == 7.5


def test_utc_hours_follow_dst():
    winter = Shift().utc_hours("Europe/London", week_of=WINTER)
    summer = Shift().utc_hours("Europe/London", week_of=SUMMER)
    assert min(winter) == 9  # Monday 09:00 GMT
    assert min(summer) == 8  # Monday 09:00 BST = 08:00 UTC
    tokyo = Shift().utc_hours("Asia/Tokyo", week_of=WINTER)
    assert min(tokyo) == 0  # Monday 09:00 JST = Monday 00:00 UTC
    # Friday 16:00 Honolulu is Saturday 02:00 UTC.
    assert max(Shift().utc_hours("Pacific/Honolulu", week_of=WINTER)) == 5 * 24 + 2


def test_shift_wraps_from_sunday_to_monday_utc():
    # Monday 09:00 in Auckland (UTC+13 in January) is Sunday 20:00 UTC of the same week.
    hours = Shift(days=("Mon",)).utc_hours("Pacific/Auckland", week_of=WINTER)
    assert sorted(hours) == [0, 1, 2, 3, 164, 165, 166, 167]


def test_invalid_shifts():
    with pytest.raises(ConfigError, match="days"):
        Shift(days=("Funday",))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="same time"):
        Shift(start=dt.time(9), end=dt.time(9))
    with pytest.raises(ConfigError, match="unknown IANA timezone"):
        Shift(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match=r"shifts\.default\.start"):
        parse_shifts({"default": {"start": "nine"}})
    with pytest.raises(ConfigError, match="unknown keys"):
        parse_shifts({"weekends": {}})
    with pytest.raises(ConfigError, match="unknown shift keys"):
        parse_shifts({"default": {"begin": "09:00"}})
    with pytest.raises(ConfigError, match="Europe/Nowhere"):
        parse_shifts({"timezones": {"Europe/Nowhere": {}}})


def test_parse_shifts_lookup_order():
    plan = parse_shifts(
        {
            "default": {"start": "08:00", "end": "16:00"},
            "locations": {"Manila": {"start": "22:00", "end": "06:00", "days": ["sun", "mon"]}},
            "timezones": {"Europe/Paris": {"start": "10:00", "end": "18:00"}},
        }
    )
    assert plan.shift_for("Manila", "Europe/Paris").start == dt.time(22)
    assert plan.shift_for("Manila", None).days == ("Sun", "Mon")
    assert plan.shift_for("Lyon", "Europe/Paris").start == dt.time(10)
    assert plan.shift_for(None, "America/Chicago").start == dt.time(8)
    assert hour_label(9) == "Mon 09:00"


def agents_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "flex_location": ["London", "London", "London", None, "Remote"],
            "timezone": [
                "Europe/London",
                "Europe/London",
                "Europe/London",
                "America/Chicago",
                None,
            ],
        }
    )


def test_coverage_counts_agents_per_utc_hour_and_accounts_for_everyone():
    cov = scheduled_coverage(agents_frame(), week_of=WINTER)
    london = cov.filter(location="London")
    assert london["scheduled"].to_list() == [3.0] * 40
    assert london["hour_of_week"].min() == 9
    chicago = cov.filter(location="America/Chicago")
    assert chicago["hour_of_week"].min() == 15  # 09:00 CST = 15:00 UTC
    remote = cov.filter(location="Remote")
    assert remote.rows() == [("Remote", None, 1, None, 0.0)]  # no timezone: not scheduled
    heads = cov.unique(["location", "timezone"]).get_column("agents").sum()
    assert heads == agents_frame().height


def test_coverage_with_shift_timezone_places_agents_without_one():
    plan = ShiftPlan(by_location={"Remote": Shift(timezone="Asia/Manila")})
    cov = scheduled_coverage(agents_frame(), shifts=plan, week_of=WINTER)
    remote = cov.filter(location="Remote")
    assert remote["timezone"].unique().to_list() == ["Asia/Manila"]
    assert remote["hour_of_week"].min() == 1  # 09:00 in Manila (UTC+8) = 01:00 UTC


def test_coverage_needs_columns():
    with pytest.raises(ColumnError, match="flex_location"):
        scheduled_coverage(pl.DataFrame({"timezone": ["UTC"]}), week_of=WINTER)
    with pytest.raises(ConfigError, match="unknown IANA timezone"):
        scheduled_coverage(
            pl.DataFrame({"flex_location": ["X"], "timezone": ["Not/AZone"]}), week_of=WINTER
        )


def test_gap_covers_all_hours():
    required = pl.DataFrame({"hour_of_week": [9, 10, 100], "scheduled": [5, 2, 1]})
    cov = scheduled_coverage(agents_frame(), week_of=WINTER)
    gap = staffing_gap(required, cov)
    assert gap.height == 168
    assert gap["hour_of_week"].to_list() == list(range(168))
    row9 = gap.row(9, named=True)
    assert row9 == {"hour_of_week": 9, "required": 5.0, "scheduled": 3.0, "gap": 2.0}
    assert gap.row(100, named=True)["gap"] == 1.0
    # Sums are preserved: nothing is lost in the join.
    assert gap["required"].sum() == 8.0
    assert gap["scheduled"].sum() == cov["scheduled"].sum()


def test_recommendations_pick_the_place_in_daytime_and_wrap_the_week():
    gaps = [0.0] * 168
    for h in (166, 167, 0, 1):  # Sunday 22:00 to Monday 02:00 UTC
        gaps[h] = 1.3
    for h in range(40, 52):  # Tuesday 16:00-04:00 UTC: 12 hours, split into 8 + 4
        gaps[h] = 4.0
    gap = pl.DataFrame({"hour_of_week": range(168), "gap": gaps})
    cands = pl.DataFrame(
        {
            "location": ["London", "Manila", "Chicago"],
            "timezone": ["Europe/London", "Asia/Manila", "America/Chicago"],
        }
    )
    rec = recommendations(gap, candidates=cands, week_of=WINTER)
    assert rec["hours"].to_list() == [4, 8, 4]
    assert rec["add_agents"].to_list() == [2, 4, 4]
    first, second, third = rec.iter_rows(named=True)
    # Sunday 22:00 UTC is Monday 06:00 in Manila: the only daytime place.
    assert first["location"] == "Manila"
    assert first["utc_window"] == "Sun 22:00-Mon 02:00 UTC"
    assert first["local_window"] == "Mon 06:00-10:00"
    assert second["location"] == "Chicago"  # Tue 10:00-18:00 in Chicago
    assert second["sentence"] == (
        "Add 4 agents in Chicago (America/Chicago) for Tue 16:00-Wed 00:00 UTC "
        "(Tue 10:00-18:00 local)."
    )
    assert third["location"] == "Manila"  # Wed 08:00-12:00 in Manila


def test_recommendations_none_when_fully_staffed():
    gap = pl.DataFrame({"hour_of_week": range(168), "gap": [-1.0] * 168})
    assert recommendations(gap, week_of=WINTER).height == 0
