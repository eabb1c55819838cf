"""How well phone numbers place customers: the check Flex Insights recommends, built in.

Where customers carry both a phone and a ZIP code, the phone-derived state is compared with
the ZIP's state, and the distance between the two points is measured. ``geoflex.resolve``
runs twice on the same rows: once from the phone alone, once with the ZIP as an override.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from geoflex._sums import ordered_mean
from geoflex.aggregate._frames import check_columns

__all__ = [
    "DISTANCE_BINS_KM",
    "GeoAccuracy",
    "accuracy_rows",
    "accuracy_summary",
    "geolocation_accuracy",
    "haversine_km",
    "haversine_km_array",
]

#: Upper edges (km) of the distance classes reported; the last class is open.
DISTANCE_BINS_KM: tuple[float, ...] = (10.0, 50.0, 100.0, 250.0, 500.0, 1000.0)
_EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in km between two points given in degrees.

    Examples
    --------
    >>> import polars as pl
    >>> # Seattle -> Portland, about 234 km
    >>> pl.select(haversine_km(pl.lit(47.6062), pl.lit(-122.3321),
    ...                        pl.lit(45.5152), pl.lit(-122.6784)).round(0)).item()
    234.0
    """
    p1, p2 = lat1.radians(), lat2.radians()
    dphi = p2 - p1
    dlmb = (lon2 - lon1).radians()
    a = (dphi / 2).sin().pow(2) + p1.cos() * p2.cos() * (dlmb / 2).sin().pow(2)
    return 2 * _EARTH_RADIUS_KM * a.sqrt().arcsin()


