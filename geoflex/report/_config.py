"""Configuration: service level, shifts, regions, overrides, timezones (a TOML file).

Every setting is defined once, on `ReportConfig`'s field (see `geoflex.report._settings`):
its type, default, limits and description. `config_schema` lists them for the reference
documentation; `ReportConfig.from_mapping` and `load_config` validate against them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from geoflex._errors import ConfigError, require
from geoflex._untrusted import quote
from geoflex.report._settings import ConfigSetting, setting
from geoflex.staffing import ShiftPlan, parse_shifts
from geoflex.staffing._shifts import zone

__all__ = ["MAX_CONFIG_BYTES", "ReportConfig", "config_schema", "load_config"]

#: Config files larger than this are refused before parsing (a real one is a few KiB).
MAX_CONFIG_BYTES = 1 << 20

#: The value of ``regions_fallback`` that keeps the Flex continents for unnamed countries.
CONTINENTS = "continents"

_EVERY_COMMAND = ("demo", "report", "resolve")
# Region and other names: long enough for any real one, short enough for a table cell.
_NAME_LENGTH = 100


def _country_codes() -> frozenset[str]:
    from geoflex.reference import load_table

    return frozenset(load_table("countries")["country"].to_list())


def _check_country(value: str) -> None:
    if value.upper() not in _country_codes():
        raise ConfigError(
            f'default_country must be an ISO 3166-1 alpha-2 country code such as "US"; '
            f"got {quote(value)}"
        )


def _check_regions(value: Any) -> None:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"regions must be a table of country code = region name; got {quote(value)}"
        )
    known = _country_codes()
    for key, name in value.items():
        if isinstance(key, tuple):  # (country, state): the Python API's; resolve checks it
            pass
        elif not isinstance(key, str) or key.upper() not in known:
            raise ConfigError(
                f"regions: {quote(key)} is not an ISO 3166-1 alpha-2 country code "
                '(write US = "Americas")'
            )
        if not isinstance(name, str) or not name.strip() or len(name) > _NAME_LENGTH:
            raise ConfigError(
                f"regions.{quote(key, 20)} must be a region name of 1 to {_NAME_LENGTH} "
                f"characters; got {quote(name)}"
            )


def _check_overrides(value: Any) -> None:
    from geoflex.resolve._overrides import OVERRIDE_FIELDS

    if not isinstance(value, Mapping):
        raise ConfigError(f"overrides must be a table of field = column; got {quote(value)}")
    for key, column in value.items():
        if key not in OVERRIDE_FIELDS:
            raise ConfigError(
                f"overrides: unknown field {quote(key)}; the fields are "
                f"{', '.join(OVERRIDE_FIELDS)}"
            )
        if not isinstance(column, str) or not column:
            raise ConfigError(f"overrides.{key} must be a column name; got {quote(column)}")


def _check_fallback(value: str) -> None:
    if not value.strip():
        raise ConfigError(
            f'regions_fallback must be "{CONTINENTS}" or a region name; got {quote(value)}'
        )


def _shifts(value: Any) -> ShiftPlan:
    try:
        return parse_shifts(value)
    except ConfigError as exc:
        message = str(exc)
        raise ConfigError(
            message if message.startswith("shifts") else f"shifts: {message}"
        ) from None


def _coordinates(value: Any) -> dict[str, tuple[float, float]]:
    if not isinstance(value, Mapping):
        raise ConfigError("agent_coordinates must be a table of name = [latitude, longitude]")
    out = {}
    for name, pair in value.items():
        where = f"agent_coordinates.{quote(name, 40)}"
        ok = isinstance(pair, list | tuple) and len(pair) == 2
        if not ok or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair):
            raise ConfigError(f"{where} must be [latitude, longitude]; got {quote(pair)}")
        lat, lon = float(pair[0]), float(pair[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ConfigError(f"{where} is out of range: {quote(pair)}")
        out[str(name)] = (lat, lon)
    return out


@dataclass(frozen=True)
class ReportConfig:
    """Every setting of a geoflex config file; each has a default.

    The fields are the settings `config_schema` describes (type, default, limits and what
    each does); constructing one checks every value against them, as a config file is.
    """

    title: str = setting(
        "Contact centre geography",
        type="string",
        max_length=200,
        example='"Acme care"',
        description="Title shown on every report page.",
    )
    show_phone_numbers: bool = setting(
        False,
        type="boolean",
        example="true",
        description="Show raw phone numbers in the reports (masked by default, keeping the "
        "last two digits).",
    )
    centre_timezone: str = setting(
        "UTC",
        type="string",
        max_length=64,
        example='"America/New_York"',
        rule=lambda value: zone(value, where="centre_timezone"),
        values="an IANA timezone name",
        description='The contact centre\'s IANA timezone, for the "centre time" views (the '
        "demo uses the sample centre's).",
    )
    default_country: str = setting(
        "US",
        type="string",
        max_length=2,
        example='"GB"',
        rule=_check_country,
        values="an ISO 3166-1 alpha-2 country code",
        commands=_EVERY_COMMAND,
        description="ISO 3166-1 alpha-2 country of phone numbers written in national format.",
    )
    regions: Mapping[Any, str] = setting(
        default_factory=dict,
        type="table",
        example='{ US = "Americas", GB = "EMEA" }',
        rule=_check_regions,
        values='COUNTRY = "region name" (ISO 3166-1 alpha-2 codes)',
        parse=dict,
        commands=_EVERY_COMMAND,
        description="Custom Flex regions: country code = region name (default: the Flex "
        "continents); set regions_fallback too unless every country is named.",
    )
    regions_fallback: str | None = setting(
        None,
        type="string",
        max_length=_NAME_LENGTH,
        example=f'"{CONTINENTS}"',
        rule=_check_fallback,
        values='"continents" or a region name',
        commands=_EVERY_COMMAND,
        description=f'The region of countries [regions] does not name: "{CONTINENTS}" (their '
        'Flex continent) or a region name such as "Other"; required with a partial [regions].',
    )
    overrides: Mapping[str, str] = setting(
        default_factory=dict,
        type="table",
        example='{ zip = "customers_zip" }',
        rule=_check_overrides,
        values='FIELD = "column"',
        parse=dict,
        commands=_EVERY_COMMAND,
        description="Customer attributes that beat the phone: geo field (zip, region, "
        "country, state, area, city, latitude, longitude) = column (default: customers_zip "
        "and customers_area when the data has them).",
    )
    shifts: ShiftPlan = setting(  # noqa: RUF009 (a dataclasses.field, as the others)
        default_factory=ShiftPlan,
        type="table",
        example='{ default = { start = "08:00", end = "16:00" } }',
        parse=_shifts,
        values="tables of start, end, days, timezone",
        description="Agents' shifts: [shifts.default], [shifts.locations.NAME] and "
        '[shifts.timezones."ZONE"], each with start, end, days and timezone (default: '
        "09:00-17:00 Mon-Fri in the agent's zone).",
    )
    service_level: float = setting(
        0.8,
        type="number",
        minimum=0,
        maximum=1,
        exclusive_minimum=True,
        exclusive_maximum=True,
        example="0.8",
        description="Share of conversations to answer within target_answer_s (0.8 for 80%).",
    )
    target_answer_s: float = setting(
        20.0,
        type="number",
        minimum=0,
        example="20",
        description="The answer-time target of the service level, in seconds.",
    )
    interval_s: int = setting(
        3600,
        type="integer",
        allowed=(900, 1800, 3600),
        example="1800",
        description="Length of a staffing interval, in seconds.",
    )
    shrinkage: float = setting(
        0.3,
        type="number",
        minimum=0,
        maximum=1,
        exclusive_maximum=True,
        example="0.3",
        description="Share of paid time agents are not available (breaks, training...).",
    )
    max_occupancy: float = setting(
        0.85,
        type="number",
        minimum=0,
        maximum=1,
        exclusive_minimum=True,
        example="0.85",
        description="Highest share of their available time agents spend on conversations.",
    )
    short_abandon_s: float = setting(
        5.0,
        type="number",
        minimum=0,
        maximum=3600,
        exclusive_maximum=True,
        example="5",
        description="Abandons after less waiting than this many seconds are short abandons "
        "(misdials, hang-ups during the greeting), counted apart and left out of every rate.",
    )
    business_hours_only: bool = setting(
        False,
        type="boolean",
        example="true",
        description="Service metrics over segments whose Flex Insights "
        "conversations.in_business_hours is Yes only.",
    )
    top: int = setting(
        15,
        type="integer",
        minimum=1,
        maximum=1000,
        example="20",
        description='How many places the "top" tables and charts show.',
    )
    ui_attributes: str | None = setting(
        None,
        type="string",
        max_length=4096,
        values="a path to a file",
        example='"flex/ui_attributes.json"',
        description="The Flex ui_attributes JSON (Flex Locations and their edges); a relative "
        "path is relative to the config file.",
    )
    agent_coordinates: Mapping[str, tuple[float, float]] = setting(
        default_factory=dict,
        type="table",
        example="{ Remote = [47.6, -122.3] }",
        parse=_coordinates,
        values="NAME = [latitude, longitude]",
        description="Flex Location name or agent location text = [latitude, longitude], for "
        "places the shipped gazetteer does not know.",
    )

    def __post_init__(self) -> None:
        for spec in config_schema():
            spec.check(getattr(self, spec.name))
        if self.regions and self.regions_fallback is None:
            named = {k.upper() for k in self.regions if isinstance(k, str)}
            missing = _country_codes() - named
            if missing:
                raise ConfigError(
                    f"regions names {len(named):,} of {len(_country_codes()):,} countries: set "
                    f'regions_fallback = "{CONTINENTS}" (the others keep their Flex continent) '
                    'or a region name for the others, such as regions_fallback = "Other"'
                )

    def region_map(self) -> dict[Any, str] | None:
        """The ``regions`` argument of `geoflex.resolve` these settings mean (None: continents).

        Examples
        --------
        >>> cfg = ReportConfig(regions={"US": "Americas"}, regions_fallback="Other")
        >>> mapping = cfg.region_map()
        >>> mapping["US"], mapping["FR"]
        ('Americas', 'Other')
        """
        if not self.regions:
            return None
        mapping: dict[Any, str] = dict(self.regions)
        fallback = self.regions_fallback
        if fallback is not None and fallback != CONTINENTS:
            named = {k.upper() for k in self.regions if isinstance(k, str)}
            mapping.update(dict.fromkeys(_country_codes() - named, fallback))
        return mapping

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "config") -> ReportConfig:
        """Build from a parsed config file: top-level keys are the setting names.

        Examples
        --------
        >>> cfg = ReportConfig.from_mapping({"service_level": 0.9, "shifts": {"default":
        ...     {"start": "08:00", "end": "16:00"}}, "regions": {"MX": "LATAM North"},
        ...     "regions_fallback": "continents"})
        >>> cfg.service_level, cfg.shifts.default.start.hour, cfg.regions["MX"]
        (0.9, 8, 'LATAM North')
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: expected a table of settings, got {type(data).__name__}")
        schema = {spec.name: spec for spec in config_schema()}
        unknown = [key for key in data if key not in schema]
        if unknown:
            shown = ", ".join(quote(key) for key in unknown[:5])
            more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
            raise ConfigError(
                f"{source}: unknown setting {shown}{more}; the settings are {', '.join(schema)}"
            )
        values: dict[str, Any] = {}
        try:
            for key, value in data.items():
                spec = schema[key]
                if spec.type == "table" and not isinstance(value, Mapping):
                    raise spec.error(f"must be a table ([{key}])", value)
                values[key] = spec.parse(value) if spec.parse is not None else value
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None


