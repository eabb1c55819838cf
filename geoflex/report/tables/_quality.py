"""Data-quality tables in plain words: the resolver's statuses and precision levels, the
attributes whose values were cut, the geolocation accuracy check.

The frames carry the contract's vocabularies (``not_a_phone``, ``area_code``) and ingest's
column names (``conversations_conversation_attribute_5``); a page shows what they mean
("Not a phone number", "Conversation attribute 5" with the Flex attribute it came from).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from geoflex.report._blocks import Table
from geoflex.resolve._schema import LEVEL_MEANINGS, STATUS_MEANINGS, GeoLevel, GeoStatus

__all__ = [
    "LEVEL_LABELS",
    "PROBLEM_LABELS",
    "STATUS_LABELS",
    "accuracy_table",
    "attribute_label",
    "level_table",
    "problem_table",
    "status_table",
    "truncation_table",
]

#: Each ``geo_status`` as a page names it (its meaning is shown beside it).
STATUS_LABELS: dict[GeoStatus, str] = {
    "ok": "Valid phone number",
    "invalid": "Not a valid number for its country",
    "empty": "No phone number",
    "not_a_phone": "Not a phone number",
    "unknown_calling_code": "Unknown country calling code",
    "too_short": "Too few digits",
    "too_long": "Too many digits",
    "unparseable": "Unreadable number",
}
#: Each ``geo_level`` as a page names it, least precise first.
LEVEL_LABELS: dict[GeoLevel, str] = {
    "country": "Country only",
    "state": "State or province",
    "area_code": "Area code",
    "exchange": "Exchange (area code and prefix)",
    "city": "City",
    "zip": "ZIP code",
    "coordinates": "Coordinates",
}
#: Each input problem ``kind`` (`geoflex.ingest.PROBLEM_KINDS`) as a page names it.
PROBLEM_LABELS: dict[str, str] = {
    "not_json": "Not JSON",
    "too_long": "Line too long",
    "too_deep": "Nested too deep",
    "too_large": "Too large to read",
    "damaged_file": "Damaged file",
    "bad_csv": "Bad CSV record",
    "not_an_event": "Not a TaskRouter event",
    "bad_timestamp": "Bad time",
    "no_sid": "No task or worker sid",
    "bad_attributes": "Unreadable attributes",
    "bad_measure": "Unusable measure",
}
_NOT_LOCATED = "Not located"
_NOT_LOCATED_MEANING = "no place is known (the status table says why)"


def _plain(meaning: str) -> str:
    """A contract meaning as page text: code quotes dropped, first letter capitalised."""
    text = meaning.replace("`", "")
    return text[:1].upper() + text[1:]


def _strings(vocabulary: Mapping[GeoStatus, str] | Mapping[GeoLevel, str]) -> dict[str, str]:
    return {str(key): value for key, value in vocabulary.items()}


def _share(frame: pl.DataFrame) -> pl.Expr:
    total = frame["conversations"].sum()
    return pl.col("conversations") / total if total else pl.lit(None, pl.Float64)


def _labelled(
    frame: pl.DataFrame,
    column: str,
    labels: dict[str, str],
    meanings: dict[str, str],
    *,
    null: tuple[str, str] | None = None,
) -> pl.DataFrame:
    """``column`` replaced by its label and meaning; unknown values are shown as given."""
    values = frame[column].cast(pl.String)
    shown = [labels.get(v, v) if v is not None else (null or ("", ""))[0] for v in values]
    meant = [
        _plain(meanings[v]) if v in meanings else (null or ("", ""))[1] if v is None else ""
        for v in values
    ]
    return frame.select(
        pl.Series("label", shown, pl.String),
        pl.Series("meaning", meant, pl.String),
        "conversations",
        _share(frame).alias("share"),
    )


def status_table(geo_status: pl.DataFrame) -> Table:
    """Conversations per resolver status (``geo_status``, ``conversations``), in words.

        Examples
        --------
        >>> from collections.abc import Mapping

    import polars as pl
        >>> table = status_table(pl.DataFrame({"geo_status": ["ok", "not_a_phone"],
        ...                                    "conversations": [3, 1]}))
        >>> table.frame["label"].to_list()
        ['Valid phone number', 'Not a phone number']
    """
    frame = _labelled(geo_status, "geo_status", _strings(STATUS_LABELS), _strings(STATUS_MEANINGS))
    return Table(
        frame,
        caption="Geolocation status of conversations",
        formats={"share": "percent"},
        labels={"label": "Phone number", "meaning": "What it means", "share": "Share (%)"},
        note="Share: of all conversations. Each conversation is located from its customer's "
        "phone number (and customer attributes where given).",
    )


def level_table(geo_level: pl.DataFrame) -> Table:
    """Conversations per precision of the location (``geo_level``), least precise first.

        Examples
        --------
        >>> from collections.abc import Mapping

    import polars as pl
        >>> table = level_table(pl.DataFrame({"geo_level": ["zip", None, "area_code"],
        ...                                   "conversations": [5, 2, 3]}))
        >>> table.frame["label"].to_list()
        ['Area code', 'ZIP code', 'Not located']
    """
    order = {level: i for i, level in enumerate(LEVEL_LABELS)}
    ranked = geo_level.with_columns(
        pl.col("geo_level")
        .cast(pl.String)
        .replace_strict(order, default=len(order), return_dtype=pl.Int64)
        .alias("_order")
    ).sort("_order", nulls_last=True)
    frame = _labelled(
        ranked,
        "geo_level",
        _strings(LEVEL_LABELS),
        _strings(LEVEL_MEANINGS),
        null=(_NOT_LOCATED, _NOT_LOCATED_MEANING),
    )
    return Table(
        frame,
        caption="Precision of the location",
        formats={"share": "percent"},
        labels={"label": "Located to", "meaning": "What it means", "share": "Share (%)"},
        note="Share: of all conversations.",
    )


def problem_table(problems: pl.DataFrame, *, show_phone_numbers: bool = False) -> Table:
    """Input lines or values not used (``FlexData.problems``), each kind named in words.

    Examples
    --------
    >>> import polars as pl
    >>> table = problem_table(pl.DataFrame({"file": ["a.ndjson"], "line": [3],
    ...     "kind": ["not_json"], "reason": ["not a usable JSON object"], "count": [1]}))
    >>> table.frame["kind"].to_list()
    ['Not JSON']
    """
    frame = problems
    if "kind" in frame.columns:
        kinds = frame["kind"].cast(pl.String).to_list()
        frame = frame.with_columns(
            pl.Series("kind", [PROBLEM_LABELS.get(k, k) if k else k for k in kinds], pl.String)
        )
    return Table(
        frame,
        caption="Input problems (lines or values not used)",
        labels={"kind": "Problem", "reason": "Details", "count": "Problems"},
        note="One row per problem; past the cap on listed problems a row stands for the "
        "number of problems of its kind in its file (Problems column).",
        show_phone_numbers=show_phone_numbers,
    )


def attribute_label(column: str) -> tuple[str, str]:
    """An ingested attribute column as (plain name, where it comes from in Flex).

    Examples
    --------
    >>> attribute_label("conversations_conversation_attribute_5")
    ('Conversation attribute 5', 'task attribute conversations.conversation_attribute_5')
    >>> attribute_label("customers_name")
    ('Customer name', 'task attribute customers.name')
    >>> attribute_label("agents_full_name")
    ('Agent full name', 'worker attribute full_name')
    >>> attribute_label("attr_from")
    ('From', 'task attribute from')
    """
    for prefix, who, where in (
        ("conversations_", "Conversation", "task attribute conversations."),
        ("customers_", "Customer", "task attribute customers."),
        ("agents_", "Agent", "worker attribute "),
        ("attr_", "", "task attribute "),
    ):
        if column.startswith(prefix):
            name = column.removeprefix(prefix)
            words = name.replace("_", " ")
            if who == "Conversation" and words.startswith("conversation "):
                words = words.removeprefix("conversation ")
            label = f"{who} {words}" if who else words
            return label[:1].upper() + label[1:], where + name
    return column.replace("_", " ").capitalize(), "attribute " + column


def truncation_table(truncations: pl.DataFrame) -> Table:
    """Attribute values cut to 255 characters (``attribute``, ``values_cut``), in words."""
    names = [attribute_label(a) for a in truncations["attribute"].to_list()]
    frame = pl.DataFrame(
        {
            "attribute": [label for label, _ in names],
            "source": [where for _, where in names],
            "values_cut": truncations["values_cut"],
        },
        schema={"attribute": pl.String, "source": pl.String, "values_cut": pl.Int64},
    )
    return Table(
        frame,
        caption="Attribute values cut to 255 characters",
        labels={"source": "From Flex", "values_cut": "Values cut"},
        note="Flex Insights keeps 255 characters of an attribute: longer values were cut the "
        "same way.",
    )


_ACCURACY_LABELS = {
    "with_phone_and_zip": "Customers with phone and ZIP",
    "compared": "Compared",
    "state_matches": "Same state",
    "state_match_share": "Same state (%)",
    "distance_km_median": "Distance, median (km)",
    "distance_km_p90": "Distance, 90th percentile (km)",
    "distance_km_mean": "Distance, mean (km)",
}


def accuracy_table(accuracy: pl.DataFrame) -> Table:
    """The phone-vs-ZIP check (`geoflex.geolocation_accuracy`'s summary) with plain headers."""
    return Table(
        accuracy,
        caption="Geolocation accuracy (phone vs. customer ZIP)",
        formats={
            "state_match_share": "percent",
            **dict.fromkeys(("distance_km_median", "distance_km_p90", "distance_km_mean"), "int"),
        },
        labels=_ACCURACY_LABELS,
        note="Compared: customers with a phone and a ZIP that both give a state; same state "
        "and distances are out of those compared.",
    )
