"""Report configuration: service level, shifts, regions, overrides, timezones (TOML)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from geoflex._errors import ConfigError, require
from geoflex.staffing import ShiftPlan, erlang_c, parse_shifts
from geoflex.staffing._shifts import zone

__all__ = ["ReportConfig", "load_config"]


@dataclass(frozen=True)
class ReportConfig:
    """Everything `build_all` can be told; every field has a sensible default.

    Attributes
    ----------
    title
        Shown on every page.
    show_phone_numbers
        Print raw phone numbers in tables (default: masked everywhere).
    centre_timezone
        The contact centre's own timezone, for the "centre time" views.
    default_country
        Country assumed for national-format numbers.
    regions
        Country ISO2 -> custom region name (Flex custom regions).
    overrides
        Passed to `geoflex.resolve` as ``overrides``.
    shifts
        Which shifts agents work (see `geoflex.staffing.parse_shifts`).
    service_level, target_answer_s, interval_s, shrinkage, max_occupancy
        The staffing target (see `geoflex.staffing.erlang_c`).
    top
        How many places the "top" tables and charts show.
    ui_attributes
        Path to the Flex ``ui_attributes`` JSON (its Flex Locations and their edges).
    agent_coordinates
        Flex Location name or agent ``location`` text -> ``[latitude, longitude]``, for
        places the shipped gazetteer does not know (e.g. "Remote").
    """

    title: str = "Contact centre geography"
    show_phone_numbers: bool = False
    centre_timezone: str = "UTC"
    default_country: str = "US"
    regions: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    shifts: ShiftPlan = field(default_factory=ShiftPlan)
    service_level: float = 0.8
    target_answer_s: float = 20.0
    interval_s: int = 3600
    shrinkage: float = 0.3
    max_occupancy: float = 0.85
    top: int = 15
    ui_attributes: str | None = None
    agent_coordinates: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        zone(self.centre_timezone, where="centre_timezone")
        if self.interval_s not in (900, 1800, 3600):
            raise ConfigError(f"interval_s must be 900, 1800 or 3600, got {self.interval_s!r}")
        if not isinstance(self.top, int) or self.top < 1:
            raise ConfigError(f"top must be a positive whole number, got {self.top!r}")
        # Check the staffing target now, not halfway through building reports.
        erlang_c(
            0,
            aht_s=1,
            interval_s=self.interval_s,
            target_answer_s=self.target_answer_s,
            service_level=self.service_level,
            shrinkage=self.shrinkage,
            max_occupancy=self.max_occupancy,
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "config") -> ReportConfig:
        """Build from a parsed config file: top-level keys are the attribute names.

        Examples
        --------
        >>> cfg = ReportConfig.from_mapping({"service_level": 0.9, "shifts": {"default":
        ...     {"start": "08:00", "end": "16:00"}}, "regions": {"MX": "LATAM North"}})
        >>> cfg.service_level, cfg.shifts.default.start.hour, cfg.regions["MX"]
        (0.9, 8, 'LATAM North')
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: expected a table of settings, got {type(data).__name__}")
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(
                f"{source}: unknown setting(s) {unknown}; known settings are {sorted(known)}"
            )
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "shifts":
                try:
                    values[key] = parse_shifts(value)
                except ConfigError as exc:
                    raise ConfigError(f"{source}: {exc}") from None
                continue
            if key == "agent_coordinates":
                values[key] = _coordinates(value, source)
                continue
            if key in ("regions", "overrides"):
                if not isinstance(value, Mapping):
                    raise ConfigError(f"{source}: {key} must be a table")
                values[key] = dict(value)
                continue
            expected = {
                "title": str,
                "centre_timezone": str,
                "default_country": str,
                "ui_attributes": str,
            }.get(key)
            if key == "show_phone_numbers" and not isinstance(value, bool):
                raise ConfigError(f"{source}: show_phone_numbers must be true or false")
            if expected is not None and not isinstance(value, expected):
                raise ConfigError(f"{source}: {key} must be a string, got {value!r}")
            values[key] = value
        try:
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None


def _coordinates(value: Any, source: str) -> dict[str, tuple[float, float]]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: agent_coordinates must be a table of name = [lat, lon]")
    out = {}
    for name, pair in value.items():
        ok = isinstance(pair, list | tuple) and len(pair) == 2
        if not ok or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair):
            raise ConfigError(
                f"{source}: agent_coordinates.{name} must be [latitude, longitude], got {pair!r}"
            )
        lat, lon = float(pair[0]), float(pair[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ConfigError(f"{source}: agent_coordinates.{name} is out of range: {pair!r}")
        out[str(name)] = (lat, lon)
    return out


#: Config files larger than this are refused before parsing (a real one is a few KiB).
MAX_CONFIG_BYTES = 1 << 20


def load_config(path: str | os.PathLike[str]) -> ReportConfig:
    """Read a TOML config file (at most 1 MiB).

    TOML only: it has no aliases, references or entities, so what a file says is bounded by
    its size. A relative ``ui_attributes`` path is relative to the config file.

    Raises
    ------
    ConfigError
        Not ``.toml``, too large, not UTF-8, a syntax error (with the parser's location),
        nested too deeply, or bad values (naming the setting).
    OSError
        When the file cannot be opened (e.g. FileNotFoundError).
    """
    file = Path(path)
    if file.suffix.lower() != ".toml":
        raise ConfigError(
            f"{file}: config files are TOML and end in .toml (YAML is no longer read)"
        )
    with file.open("rb") as handle:  # bounded read: /dev/zero or a pipe cannot flood memory
        raw = handle.read(MAX_CONFIG_BYTES + 1)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{file}: larger than {MAX_CONFIG_BYTES >> 20} MiB; not a config file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start:,}); "
            "save it as UTF-8"
        ) from None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = require("tomli", "cli")  # type: ignore[assignment]
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: arrays or tables nested too deeply") from None
    if isinstance(data.get("ui_attributes"), str):
        # A relative path in a config file is relative to that file.
        data["ui_attributes"] = str(file.parent / Path(data["ui_attributes"]).expanduser())
    return ReportConfig.from_mapping(data, source=str(file))
