"""Expand libphonenumber's digit regexes into sorted integer intervals.

libphonenumber's national-number patterns use a small regex subset: digit literals, classes,
``\\d``, groups, alternation and bounded repeats. Each pattern therefore describes a finite set
of digit strings per length, which we write as runs of "masks" (a 10-bit set of allowed digits
per position) and then as intervals over the key space the resolver searches:

    key(e) = len(e) * 10**17 + int(e[:17].ljust(17, "0"))

where ``e`` is the E.164 digit string (calling code + national significant number). Numbers of
one length share a contiguous block of keys, and a run of masks whose tail is "any digit"
becomes one interval, so a pattern like ``[2-9]\\d{9}`` costs a single interval.
"""

from __future__ import annotations

import itertools
import re._constants as C  # noqa: N812  (the stdlib's own regex parser, read-only use)
import re._parser as P  # noqa: N812
from collections.abc import Iterable, Sequence
from functools import lru_cache

WIDTH = 17
BLOCK = 10**WIDTH
FULL = 0x3FF  # all ten digits
MAX_LEN = 20

Masks = tuple[int, ...]
Interval = tuple[int, int]


def _mask_of_class(items: Sequence[tuple[object, object]]) -> int:
    mask = 0
    negate = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            ch = chr(av)  # type: ignore[arg-type]
            if ch.isdigit():
                mask |= 1 << int(ch)
        elif op is C.RANGE:
            lo, hi = av  # type: ignore[misc]
            for code in range(lo, hi + 1):
                ch = chr(code)
                if "0" <= ch <= "9":
                    mask |= 1 << int(ch)
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            mask |= FULL
        else:
            raise ValueError(f"unsupported class item {op} {av}")
    return FULL & ~mask if negate else mask


def _concat(a: dict[int, set[Masks]], b: dict[int, set[Masks]]) -> dict[int, set[Masks]]:
    """Every run of ``a`` followed by every run of ``b`` (by total length, capped)."""
    out: dict[int, set[Masks]] = {}
    for la, seqs_a in a.items():
        for lb, seqs_b in b.items():
            if la + lb > MAX_LEN:
                continue
            bucket = out.setdefault(la + lb, set())
            for x in seqs_a:
                for y in seqs_b:
                    bucket.add(x + y)
    return out


def _lang(node_list: P.SubPattern | list[tuple[object, object]]) -> dict[int, set[Masks]]:
    """All mask runs a sequence of regex nodes can match, by length."""
    result: dict[int, set[Masks]] = {0: {()}}
    for op, av in node_list:
        result = _concat(result, _lang_item(op, av))
    return result


def _lang_item(op: object, av: object) -> dict[int, set[Masks]]:
    if op is C.LITERAL:
        ch = chr(av)  # type: ignore[arg-type]
        if not ch.isdigit():
            raise ValueError(f"non-digit literal {ch!r}")
        return {1: {(1 << int(ch),)}}
    if op is C.IN:
        return {1: {(_mask_of_class(av),)}}  # type: ignore[arg-type]
    if op is C.ANY:
        return {1: {(FULL,)}}
    if op is C.SUBPATTERN:
        return _lang(av[-1])  # type: ignore[index]
    if op is C.BRANCH:
        out: dict[int, set[Masks]] = {}
        for alt in av[1]:  # type: ignore[index]
            for n, seqs in _lang(alt).items():
                out.setdefault(n, set()).update(seqs)
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        lo, hi, sub = av  # type: ignore[misc]
        hi = min(hi, MAX_LEN)
        inner = _lang(sub)
        acc: dict[int, set[Masks]] = {0: {()}}
        out = {0: {()}} if lo == 0 else {}
        for count in range(1, hi + 1):
            acc = _concat(acc, inner)
            if count >= lo:
                for n, seqs in acc.items():
                    out.setdefault(n, set()).update(seqs)
            if not acc:
                break
        return out
    if op is C.AT:
        return {0: {()}}  # anchors: patterns are matched whole or as prefixes by the caller
    raise ValueError(f"unsupported regex node {op}")


@lru_cache(maxsize=4096)
def pattern_language(pattern: str) -> dict[int, frozenset[Masks]]:
    """Mask runs of every length the pattern matches in full."""
    return {n: frozenset(s) for n, s in _lang(P.parse(pattern)).items()}


def _ranges(mask: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    d = 0
    while d < 10:
        if mask >> d & 1:
            start = d
            while d < 10 and mask >> d & 1:
                d += 1
            out.append((start, d - 1))
        else:
            d += 1
    return out


def _digits(mask: int) -> list[str]:
    return [str(d) for d in range(10) if mask >> d & 1]


def key_of(e: str) -> int:
    """The search key of an E.164 digit string (see module docstring)."""
    return len(e) * BLOCK + int(e[:WIDTH].ljust(WIDTH, "0"))


def run_intervals(cc: str, masks: Masks, total_len: int) -> list[Interval]:
    """Intervals of keys for numbers ``cc + digits`` (``total_len`` digits) matching ``masks``.

    ``masks`` may be shorter than the national part: missing positions are "any digit".
    """
    full = [1 << int(c) for c in cc] + list(masks)
    full = full[:WIDTH]
    last = max((i for i, m in enumerate(full) if m != FULL), default=-1)
    base = total_len * BLOCK
    if last < 0:
        return [(base, base + BLOCK - 1)]
    head = [_digits(m) for m in full[:last]]
    span = 10 ** (WIDTH - last - 1)
    out: list[Interval] = []
    for combo in itertools.product(*head):
        stem = int("".join(combo)) * 10 if combo else 0
        for a, b in _ranges(full[last]):
            lo = (stem + a) * span
            hi = (stem + b) * span + span - 1
            out.append((base + lo, base + hi))
    return out


def normalize(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals."""
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    j = 0
    for lo, hi in a:
        cur = lo
        while j < len(b) and b[j][1] < cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] <= hi:
            if b[k][0] > cur:
                out.append((cur, b[k][0] - 1))
            cur = max(cur, b[k][1] + 1)
            if cur > hi:
                break
            k += 1
        if cur <= hi:
            out.append((cur, hi))
    return out


def full_match_intervals(
    cc: str, pattern: str, lengths: Iterable[int] | None = None
) -> list[Interval]:
    """Keys of ``cc + nsn`` where ``nsn`` fully matches ``pattern`` (optionally some lengths)."""
    lang = pattern_language(pattern)
    allowed = set(lengths) if lengths is not None else None
    out: list[Interval] = []
    for n, runs in lang.items():
        if n == 0 or (allowed is not None and n not in allowed):
            continue
        for run in runs:
            out.extend(run_intervals(cc, run, len(cc) + n))
    return normalize(out)


def prefix_match_intervals(cc: str, pattern: str, nsn_lengths: Iterable[int]) -> list[Interval]:
    """Keys of ``cc + nsn`` where some prefix of ``nsn`` matches ``pattern`` (``re.match``)."""
    lang = pattern_language(pattern)
    out: list[Interval] = []
    for n_total in nsn_lengths:
        for n, runs in lang.items():
            if n > n_total:
                continue
            if n == 0:
                out.append((key_of(cc + "0" * n_total), key_of(cc + "9" * n_total)))
                continue
            for run in runs:
                out.extend(run_intervals(cc, run, len(cc) + n_total))
    return normalize(out)