def haversine_km_array(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """:func:`haversine_km` for numpy arrays or plain numbers (degrees in, km out).

    Arrays broadcast, so one call gives a whole distance matrix.

    Examples
    --------
    >>> round(float(haversine_km_array(47.6062, -122.3321, 45.5152, -122.6784)))
    234
    """
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class GeoAccuracy:
    """Result of :func:`geolocation_accuracy`.

    Attributes
    ----------
    rows
        One row per input row that has both a phone and a ZIP: ``phone``, ``zip``,
        ``phone_state_code``, ``zip_state_code``, ``state_match`` (null when either side
        has no state), ``distance_km``, ``phone_geo_level``.
    summary
        One row: ``rows`` (input rows), ``with_phone_and_zip``, ``compared`` (both states
        known), ``state_matches``, ``state_match_share``, ``distance_km_median``,
        ``distance_km_p90``, ``distance_km_mean``.
    distances
        Distance classes (``up_to_km``, null = beyond the last edge), ``rows`` and ``share``.
    """

    rows: pl.DataFrame
    summary: pl.DataFrame
    distances: pl.DataFrame


def geolocation_accuracy(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    phone: str = "phone",
    zip: str = "customers_zip",
    default_country: str = "US",
) -> GeoAccuracy:
    """Compare phone-derived geography with customers' ZIP codes.

    Parameters
    ----------
    frame
        Rows with a phone column and a ZIP column, e.g. ``FlexData.customers``.
    phone
        The phone column.
    zip
        The ZIP column (``customers.zip`` in Flex task attributes).
    default_country
        Country for numbers written without a calling code.

    Returns
    -------
    GeoAccuracy

    Examples
    --------
    >>> import polars as pl
    >>> customers = pl.DataFrame({
    ...     "phone": ["+12065550123", "+12065550199", "+13125550100", "+12125550100"],
    ...     "customers_zip": ["98101", "97201", "60601", None],
    ... })
    >>> acc = geolocation_accuracy(customers)
    >>> acc.summary.select("with_phone_and_zip", "compared", "state_matches").row(0)
    (3, 3, 2)
    >>> acc.rows["state_match"].to_list()
    [True, False, True]
    """
    check_columns(frame, [phone, zip], "geolocation_accuracy")
    data = frame.lazy()
    total = data.select(pl.len()).collect().item()
    rows = accuracy_rows(data, phone=phone, zip=zip, default_country=default_country)
    summary = accuracy_summary(rows, total)
    edges = list(DISTANCE_BINS_KM)
    measured = rows.filter(pl.col("distance_km").is_not_null())
    labels = [*edges, None]
    counts = []
    lower = 0.0
    for upper in labels:
        in_bin = pl.col("distance_km") >= lower
        if upper is not None:
            in_bin = in_bin & (pl.col("distance_km") < upper)
        counts.append(int(measured.select(in_bin.sum()).item()))
        lower = upper if upper is not None else lower
    n = max(measured.height, 1)
    distances = pl.DataFrame(
        {
            "up_to_km": labels,
            "rows": counts,
            "share": [c / n for c in counts],
        },
        schema={"up_to_km": pl.Float64, "rows": pl.Int64, "share": pl.Float64},
    )
    return GeoAccuracy(rows=rows, summary=summary, distances=distances)


def accuracy_rows(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    phone: str = "phone",
    zip: str = "customers_zip",
    default_country: str = "US",
) -> pl.DataFrame:
    """The ``rows`` of :func:`geolocation_accuracy`: each row with a phone and a ZIP, its
    state by each, and how far apart they place it (each row on its own)."""
    from geoflex.resolve import resolve

    check_columns(frame, [phone, zip], "geolocation_accuracy")
    both = (
        frame.lazy()
        .select(
            pl.col(phone).cast(pl.String).alias("phone"), pl.col(zip).cast(pl.String).alias("zip")
        )
        .filter(
            pl.col("phone").str.strip_chars().str.len_chars().fill_null(0) > 0,
            pl.col("zip").str.strip_chars().str.len_chars().fill_null(0) > 0,
        )
        .collect()
    )
    by_phone = resolve(both.select("phone"), "phone", default_country=default_country)
    by_zip = resolve(
        both.rename({"zip": "__zip"}),
        "phone",
        default_country=default_country,
        overrides={"zip": "__zip"},
    )
    # Only rows whose ZIP the shipped table knows: elsewhere the override is not a ZIP place.
    zip_known = by_zip["geo_level"] == "zip"
    nothing = pl.Series(dtype=pl.Float64).extend_constant(None, both.height)
    rows = pl.DataFrame(
        {
            "phone": both["phone"],
            "zip": both["zip"],
            "phone_state_code": by_phone["state_code"],
            "zip_state_code": by_zip["state_code"].zip_with(zip_known, nothing.cast(pl.String)),
            "phone_geo_level": by_phone["geo_level"],
            "__plat": by_phone["latitude"],
            "__plon": by_phone["longitude"],
            "__zlat": by_zip["latitude"].zip_with(zip_known, nothing),
            "__zlon": by_zip["longitude"].zip_with(zip_known, nothing),
        }
    )
    return rows.with_columns(
        state_match=pl.when(
            pl.col("phone_state_code").is_not_null() & pl.col("zip_state_code").is_not_null()
        ).then(pl.col("phone_state_code") == pl.col("zip_state_code")),
        distance_km=haversine_km(
            pl.col("__plat"), pl.col("__plon"), pl.col("__zlat"), pl.col("__zlon")
        ),
    ).select(
        "phone", "zip", "phone_state_code", "zip_state_code", "state_match", "distance_km",
        "phone_geo_level",
    )  # fmt: skip


def accuracy_summary(rows: pl.DataFrame, total: int) -> pl.DataFrame:
    """The ``summary`` of :func:`geolocation_accuracy` over its ``rows`` (of ``total``
    input rows)."""
    return rows.select(
        pl.lit(total, dtype=pl.Int64).alias("rows"),
        pl.len().cast(pl.Int64).alias("with_phone_and_zip"),
        pl.col("state_match").is_not_null().sum().cast(pl.Int64).alias("compared"),
        pl.col("state_match").sum().cast(pl.Int64).alias("state_matches"),
        pl.col("state_match").mean().alias("state_match_share"),
        pl.col("distance_km").median().alias("distance_km_median"),
        pl.col("distance_km").quantile(0.9).alias("distance_km_p90"),
        ordered_mean("distance_km").alias("distance_km_mean"),
    )
