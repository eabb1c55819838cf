"""What each map metric means: its label, the unit the legend states, and how values print.

Durations arrive in seconds (as the aggregations produce them) and are shown in hours
(total handle time, a workload) or as h:mm:ss (average handle time), the same styles as
the report's tables; shares arrive as fractions and are shown as percentages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["KNOWN_METRICS", "Metric", "MetricSpec", "classify", "duration", "metric_spec"]

Metric = Literal["conversations", "handle_time", "average_handle_time", "share"]
KNOWN_METRICS: tuple[Metric, ...] = (
    "conversations",
    "handle_time",
    "average_handle_time",
    "share",
)

_LABELS: dict[str, str] = {
    "conversations": "Conversations",
    "handle_time": "Handle time",
    "average_handle_time": "Average handle time",
    "share": "Share of conversations",
}


def duration(seconds: float) -> str:
    """Seconds as h:mm:ss, the one duration style of every page, table and map.

    >>> duration(505.4), duration(7.6 * 60), duration(90061), duration(-5)
    ('0:08:25', '0:07:36', '25:01:01', '-0:00:05')
    """
    sign = "-" if seconds < 0 else ""
    whole = round(abs(seconds))
    return f"{sign}{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@dataclass(frozen=True)
class MetricSpec:
    """How one metric prints: ``value * scale`` with ``decimals`` and a ``suffix``, or, for
    a duration in seconds, as h:mm:ss."""

    name: str
    label: str
    unit: str
    scale: float = 1.0
    decimals: int = 0
    suffix: str = ""
    hms: bool = False

    @property
    def title(self) -> str:
        """Legend title, e.g. ``"Handle time (hours)"``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def format(self, value: float | None) -> str:
        """Format one raw value; missing values print as "no data".

        Examples
        --------
        >>> metric_spec("handle_time", [72000.0]).format(5400.0)
        '1.5 h'
        >>> metric_spec("share", [0.5]).format(0.1234)
        '12.3%'
        >>> metric_spec("average_handle_time", [400.0]).format(456.0)
        '0:07:36'
        >>> metric_spec("conversations", [3]).format(None)
        'no data'
        """
        if value is None or not math.isfinite(value):
            return "no data"
        if self.hms:
            return duration(value)
        return f"{value * self.scale:,.{self.decimals}f}{self.suffix}"


def metric_spec(
    name: str, values: Sequence[float | None], *, unit: str | None = None
) -> MetricSpec:
    """Describe metric ``name`` given its values (the scale of durations depends on them).

    Examples
    --------
    >>> metric_spec("average_handle_time", [95.0, 400.0]).title
    'Average handle time (h:mm:ss)'
    >>> metric_spec("abandoned", [1.0, 2.0], unit="calls").title
    'abandoned (calls)'
    """
    finite = [v for v in values if v is not None and math.isfinite(v)]
    top = max((abs(v) for v in finite), default=0.0)
    if name == "conversations":
        return MetricSpec(name, _LABELS[name], unit or "count")
    if name == "handle_time":
        return MetricSpec(name, _LABELS[name], "hours", 1 / 3600, 2 if top < 36_000 else 1, " h")
    if name == "average_handle_time":
        return MetricSpec(name, _LABELS[name], "h:mm:ss", hms=True)
    if name == "share":
        return MetricSpec(name, _LABELS[name], "%", 100.0, 1, "%")
    integral = all(float(v).is_integer() for v in finite)
    return MetricSpec(name, name, unit or "", 1.0, 0 if integral else 2, f" {unit}" if unit else "")


def _nice(value: float, *, integral: bool) -> float:
    """Round a class break to two significant digits (integers stay integers)."""
    if value == 0:
        return 0.0
    digits = 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    return float(math.ceil(rounded)) if integral else rounded


def classify(values: Sequence[float], *, classes: int) -> list[float]:
    """Class breaks for a choropleth: ``[min, b1, ..., max]`` from rounded quantiles.

    Quantiles suit the skewed distributions of contact volume (a few places hold most of
    it); breaks are rounded so the legend reads well, and duplicates are dropped, so fewer
    classes come back when the data has few distinct values.

    Examples
    --------
    >>> classify([1, 2, 3, 4, 100, 1000, 5000, 9000], classes=4)
    [1.0, 3.0, 52.0, 2000.0, 9000.0]
    >>> classify([7, 7, 7], classes=5)
    [7.0, 7.0]
    """
    finite = sorted(float(v) for v in values if math.isfinite(v))
    if not finite:
        return []
    low, high = finite[0], finite[-1]
    classes = min(classes, len(set(finite)))
    integral = all(v.is_integer() for v in finite)
    breaks = [low]
    for i in range(1, classes):
        position = i * (len(finite) - 1) / classes
        below = finite[math.floor(position)]
        above = finite[math.ceil(position)]
        cut = _nice(below + (above - below) * (position - math.floor(position)), integral=integral)
        if breaks[-1] < cut < high:
            breaks.append(cut)
    breaks.append(high)
    return breaks
