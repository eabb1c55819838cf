"""CSV of Event Callback posts: polars' reader gives the csv module's rows, or is not used."""

from __future__ import annotations

import random

import polars as pl
import pytest

from geoflex.ingest import _csv
from geoflex.ingest._csv import read_csv_rows

HEADER = "EventType,Sid,Timestamp,TaskSid,TaskAttributes,Other,EventType"
CELLS = [
    "task.created", "WT1", "1767625200", "", " ", "\t", "\x1c", '""', '" "', '"a,b"',
    '"say ""hi"""', '"{""from"": ""+1206""}"', "é", "\u00a0", "x\ty", '{"x": 1}', '"a\r\nb"',
    '"multi\nline"', 'bad"quote', '"open', "a\rb", "\ufeff",
]  # fmt: skip
ENDINGS = ["\n", "\r\n", "\r", ""]


def _mix(rng: random.Random) -> bytes:
    """A CSV of random rows: in half of them only what RFC 4180 writes on one line (the fast
    reader's case), in the others anything (cells across lines, stray quotes, lone CRs...)."""
    hostile = rng.random() < 0.5
    width = len(HEADER.split(","))
    blanks = ["", "   ", ",,,,,,", '"",""', '"\t",', "\r"] if hostile else ["", "  ", ",,", '""']
    lines = [HEADER]
    for _ in range(rng.randint(0, 12)):
        kind = rng.random()
        if kind < 0.1:
            lines.append(rng.choice(blanks))
            continue
        n = width if kind < 0.75 else rng.randint(1, width + 2)
        pool = CELLS if hostile and rng.random() < 0.3 else CELLS[:15]
        lines.append(",".join(rng.choice(pool) for _ in range(n)))
    ending = rng.choice(ENDINGS if hostile else ENDINGS[:2])
    text = ending.join(lines) + (ending if rng.random() < 0.8 else "")
    data = text.encode()
    return data + b"\xff\n" if hostile and rng.random() < 0.1 else data


def _same(fast: _csv.CsvRows, exact: _csv.CsvRows) -> None:
    assert fast.frame.equals(exact.frame)
    assert fast.problems == exact.problems
    assert (fast.blank_lines, fast.lines) == (exact.blank_lines, exact.lines)


@pytest.mark.parametrize("seed", range(400))
def test_fast_rows_are_the_csv_modules_rows(seed: int) -> None:
    data = _mix(random.Random(seed))
    exact = _csv._exact(data)
    fast = _csv._fast(data)
    if fast is not None:
        _same(fast, exact)
    assert read_csv_rows(data).frame.equals(exact.frame)


def test_the_random_mixes_exercise_both_readers() -> None:
    taken = sum(_csv._fast(_mix(random.Random(seed))) is not None for seed in range(400))
    assert 150 < taken < 300


def test_the_fast_reader_takes_the_usual_logs() -> None:
    rows = [
        'task.created,EV1,1767625200,WT1,"{""from"": ""+12065550123""}",x,task.created',
        "",
        "reservation.accepted,EV2,1767625230,WT1,,y,reservation.accepted",
        "task.completed,EV3",
        "task.completed,EV4,1767625300,WT1,,z,task.completed,extra",
    ]
    for ending in ("\n", "\r\n"):
        data = (ending.join([HEADER, *rows]) + ending).encode()
        fast = _csv._fast(data)
        assert fast is not None
        _same(fast, _csv._exact(data))
        assert fast.frame["_line"].to_list() == [2, 4]
        assert fast.problems.rows == [
            (None, 5, "bad_csv", "2 fields, the header has 7"),
            (None, 6, "bad_csv", "8 fields, the header has 7"),
        ]
        assert fast.blank_lines == 1
        # A repeated header name takes its last column, like a dict of the csv module's.
        assert fast.frame.columns == ["EventType", "Sid", "Timestamp", "TaskSid",
                                      "TaskAttributes", "_line"]  # fmt: skip
        assert fast.frame["TaskAttributes"][0] == '{"from": "+12065550123"}'


def test_cells_across_lines_go_to_the_csv_module() -> None:
    data = f'{HEADER}\ntask.created,EV1,1,WT1,"a\nb",x,task.created\n'.encode()
    assert _csv._fast(data) is None
    rows = read_csv_rows(data)
    assert rows.frame["TaskAttributes"].to_list() == ["a\nb"]
    assert rows.frame["_line"].to_list() == [2]


def test_empty_and_header_only() -> None:
    for data in (b"", HEADER.encode(), HEADER.encode() + b"\n"):
        rows = read_csv_rows(data)
        assert rows.frame.height == 0
        assert rows.lines == 0
    assert pl.Series(read_csv_rows(b"").frame.columns).to_list() == ["_line"]
