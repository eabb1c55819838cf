"""Data-quality tables speak plain words: no status codes, no ingest column names."""

from __future__ import annotations

import re
import typing

import polars as pl

from geoflex.report.tables import accuracy_table, level_table, status_table, truncation_table
from geoflex.report.tables._quality import LEVEL_LABELS, STATUS_LABELS
from geoflex.resolve._schema import GeoLevel, GeoStatus

SNAKE = re.compile(r"(?<![./\w])[a-z][a-z0-9]*_[a-z0-9_]+\b")


def _visible(html: str) -> str:
    html = re.sub(r'href="[^"]*"', "", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_status_and_level_has_a_label() -> None:
    assert set(STATUS_LABELS) == set(typing.get_args(GeoStatus))
    assert set(LEVEL_LABELS) == set(typing.get_args(GeoLevel))
    assert not [v for v in [*STATUS_LABELS.values(), *LEVEL_LABELS.values()] if "_" in v]


def test_status_table_in_words_with_meaning_and_share() -> None:
    frame = pl.DataFrame(
        {"geo_status": list(STATUS_LABELS), "conversations": list(range(1, 9))},
        schema={"geo_status": pl.String, "conversations": pl.Int64},
    )
    html = status_table(frame).render(block_id="t")
    text = _visible(html)
    assert SNAKE.findall(text) == []
    assert "Not a phone number" in text
    assert "A Flex client: identity, a sip: URI" in text  # the contract's meaning
    assert "Share (%)" in text
    assert "2.8%" in text  # 1 of 36


def test_level_table_orders_by_precision_and_names_the_unlocated() -> None:
    frame = pl.DataFrame(
        {"geo_level": ["zip", None, "area_code", "country"], "conversations": [5, 2, 3, 10]}
    )
    table = level_table(frame)
    labels = table.frame["label"].to_list()
    assert labels == ["Country only", "Area code", "ZIP code", "Not located"]
    text = _visible(table.render(block_id="t"))
    assert SNAKE.findall(text) == []
    assert "Located to" in text


def test_unknown_values_are_shown_as_given_and_escaped() -> None:
    frame = pl.DataFrame({"geo_status": ["<b>odd</b>"], "conversations": [1]})
    html = status_table(frame).render(block_id="t")
    assert "&lt;b&gt;odd&lt;/b&gt;" in html
    assert "<b>odd" not in html


def test_truncated_attributes_named_as_in_flex() -> None:
    frame = pl.DataFrame(
        {
            "attribute": ["conversations_conversation_attribute_5", "customers_name", "attr_from"],
            "values_cut": [4, 1, 2],
        }
    )
    text = _visible(truncation_table(frame).render(block_id="t"))
    assert SNAKE.findall(text) == []
    assert "Conversation attribute 5" in text
    assert "task attribute conversations.conversation_attribute_5" in text
    assert "Customer name" in text
    assert "conversations_" not in text


def test_accuracy_headers_in_words() -> None:
    frame = pl.DataFrame(
        {
            "with_phone_and_zip": [10],
            "compared": [8],
            "state_matches": [6],
            "state_match_share": [0.75],
            "distance_km_median": [12.4],
            "distance_km_p90": [80.2],
            "distance_km_mean": [30.0],
        }
    )
    text = _visible(accuracy_table(frame).render(block_id="t"))
    assert SNAKE.findall(text) == []
    assert "Distance, 90th percentile (km)" in text
    assert "75.0%" in text


def test_every_problem_kind_is_named_in_words() -> None:
    from geoflex.ingest import PROBLEM_KINDS
    from geoflex.report.tables import problem_table
    from geoflex.report.tables._quality import PROBLEM_LABELS

    assert set(PROBLEM_LABELS) == set(PROBLEM_KINDS)
    frame = pl.DataFrame(
        {
            "file": ["events.ndjson"] * len(PROBLEM_KINDS),
            "line": list(range(1, len(PROBLEM_KINDS) + 1)),
            "kind": list(PROBLEM_KINDS),
            "reason": ["why"] * len(PROBLEM_KINDS),
            "count": [1] * len(PROBLEM_KINDS),
        }
    )
    text = _visible(problem_table(frame).render(block_id="t"))
    assert SNAKE.findall(text) == []
    assert "Not JSON" in text
    assert "Problems" in text
