"""One definition per configuration setting: its type, default, limits and description.

Each field of `ReportConfig` carries a `ConfigSetting` (built with :func:`setting`); the
config file is validated against them, error messages name the setting and quote what it
allows, and `geoflex.report.config_schema` hands the same records to the documentation.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any, Literal

from geoflex._errors import ConfigError
from geoflex._untrusted import quote

__all__ = ["ConfigSetting", "TomlType", "setting"]

#: How a value is written in the TOML file.
TomlType = Literal["string", "boolean", "number", "integer", "table"]
Command = Literal["demo", "report", "resolve"]

_TYPE_NAMES = {
    "string": "a string",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "table": "a table",
}


@dataclasses.dataclass(frozen=True)
class ConfigSetting:
    """One key of a geoflex config file.

    Attributes
    ----------
    name
        The key, at the top level of the TOML file.
    type
        How it is written: ``string``, ``boolean``, ``number``, ``integer`` or ``table``.
    default
        The value when the key is absent (None: not set).
    description
        One line saying what it does.
    allowed
        The only values accepted, when there is a short list (else empty).
    minimum, maximum
        Bounds of a number (None: unbounded); ``exclusive_minimum``/``exclusive_maximum``
        say whether the bound itself is excluded.
    max_length
        The longest string accepted (None: no limit beyond the file's).
    values
        What a value must be beyond its type and limits, in words (a timezone name...).
    example
        A typical value, as it would be written in TOML.
    commands
        The ``geoflex`` commands that read the setting.
    """

    name: str
    type: TomlType
    default: Any
    description: str
    allowed: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    max_length: int | None = None
    values: str = ""
    example: str = ""
    commands: tuple[Command, ...] = ("demo", "report")
    # The setting's own rule beyond type and range (a valid timezone, known country codes...).
    rule: Callable[[Any], None] | None = dataclasses.field(default=None, repr=False, compare=False)
    # How a TOML table becomes the attribute's value (shifts -> ShiftPlan...).
    parse: Callable[[Any], Any] | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def default_shown(self) -> str:
        """The default as written in the TOML file, in Markdown ("not set" when None,
        "empty" for an empty table).

        Examples
        --------
        >>> from geoflex.report import config_schema
        >>> shown = {s.name: s.default_shown for s in config_schema()}
        >>> shown["service_level"], shown["centre_timezone"], shown["show_phone_numbers"]
        ('`0.8`', '`"UTC"`', '`false`')
        """
        value = self.default
        if value is None:
            return "not set"
        if isinstance(value, bool):
            return f"`{str(value).lower()}`"
        if isinstance(value, str):
            return f'`"{value}"`'
        if isinstance(value, (dict, list, tuple)) and not value:
            return "empty"
        if isinstance(value, (int, float)):
            return f"`{value:g}`"
        return f"`{value}`"

    @property
    def limits(self) -> str:
        """What values are allowed, in words ("" when any value of the type will do).

        Examples
        --------
        >>> from geoflex.report import config_schema
        >>> {s.name: s.limits for s in config_schema()}["service_level"]
        'between 0 and 1 (both excluded)'
        """
        bounds = self._bounds()
        return "; ".join(text for text in (self.values, bounds) if text)

    def _bounds(self) -> str:
        if self.allowed:
            return "one of " + ", ".join(str(v) for v in self.allowed)
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            ends = {
                (False, False): "",
                (True, True): " (both excluded)",
                (True, False): f" ({low:g} excluded)",
                (False, True): f" ({high:g} excluded)",
            }[self.exclusive_minimum, self.exclusive_maximum]
            return f"between {low:g} and {high:g}{ends}"
        if low is not None:
            return f"{'above' if self.exclusive_minimum else 'at least'} {low:g}"
        if high is not None:
            return f"{'below' if self.exclusive_maximum else 'at most'} {high:g}"
        if self.max_length is not None:
            return f"at most {self.max_length:,} characters"
        return ""

    def check(self, value: Any) -> None:
        """Raise a `ConfigError` naming this setting unless ``value`` is of its type and limits.

        Tables are checked by their own rule (their entries have shapes of their own).
        """
        if value is None and self.default is None:  # not set
            return
        if self.type == "table":
            if self.rule is not None:
                self.rule(value)
            return
        if not _is_type(value, self.type):
            got = "a string" if isinstance(value, str) else type(value).__name__
            raise self.error(f"must be {_TYPE_NAMES[self.type]}", value, f" ({got})")
        if self.type in ("number", "integer") and not self._in_range(value):
            raise self.error(f"must be {self._bounds()}", value)
        if self.allowed and self.type == "string" and value not in self.allowed:
            raise self.error(f"must be {self._bounds()}", value)
        if self.max_length is not None and len(value) > self.max_length:
            raise self.error(f"must be {self._bounds()}", value)
        if self.rule is not None:
            self.rule(value)

    def error(self, must: str, value: Any, got: str = "") -> ConfigError:
        """A one-line ConfigError: the setting, what it must be, an example and the value."""
        example = f", e.g. {self.name} = {self.example}" if self.example else ""
        return ConfigError(f"{self.name} {must}{example}; got {quote(value)}{got}")

    def _in_range(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.allowed:
            return value in self.allowed
        low, high = self.minimum, self.maximum
        if low is not None and (value <= low if self.exclusive_minimum else value < low):
            return False
        if high is None:
            return True
        return value < high if self.exclusive_maximum else value <= high


def _is_type(value: Any, kind: TomlType) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, int | float)


def setting(
    default: Any = None,
    *,
    default_factory: Callable[[], Any] | None = None,
    **spec: Any,
) -> Any:
    """A dataclass field of `ReportConfig` with its `ConfigSetting` (less name and default)."""
    metadata = {"setting": spec}
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)
