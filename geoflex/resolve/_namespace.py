"""``pl.col(...).geoflex``: the resolver as a polars expression namespace."""

from __future__ import annotations

import polars as pl


@pl.api.register_expr_namespace("geoflex")
class GeoflexNamespace:
    """Phone-number geography inside polars expressions.

    Examples
    --------
    >>> import polars as pl
    >>> import geoflex
    >>> df = pl.DataFrame({"phone": ["+44 20 7946 0958", "+1 212 555 0199"]})
    >>> df.select(geo=pl.col("phone").geoflex.resolve()).unnest("geo").select(
    ...     "country", "city", "timezone"
    ... )
    shape: (2, 3)
    ┌─────────┬──────────┬──────────────────┐
    │ country ┆ city     ┆ timezone         │
    │ ---     ┆ ---      ┆ ---              │
    │ str     ┆ str      ┆ str              │
    ╞═════════╪══════════╪══════════════════╡
    │ GB      ┆ London   ┆ Europe/London    │
    │ US      ┆ New York ┆ America/New_York │
    └─────────┴──────────┴──────────────────┘
    """

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def resolve(self, *, default_country: str | None = "US") -> pl.Expr:
        """A struct of the phone-derived geo columns (no customer-attribute overrides)."""
        # Here, not at the top: registering the namespace must not load the resolver.
        from geoflex.resolve._api import PHONE_STRUCT, phone_struct
        from geoflex.resolve._parse import default_region

        country = default_region(default_country)
        return self._expr.map_batches(
            lambda s: phone_struct(s, country), return_dtype=PHONE_STRUCT, is_elementwise=True
        )

    def e164(self, *, default_country: str | None = "US") -> pl.Expr:
        """The number in E.164 form (null when it cannot be parsed)."""
        return self.resolve(default_country=default_country).struct.field("phone_e164")
