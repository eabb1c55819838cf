"""Shifts in agents' local time, and the UTC hours of a reference week they cover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geoflex._errors import ConfigError

__all__ = [
    "WEEKDAYS",
    "Shift",
    "ShiftPlan",
    "Weekday",
    "hour_label",
    "parse_shifts",
    "week_start",
    "zone",
]

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAYS: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS_PER_WEEK = 168


def zone(name: str, *, where: str = "timezone") -> ZoneInfo:
    """An IANA zone, or a ConfigError naming what was wrong."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: unknown IANA timezone {name!r} (e.g. 'Europe/London')"
        ) from exc


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week containing ``day``.

    >>> week_start(dt.date(2026, 11, 22))
    datetime.date(2026, 11, 16)
    """
    return day - dt.timedelta(days=day.weekday())


def hour_label(hour_of_week: int) -> str:
    """``"Mon 09:00"`` for hour-of-week 9 (hour 0 is Monday 00:00).

    >>> hour_label(0), hour_label(33), hour_label(167)
    ('Mon 00:00', 'Tue 09:00', 'Sun 23:00')
    """
    day, hour = divmod(hour_of_week % HOURS_PER_WEEK, 24)
    return f"{WEEKDAYS[day]} {hour:02d}:00"


def _parse_time(value: Any, where: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            hours, minutes = value.strip().split(":")
            if hours == "24" and minutes == "00":
                return dt.time(0)
            return dt.time(int(hours), int(minutes))
        except ValueError:
            pass
    raise ConfigError(f"{where}: expected a time like '09:00', got {value!r}")


@dataclass(frozen=True, slots=True)
class Shift:
    """A weekly shift in local time.

    Parameters
    ----------
    start, end
        Local start and end; an ``end`` at or before ``start`` runs past midnight
        (22:00-06:00), attributed to the day it starts.
    days
        Days the shift starts on.
    timezone
        Zone of the shift; ``None`` means each agent's own timezone. Agents whose
        timezone is unknown use this one.

    Examples
    --------
    >>> Shift().hours_local()[:3]
    [(0, 9, 1.0), (0, 10, 1.0), (0, 11, 1.0)]
    >>> len(Shift().hours_local())  # 8 hours x 5 days
    40
    """

    start: dt.time = dt.time(9)
    end: dt.time = dt.time(17)
    days: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    timezone: str | None = None

    def __post_init__(self) -> None:
        bad = [d for d in self.days if d not in WEEKDAYS]
        if bad:
            raise ConfigError(f"shift days must be among {list(WEEKDAYS)}, got {bad}")
        if self.start == self.end:
            raise ConfigError(f"a shift cannot start and end at the same time ({self.start})")
        if self.timezone is not None:
            zone(self.timezone, where="shift timezone")

    def hours_local(self) -> list[tuple[int, int, float]]:
        """(local weekday 0-6, local hour 0-23, share of the hour covered) of each hour on shift.

        The weekday and hour may run into the next day for shifts past midnight.
        """
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        if end <= start:
            end += 24 * 60
        covered: list[tuple[int, int, float]] = []
        for day in sorted(WEEKDAYS.index(d) for d in self.days):
            for hour_start in range(start - start % 60, end, 60):
                share = (min(end, hour_start + 60) - max(start, hour_start)) / 60
                extra_days, hour = divmod(hour_start // 60, 24)
                covered.append(((day + extra_days) % 7, hour, share))
        return covered

    def utc_hours(self, timezone: str, *, week_of: dt.date) -> dict[int, float]:
        """UTC hour-of-week -> share of the hour covered, for the week starting ``week_of``.

        Local times are converted with the zone's rules that week (DST included).
        """
        tz = zone(timezone)
        monday = week_start(week_of)
        base = dt.datetime.combine(monday, dt.time(0), tzinfo=dt.timezone.utc)
        hours: dict[int, float] = {}
        for day, hour, share in self.hours_local():
            local = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(hour), tzinfo=tz)
            offset = (local.astimezone(dt.timezone.utc) - base) // dt.timedelta(hours=1)
            how = offset % HOURS_PER_WEEK
            hours[how] = hours.get(how, 0.0) + share
        return hours


@dataclass(frozen=True, slots=True)
class ShiftPlan:
    """Which shift each agent works: by Flex Location name, else by timezone, else default."""

    default: Shift = field(default_factory=Shift)
    by_location: Mapping[str, Shift] = field(default_factory=dict)
    by_timezone: Mapping[str, Shift] = field(default_factory=dict)

    def shift_for(self, location: str | None, timezone: str | None) -> Shift:
        if location is not None and location in self.by_location:
            return self.by_location[location]
        if timezone is not None and timezone in self.by_timezone:
            return self.by_timezone[timezone]
        return self.default


def _shift_from_mapping(spec: Mapping[str, Any], where: str) -> Shift:
    unknown = set(spec) - {"start", "end", "days", "timezone"}
    if unknown:
        raise ConfigError(f"{where}: unknown shift keys {sorted(unknown)}")
    days = spec.get("days", Shift().days)
    if isinstance(days, str) or not all(isinstance(d, str) for d in days):
        raise ConfigError(f"{where}: days must be a list like ['Mon', 'Tue'], got {days!r}")
    timezone = spec.get("timezone")
    if timezone is not None and not isinstance(timezone, str):
        raise ConfigError(f"{where}: timezone must be a string, got {timezone!r}")
    try:
        return Shift(
            start=_parse_time(spec.get("start", "09:00"), f"{where}.start"),
            end=_parse_time(spec.get("end", "17:00"), f"{where}.end"),
            days=tuple(d.strip().title()[:3] for d in days),
            timezone=timezone,
        )
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def parse_shifts(config: Mapping[str, Any] | None) -> ShiftPlan:
    """Build a `ShiftPlan` from a config mapping (the ``[shifts]`` table of a config file).

    Keys: ``default`` (a shift), ``locations`` (Flex Location name -> shift) and
    ``timezones`` (IANA zone -> shift); a shift is ``{start, end, days, timezone}``.

    Examples
    --------
    >>> plan = parse_shifts({"locations": {"Manila": {"start": "22:00", "end": "06:00"}}})
    >>> plan.shift_for("Manila", None).end
    datetime.time(6, 0)
    >>> plan.shift_for("Paris", "Europe/Paris") == Shift()
    True
    """
    if not config:
        return ShiftPlan()
    if not isinstance(config, Mapping):
        raise ConfigError(f"shifts must be a table/mapping, got {type(config).__name__}")
    unknown = set(config) - {"default", "locations", "timezones"}
    if unknown:
        raise ConfigError(
            f"shifts: unknown keys {sorted(unknown)}; use default, locations, timezones"
        )
    default = _shift_from_mapping(config.get("default", {}), "shifts.default")
    groups: dict[str, dict[str, Shift]] = {}
    for key in ("locations", "timezones"):
        table = config.get(key, {})
        if not isinstance(table, Mapping):
            raise ConfigError(f"shifts.{key} must be a table of name -> shift")
        groups[key] = {
            str(name): _shift_from_mapping(spec, f"shifts.{key}.{name}")
            for name, spec in table.items()
        }
    for name in groups["timezones"]:
        zone(name, where=f"shifts.timezones.{name}")
    return ShiftPlan(default, groups["locations"], groups["timezones"])