def config_schema() -> tuple[ConfigSetting, ...]:
    """Every setting of a config file: name, type, default, limits, description, commands.

    The one definition the config is validated against and the reference is written from.

    Examples
    --------
    >>> service = {s.name: s for s in config_schema()}["service_level"]
    >>> service.type, service.default, service.limits
    ('number', 0.8, 'between 0 and 1 (both excluded)')
    >>> service.description
    'Share of conversations to answer within target_answer_s (0.8 for 80%).'
    """
    out = []
    for item in fields(ReportConfig):
        spec = dict(item.metadata["setting"])
        default: Any = item.default
        if item.default_factory is not MISSING:
            default = {}  # tables default to empty (the description says what that means)
        out.append(ConfigSetting(name=item.name, default=default, **spec))
    return tuple(out)


def read_config_table(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The parsed TOML of a config file (at most `MAX_CONFIG_BYTES`), not yet validated."""
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
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: arrays or tables nested too deeply") from None
    ui = data.get("ui_attributes")
    if isinstance(ui, str) and len(ui) <= 4096:
        # A relative path in a config file is relative to that file; it must exist.
        data["ui_attributes"] = resolved = str(file.parent / Path(ui).expanduser())
        if not Path(resolved).is_file():
            raise ConfigError(f"{file}: ui_attributes: no such file {quote(resolved, 200)}")
    return data


def load_config(path: str | os.PathLike[str]) -> ReportConfig:
    """Read and validate a TOML config file (at most 1 MiB; see `config_schema`).

    TOML only: it has no aliases, references or entities, so what a file says is bounded by
    its size. A relative ``ui_attributes`` path is relative to the config file.

    Raises
    ------
    ConfigError
        Not ``.toml``, too large, not UTF-8, a syntax error (with the parser's location),
        nested too deeply, or a bad value (naming the setting).
    OSError
        When the file cannot be opened (e.g. FileNotFoundError).
    """
    return ReportConfig.from_mapping(read_config_table(path), source=str(path))
