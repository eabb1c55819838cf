"""The numbering-plan rules the parser needs, loaded from the shipped ``phone/metadata.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib.resources import files
from typing import Any, Literal

LengthVerdict = Literal["possible", "too_short", "too_long", "invalid_length", "local_only"]


@dataclass(frozen=True, eq=False)
class RegionRules:
    """One region's parsing rules (libphonenumber metadata, compiled)."""

    region: str
    calling_code: int
    idd: str | None
    np_parse: str | None
    np_transform: str | None
    general: str
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]
    #: The national-prefix rule as plain, prefix-free digit strings (None: no rule or not that).
    np_literals: tuple[str, ...] | None = None

    @cached_property
    def idd_re(self) -> re.Pattern[str] | None:
        return re.compile(self.idd) if self.idd else None

    @cached_property
    def np_re(self) -> re.Pattern[str] | None:
        return re.compile(self.np_parse) if self.np_parse else None

    @cached_property
    def _general_re(self) -> re.Pattern[str]:
        return re.compile(self.general)

    def general_matches(self, nsn: str) -> bool:
        """Whether ``nsn`` fully matches the region's general number pattern (any length)."""
        return self._general_re.fullmatch(nsn) is not None

    def length_verdict(self, nsn: str) -> LengthVerdict:
        n = len(nsn)
        if n in self.local_lengths:
            return "local_only"
        if not self.lengths:
            return "invalid_length"
        if n == self.lengths[0]:
            return "possible"
        if n < self.lengths[0]:
            return "too_short"
        if n > self.lengths[-1]:
            return "too_long"
        return "possible" if n in self.lengths else "invalid_length"


@dataclass(frozen=True, eq=False)
class PhoneMetadata:
    """Calling codes, their regions, and each region's rules."""

    phonenumbers_version: str
    regions_by_code: dict[int, tuple[str, ...]]
    rules_by_region: dict[str, RegionRules]
    geo_mobile_codes: frozenset[int]
    mobile_tokens: dict[int, str]
    cc_timezones: dict[int, list[str]]
    #: Country → its own IANA zones (the tz database's zone.tab), current names.
    country_zones: dict[str, frozenset[str]]
    calling_codes: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "calling_codes", frozenset(self.regions_by_code))

    def rules(self, region: str) -> RegionRules | None:
        return self.rules_by_region.get(region.upper()) if region else None

    def main_region(self, calling_code: int) -> str:
        regions = self.regions_by_code.get(calling_code)
        return regions[0] if regions else "ZZ"

    def rules_for_code(self, calling_code: int) -> RegionRules | None:
        main = self.main_region(calling_code)
        if main == "001":
            return self.rules_by_region.get(f"001-{calling_code}")
        return self.rules_by_region.get(main)


@lru_cache(maxsize=1)
def load_metadata() -> PhoneMetadata:
    raw: dict[str, Any] = json.loads(
        files("geoflex._data").joinpath("phone/metadata.json").read_text(encoding="utf-8")
    )
    rules = {
        name: RegionRules(
            region=name,
            calling_code=int(r["cc"]),
            idd=r["idd"],
            np_parse=r["np_parse"],
            np_transform=r["np_transform"],
            general=r["general"],
            lengths=tuple(r["lengths"]),
            local_lengths=tuple(r["local_lengths"]),
            np_literals=tuple(r["np_literals"]) if r["np_literals"] else None,
        )
        for name, r in raw["regions"].items()
    }
    return PhoneMetadata(
        phonenumbers_version=raw["phonenumbers_version"],
        regions_by_code={int(cc): tuple(regs) for cc, regs in raw["calling_codes"].items()},
        rules_by_region=rules,
        geo_mobile_codes=frozenset(raw["geo_mobile_calling_codes"]),
        mobile_tokens={int(k): v for k, v in raw["mobile_tokens"].items()},
        cc_timezones={int(k): v for k, v in raw["cc_timezones"].items()},
        country_zones={k: frozenset(v) for k, v in raw["country_zones"].items()},
    )
