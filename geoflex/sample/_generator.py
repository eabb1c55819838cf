"""Deterministic generator of realistic Flex / TaskRouter Event Streams data.

Everything is drawn as whole numpy arrays and encoded to JSON by polars, so a million
conversations take seconds, not a Python loop per event. The pipeline:

customers (country, phone from a template, timezone, ZIP...) -> conversations (channel, a
start time in the customer's local day) -> segments (tasks: transfers, waits, talk, wrap-up,
abandons, workers) -> events (created, reservation.accepted, wrapup, completed/canceled,
updates in and after the 5-minute window) -> CloudEvents JSON lines, with optional dirt.
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.resources
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from geoflex.sample import _catalog as cat
from geoflex.sample._ids import digit_strings, sids

__all__ = ["generate", "write"]

_MS = 1000
_DAY_MS = 86_400_000
_DEFAULT_START = dt.datetime(2026, 1, 5)  # a Monday


@cache
def phone_templates() -> pl.DataFrame:
    """The committed number templates (see ``data/build_phone_templates.py``)."""
    ref = importlib.resources.files("geoflex._data").joinpath("sample", "phone_templates.csv")
    return pl.read_csv(
        ref.read_bytes(),
        schema_overrides={"prefix": pl.String, "zips": pl.String, "state": pl.String},
    )


def _choice(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _pick(values: Sequence[str], index: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(values, dtype=object)[index], dtype=pl.String)


def _local_to_utc_ms(local_ms: np.ndarray, zone_index: np.ndarray, zones: list[str]) -> np.ndarray:
    """Wall-clock times (ms, naive) in each row's zone -> UTC epoch ms.

    Times that do not exist (spring-forward gap) move one hour later; ambiguous ones take the
    earlier instant.
    """
    out = np.empty_like(local_ms)
    for k, zone in enumerate(zones):
        mask = zone_index == k
        if not mask.any():
            continue
        naive = pl.Series(local_ms[mask]).cast(pl.Datetime("ms"))
        shifted = naive.dt.offset_by("1h")
        frame = pl.DataFrame({"a": naive, "b": shifted}).select(
            pl.coalesce(
                pl.col("a").dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null"),
                pl.col("b").dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null"),
            )
            .dt.convert_time_zone("UTC")
            .dt.epoch("ms")
        )
        out[mask] = frame.to_series().to_numpy()
    return out


@dataclass(frozen=True)
class _Customers:
    frame: pl.DataFrame  # phone, country, state, timezone, zip, name, category...
    zone_index: np.ndarray
    zones: list[str]


def _customers(rng: np.random.Generator, n: int) -> _Customers:
    templates = phone_templates()
    countries = list(cat.COUNTRY_WEIGHTS)
    t_country = templates["country"].to_list()
    t_weight = templates["weight"].to_numpy().astype(np.float64)
    country_total = {
        c: t_weight[[i for i, x in enumerate(t_country) if x == c]].sum() for c in countries
    }
    p = np.array(
        [
            cat.COUNTRY_WEIGHTS.get(c, 0.0) * w / country_total[c]
            for c, w in zip(t_country, t_weight, strict=True)
        ]
    )
    tpl = rng.choice(len(templates), size=n, p=p / p.sum())
    t = templates[tpl]
    digits = digit_strings(rng, t["free_digits"].to_numpy(), t["first_digit_min"].to_numpy())
    phone = pl.select(pl.lit("+") + t["prefix"] + digits).to_series()

    # ZIP codes: about half of US customers give one; a few moved away from their area code.
    zip_lists = t["zips"].fill_null("").str.split(";")
    zip_pick = (rng.random(n) * zip_lists.list.len().to_numpy()).astype(np.int64)
    own_zip = zip_lists.list.get(pl.Series(zip_pick), null_on_oob=True)
    us_zips = templates.filter(pl.col("country") == "US")["zips"].str.split(";").explode()
    moved_zip = us_zips.gather(rng.integers(0, len(us_zips), n))
    has_zip = (t["country"] == "US").to_numpy() & (rng.random(n) < 0.55)
    moved = rng.random(n) < 0.07
    zip_code = pl.select(
        pl.when(pl.Series(has_zip & ~moved))
        .then(own_zip)
        .when(pl.Series(has_zip & moved))
        .then(moved_zip)
        .otherwise(None)
    ).to_series()

    zones = sorted(set(templates["timezone"].to_list()))
    zone_of = {z: i for i, z in enumerate(zones)}
    zone_index = t["timezone"].replace_strict(zone_of, return_dtype=pl.Int64).to_numpy()
    first = _pick(cat.FIRST_NAMES, rng.integers(0, len(cat.FIRST_NAMES), n))
    last = _pick(cat.LAST_NAMES, rng.integers(0, len(cat.LAST_NAMES), n))
    segment = _pick(cat.SEGMENTS, rng.integers(0, len(cat.SEGMENTS), n))
    org = _pick(cat.ORGANIZATIONS, rng.integers(0, len(cat.ORGANIZATIONS), n))
    frame = pl.DataFrame(
        {
            "phone": phone,
            "country": t["country"],
            "state": t["state"],
            "timezone": t["timezone"],
            "zip": zip_code,
            "name": pl.select(first + " " + last).to_series(),
            "category": _pick(cat.CATEGORIES, _choice(rng, n, (0.15, 0.35, 0.5))),
            "market_segment": segment,
            "organization": pl.select(
                pl.when(segment != "Consumer").then(org).otherwise(None)
            ).to_series(),
        }
    )
    return _Customers(frame, zone_index, zones)


def _start_times(
    rng: np.random.Generator, customers: _Customers, who: np.ndarray, start: dt.datetime, weeks: int
) -> np.ndarray:
    """Conversation start (UTC ms): a day by weekday weight, an hour by the local-day profile."""
    n = len(who)
    days = weeks * 7
    start_ms = int(start.replace(tzinfo=dt.timezone.utc).timestamp() * _MS)
    start_weekday = start.weekday()
    day_w = [cat.WEEKDAY_WEIGHTS[(start_weekday + d) % 7] for d in range(days)]
    day = _choice(rng, n, day_w)
    hour = _choice(rng, n, cat.LOCAL_HOUR_WEIGHTS)
    within = rng.integers(0, 3_600_000, n)
    local = start_ms + day * _DAY_MS + hour * 3_600_000 + within
    return _local_to_utc_ms(local, customers.zone_index[who], customers.zones)


def _lognormal(rng: np.random.Generator, medians: np.ndarray, sigma: float) -> np.ndarray:
    return medians * np.exp(rng.normal(0.0, sigma, len(medians)))


def _workers(rng: np.random.Generator, n: int) -> pl.DataFrame:
    # Every location staffed (one worker each first), the rest by the locations' shares.
    loc = _choice(rng, n, [w for *_, w in cat.FLEX_LOCATIONS])
    loc[: min(n, len(cat.FLEX_LOCATIONS))] = np.arange(min(n, len(cat.FLEX_LOCATIONS)))
    names = [x[0] for x in cat.FLEX_LOCATIONS]
    places = [x[2] for x in cat.FLEX_LOCATIONS]
    first = _pick(cat.FIRST_NAMES, rng.integers(0, len(cat.FIRST_NAMES), n))
    last = _pick(cat.LAST_NAMES, rng.integers(0, len(cat.LAST_NAMES), n))
    team = rng.integers(0, len(cat.TEAMS), n)
    dept = rng.integers(0, len(cat.DEPARTMENTS), n)
    role = np.where(rng.random(n) < 0.1, "supervisor", "agent")
    frame = pl.DataFrame(
        {
            "worker_sid": sids(rng, "WK", n),
            "full_name": pl.select(first + " " + last).to_series(),
            "flex_location": _pick(names, loc),
            "location": _pick(places, loc),
            "team_id": pl.Series((loc * 10 + team).astype(np.int64)).cast(pl.String),
            "team_name": pl.select(_pick(names, loc) + " " + _pick(cat.TEAMS, team)).to_series(),
            "department_id": pl.Series(dept.astype(np.int64)).cast(pl.String),
            "department_name": _pick(cat.DEPARTMENTS, dept),
            "manager": _pick(
                [
                    f"{f} {la}"
                    for f, la in zip(cat.FIRST_NAMES[:6], cat.LAST_NAMES[:6], strict=True)
                ],
                loc,
            ),
            "role": pl.Series(role, dtype=pl.String),
        }
    )
    return frame.with_columns(
        worker_name=pl.col("full_name").str.to_lowercase().str.replace_all(r"[^a-z]+", ".")
        + "@example.com",
    ).with_columns(
        worker_attributes=pl.struct(
            "full_name",
            pl.col("worker_name").alias("email"),
            pl.concat_list(pl.col("role")).alias("roles"),
            pl.lit("client:").add(pl.col("worker_name")).alias("contact_uri"),
            "flex_location",
            "location",
            "team_id",
            "team_name",
            "department_id",
            "department_name",
            "manager",
        ).struct.json_encode()
    )


def _strip_nulls(json: pl.Expr) -> pl.Expr:
    """Drop ``"key":null`` members from compact JSON objects (smaller, and how Flex writes)."""
    return (
        json.str.replace_all(r'"[A-Za-z0-9_]+":null,?', "")
        .str.replace_all(r",\}", "}")
        .str.replace_all(r",\]", "]")
    )


def _segments(
    rng: np.random.Generator,
    customers: _Customers,
    n_conv: int,
    *,
    start: dt.datetime,
    weeks: int,
    workers: pl.DataFrame,
) -> pl.DataFrame:
    """One row per task (segment) with its timeline, queue, worker and attribute JSONs."""
    n_cust = len(customers.frame)
    who = rng.integers(0, n_cust, n_conv)
    t0 = _start_times(rng, customers, who, start, weeks)

    # A storm: for six hours one state calls far more than usual, so spike detection has a
    # real event to find (about 1.5% of conversations, from customers of one US state).
    cust_state = customers.frame["state"].fill_null("").to_numpy()
    storm_customers = np.flatnonzero(cust_state == "US-TX")
    if len(storm_customers) and n_conv >= 200:
        storm = np.flatnonzero(rng.random(n_conv) < 0.015)
        who[storm] = storm_customers[rng.integers(0, len(storm_customers), len(storm))]
        storm_start = int(
            (start + dt.timedelta(days=min(9, weeks * 7 - 1), hours=15))
            .replace(tzinfo=dt.timezone.utc)
            .timestamp()
            * _MS
        )
        t0[storm] = storm_start + rng.integers(0, 6 * 3_600_000, len(storm))

    channel = _choice(rng, n_conv, cat.CHANNEL_WEIGHTS)
    channel_name = np.asarray(cat.CHANNELS, dtype=object)[channel]
    abandon_p = np.array([cat.ABANDON_RATE[c] for c in cat.CHANNELS])[channel]
    abandoned = rng.random(n_conv) < abandon_p
    transferred = rng.random(n_conv) < 0.1
    n_seg = np.where(abandoned, 1, 1 + transferred + (transferred & (rng.random(n_conv) < 0.25)))
    conv = np.repeat(np.arange(n_conv), n_seg)
    first = np.concatenate([[0], np.cumsum(n_seg)[:-1]])
    seg_no = np.arange(len(conv)) - np.repeat(first, n_seg)
    n = len(conv)
    ch = channel[conv]

    created = np.zeros(n, dtype=np.int64)
    accepted = np.zeros(n, dtype=np.int64)
    talk_end = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    wait_median = np.array([cat.WAIT_MEDIAN[c] for c in cat.CHANNELS])
    talk_median = np.array([cat.TALK_MEDIAN[c] for c in cat.CHANNELS])
    for k in range(int(seg_no.max()) + 1):
        idx = np.flatnonzero(seg_no == k)
        created[idx] = t0[conv[idx]] if k == 0 else talk_end[idx - 1] + 2_000
        medians = wait_median[ch[idx]] if k == 0 else np.full(len(idx), 20.0)
        wait = _lognormal(rng, medians, 0.8) * _MS
        accepted[idx] = created[idx] + wait.astype(np.int64)
        talk = _lognormal(rng, talk_median[ch[idx]], 0.6) * _MS
        talk_end[idx] = accepted[idx] + talk.astype(np.int64)
    canceled = abandoned[conv]
    wraps = ~canceled & (ch == 0)  # voice calls have a wrap-up phase (an event)
    wrap_ms = np.where(wraps, rng.integers(15_000, 120_000, n), 0)
    end = np.where(canceled, accepted, talk_end + wrap_ms)

    cust = customers.frame[who[conv]]
    country = cust["country"].to_numpy()
    spanish = np.isin(country, cat.SPANISH_SPEAKING) | ((country == "US") & (rng.random(n) < 0.08))
    voice_queue = np.asarray(cat.VOICE_QUEUES, dtype=object)[
        _choice(rng, n, cat.VOICE_QUEUE_WEIGHTS)
    ]
    voice_queue = np.where(spanish, "Spanish Support", voice_queue)
    first_queue = np.select([ch == 0, ch == 1], [voice_queue, "Chat Support"], default="Messaging")
    transfer_queue = np.asarray(cat.TRANSFER_QUEUES, dtype=object)[
        rng.integers(0, len(cat.TRANSFER_QUEUES), n)
    ]
    queue = np.where(seg_no == 0, first_queue, transfer_queue)
    outbound = ((channel == 0) & (rng.random(n_conv) < 0.08) & ~abandoned)[conv]

    task_sid = sids(rng, "WT", n)
    conversation_id = task_sid.gather(first[conv])
    # Single-task conversations often carry no conversation_id: the task is its own.
    keep_id = (n_seg[conv] > 1) | (rng.random(n) < 0.5)

    phone = cust["phone"]
    anonymous = (ch == 0) & ~outbound & (rng.random(n) < 0.015)
    anon_value = np.asarray(["anonymous", "+266696687", "restricted"], dtype=object)[
        rng.integers(0, 3, n)
    ]
    national = pl.Series((np.isin(country, ("US", "CA"))) & (rng.random(n) < 0.1))
    national_format = pl.concat_str(
        pl.lit("("), phone.str.slice(2, 3), pl.lit(") "), phone.str.slice(5, 3), pl.lit("-"),
        phone.str.slice(8, 4),
    )  # fmt: skip
    channel_s = pl.Series(channel_name[conv], dtype=pl.String)
    visitor = pl.Series(np.char.add("client:visitor", who[conv].astype(str)), dtype=pl.String)
    from_ = pl.select(
        pl.when(pl.Series(anonymous))
        .then(pl.Series(anon_value, dtype=pl.String))
        .when(pl.Series(outbound))
        .then(pl.lit(cat.CENTRE_NUMBER))
        .when(channel_s == "chat")
        .then(visitor)
        .when(channel_s == "whatsapp")
        .then(pl.lit("whatsapp:") + phone)
        .when(national)
        .then(national_format)
        .otherwise(phone)
    ).to_series()
    to_ = pl.select(
        pl.when(pl.Series(outbound))
        .then(phone)
        .when(channel_s == "whatsapp")
        .then(pl.lit("whatsapp:" + cat.CENTRE_NUMBER))
        .when(channel_s == "chat")
        .then(pl.lit("web"))
        .otherwise(pl.lit(cat.CENTRE_NUMBER))
    ).to_series()
    gives_phone = ~anonymous & ((ch != 1) | (rng.random(n) < 0.4)) & (rng.random(n) < 0.75)

    long_note = rng.random(n) < 0.0008
    note = (
        "Customer explained at length that the delivery was late, the replacement was the wrong "
        "colour, the support line kept them on hold, and that they expect a refund and a call "
        "back from a supervisor before the end of the week, citing the previous three cases. "
    )
    frame = pl.DataFrame(
        {
            "task_sid": task_sid,
            "conversation_id": pl.select(
                pl.when(pl.Series(keep_id)).then(conversation_id).otherwise(None)
            ).to_series(),
            "created": created,
            "accepted": accepted,
            "talk_end": talk_end,
            "end": end,
            "canceled": canceled,
            "wraps": wraps,
            "channel": channel_s,
            "queue": pl.Series(queue, dtype=pl.String),
            "worker": rng.integers(0, len(workers), n),
            "reservation_sid": sids(rng, "WR", n),
            "direction": pl.Series(np.where(outbound, "outbound", "inbound"), dtype=pl.String),
            "from": from_,
            "to": to_,
            "customers_phone": pl.select(
                pl.when(pl.Series(gives_phone)).then(phone).otherwise(None)
            ).to_series(),
            "customers_name": cust["name"],
            "customers_zip": cust["zip"],
            "customers_category": cust["category"],
            "customers_market_segment": cust["market_segment"],
            "customers_organization": cust["organization"],
            "ivr_time": np.where((ch == 0) & (seg_no == 0), rng.integers(5, 45, n), 0),
            "hold_time": np.where((ch == 0) & (rng.random(n) < 0.3), rng.integers(10, 180, n), 0),
            "reason": _pick(cat.REASONS, rng.integers(0, len(cat.REASONS), n)),
            "product": _pick(cat.PRODUCTS, rng.integers(0, len(cat.PRODUCTS), n)),
            "note": pl.select(
                pl.when(pl.Series(long_note)).then(pl.lit(note * 2)).otherwise(None)
            ).to_series(),
            "outcome": _pick(cat.OUTCOMES, rng.integers(0, len(cat.OUTCOMES), n)),
            "csat": rng.integers(1, 6, n),
            "crm_case_id": pl.select(
                pl.when(pl.Series(rng.random(n) < 0.3))
                .then(pl.lit("CS-") + pl.Series(conv).cast(pl.String))
                .otherwise(None)
            ).to_series(),
            "update": ~canceled & (rng.random(n) < 0.06),
            "late": ~canceled & (rng.random(n) < 0.025),
        }
    )
    return frame.with_columns(_attribute_columns())


def _attribute_columns() -> list[pl.Expr]:
    """Task attribute JSONs at creation, at completion, and for in-window and late updates."""
    channel_type = (
        pl.when(pl.col("channel") == "chat").then(pl.lit("web")).otherwise(pl.col("channel"))
    )

    def attributes(outcome: pl.Expr, csat: pl.Expr, late_note: pl.Expr) -> pl.Expr:
        conversations = pl.struct(
            pl.col("conversation_id"),
            pl.col("channel").alias("communication_channel"),
            pl.col("direction"),
            pl.col("ivr_time"),
            pl.col("hold_time"),
            pl.col("reason").alias("conversation_attribute_1"),
            pl.col("product").alias("conversation_attribute_2"),
            late_note.alias("conversation_attribute_3"),
            pl.col("note").alias("conversation_attribute_5"),
            outcome.alias("outcome"),
            csat.alias("conversation_measure_1"),
        )
        customers = pl.struct(
            pl.col("customers_name").alias("name"),
            pl.col("customers_phone").alias("phone"),
            pl.col("customers_zip").alias("zip"),
            pl.col("customers_category").alias("category"),
            pl.col("customers_market_segment").alias("market_segment"),
            pl.col("customers_organization").alias("organization"),
        )
        return _strip_nulls(
            pl.struct(
                pl.col("from"),
                pl.col("to"),
                pl.col("direction"),
                channel_type.alias("channelType"),
                pl.col("crm_case_id"),
                conversations.alias("conversations"),
                customers.alias("customers"),
            ).struct.json_encode()
        )

    none = pl.lit(None, dtype=pl.String)
    none_i = pl.lit(None, dtype=pl.Int64)
    return [
        attributes(none, none_i, none).alias("attrs_created"),
        pl.when(pl.col("canceled"))
        .then(attributes(pl.lit("Abandoned"), none_i, none))
        .otherwise(attributes(pl.col("outcome"), none_i, none))
        .alias("attrs_final"),
        pl.when(pl.col("update"))
        .then(attributes(pl.col("outcome"), pl.col("csat"), none))
        .alias("attrs_update"),
        pl.when(pl.col("late"))
        .then(attributes(pl.lit("Callback requested"), none_i, pl.lit("late update")))
        .alias("attrs_late"),
    ]


# eventtype, the segment time it happens at, which attributes it carries, assignment status.
_EVENT_KINDS: tuple[tuple[str, str, str | None, str], ...] = (
    ("task.created", "created", "attrs_created", "pending"),
    ("reservation.accepted", "accepted", None, "assigned"),
    ("task.wrapup", "talk_end", None, "wrapping"),
    ("task.completed", "end", "attrs_final", "completed"),
    ("task.canceled", "end", "attrs_final", "canceled"),
    ("task.updated", "update_at", "attrs_update", "completed"),
    ("task.updated", "late_at", "attrs_late", "completed"),
)


def _events(rng: np.random.Generator, segments: pl.DataFrame) -> pl.DataFrame:
    """One row per event: (kind, segment, time, delivery time), in delivery order."""
    n = len(segments)
    update_at = segments["end"].to_numpy() + rng.integers(10_000, 280_000, n)
    late_at = segments["end"].to_numpy() + rng.integers(6 * 60_000, 60 * 60_000, n)
    canceled = segments["canceled"].to_numpy()
    masks = (
        np.ones(n, dtype=bool),
        ~canceled,
        segments["wraps"].to_numpy(),
        ~canceled,
        canceled,
        segments["update"].to_numpy(),
        segments["late"].to_numpy(),
    )
    times = {
        "created": segments["created"].to_numpy(),
        "accepted": segments["accepted"].to_numpy(),
        "talk_end": segments["talk_end"].to_numpy(),
        "end": segments["end"].to_numpy(),
        "update_at": update_at,
        "late_at": late_at,
    }
    parts = []
    for kind, (_, time_name, _, _) in enumerate(_EVENT_KINDS):
        idx = np.flatnonzero(masks[kind])
        parts.append(
            pl.DataFrame(
                {
                    "kind": np.full(len(idx), kind, dtype=np.int8),
                    "segment": idx.astype(np.int64),
                    "ts": times[time_name][idx],
                }
            )
        )
    events = pl.concat(parts)
    m = len(events)
    # Delivery is not in event order: small jitter for all, a long delay for a few.
    jitter = np.abs(rng.normal(0, 1_500, m)).astype(np.int64)
    jitter += np.where(rng.random(m) < 0.002, rng.integers(0, 600_000, m), 0)
    events = events.with_columns(delivered=pl.col("ts") + pl.Series(jitter), sid=sids(rng, "EV", m))
    return events.sort("delivered", "kind", "segment")


def _encode(events: pl.DataFrame, segments: pl.DataFrame, workers: pl.DataFrame) -> pl.Series:
    """CloudEvents JSON lines for a chunk of events (one polars struct encode per kind)."""
    seg = segments.select(
        "task_sid", "created", "queue", "channel", "reservation_sid", "worker",
        "attrs_created", "attrs_final", "attrs_update", "attrs_late",
    ).gather(events["segment"])  # fmt: skip
    chunk = pl.concat([events.with_row_index("pos"), seg], how="horizontal")
    out = []
    for kind, (eventtype, _, attrs, status) in enumerate(_EVENT_KINDS):
        part = chunk.filter(pl.col("kind") == kind)
        if part.is_empty():
            continue
        is_reservation = eventtype.startswith("reservation.")
        fields: list[pl.Expr] = [
            pl.lit(eventtype).alias("eventtype"),
            pl.col("ts").alias("timestamp"),
            pl.col("sid"),
            pl.col("task_sid"),
            ((pl.col("ts") - pl.col("created")) // _MS).alias("task_age"),
            pl.lit(status).alias("task_assignment_status"),
            pl.col("queue").alias("task_queue_name"),
            pl.when(pl.col("channel") == "voice")
            .then(pl.lit("voice"))
            .when(pl.col("channel") == "chat")
            .then(pl.lit("chat"))
            .otherwise(pl.lit("sms"))
            .alias("task_channel_unique_name"),
        ]
        if attrs is not None:
            fields.append(pl.col(attrs).alias("task_attributes"))
        if eventtype == "task.canceled":
            fields.append(pl.lit("hangup").alias("task_canceled_reason"))
        if is_reservation:
            w = workers.select("worker_sid", "worker_name", "worker_attributes").gather(
                part["worker"]
            )
            part = pl.concat([part, w], how="horizontal")
            fields += [
                pl.col("reservation_sid"),
                pl.lit("accepted").alias("reservation_status"),
                pl.col("worker_sid"),
                pl.col("worker_name"),
                pl.col("worker_attributes"),
            ]
        line = pl.struct(
            pl.lit("1.0").alias("specversion"),
            pl.lit("com.twilio.taskrouter." + eventtype).alias("type"),
            pl.lit(cat.WORKSPACE_SID).alias("source"),
            pl.col("sid").alias("id"),
            pl.from_epoch(pl.col("ts"), time_unit="ms")
            .dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ")
            .alias("time"),
            pl.struct(pl.struct(*fields).alias("payload")).alias("data"),
        ).struct.json_encode()
        out.append(part.select("pos", line.alias("line")))
    return pl.concat(out).sort("pos")["line"]


def _dirty(rng: np.random.Generator, lines: pl.Series) -> pl.Series:
    """Realistic dirt: duplicated events, truncated lines, blank and non-JSON lines."""
    n = len(lines)
    dup = np.flatnonzero(rng.random(n) < 0.003)
    broken = np.flatnonzero(rng.random(n) < 0.0002)
    if n >= 50 and len(broken) < 2:
        broken = rng.choice(n, 2, replace=False)
    order = np.concatenate([np.arange(n), dup]).astype(np.float64)
    # A duplicate arrives right after its original (a retried delivery).
    order[n:] += 0.5
    values = pl.concat([lines, lines.gather(dup)])
    cut = values.gather(broken).str.slice(0, 60 + int(rng.integers(0, 200)))
    values = values.scatter(broken, cut)
    result = values.gather(np.argsort(order, kind="stable"))
    if n >= 1000:
        junk = pl.Series(["", "<html><body>502 Bad Gateway</body></html>", "   "])
        at = np.sort(rng.choice(len(result), len(junk), replace=False))
        pieces = []
        prev = 0
        for k, a in enumerate(at):
            pieces += [result.slice(prev, int(a) - prev), junk.slice(k, 1)]
            prev = int(a)
        pieces.append(result.slice(prev))
        result = pl.concat(pieces)
    return result


def _plan(
    n_conversations: int, seed: int, start: dt.datetime, weeks: int
) -> tuple[np.random.Generator, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    if n_conversations < 1:
        raise ValueError(f"n_conversations must be >= 1, got {n_conversations}")
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    rng = np.random.default_rng(seed)
    customers = _customers(rng, max(1, int(n_conversations * 0.7)))
    workers = _workers(rng, int(np.clip(n_conversations // 100, 24, 600)))
    segments = _segments(rng, customers, n_conversations, start=start, weeks=weeks, workers=workers)
    events = _events(rng, segments)
    return rng, segments, workers, events


def generate(
    n_conversations: int,
    *,
    seed: int = 0,
    start: dt.datetime = _DEFAULT_START,
    weeks: int = 4,
    dirt: bool = True,
) -> pl.DataFrame:
    """Generate TaskRouter Event Streams events (CloudEvents) for a sample contact centre.

    Customers call from many countries (mostly North America and Europe) with realistic,
    mostly valid numbers, at times that follow their own local day; conversations span
    voice, chat, SMS and WhatsApp, some are abandoned, some are transferred (several
    tasks sharing ``conversations.conversation_id``); workers sit in several Flex Locations.
    With ``dirt`` the stream also has what real exports have: duplicated deliveries,
    out-of-order events, a few truncated or non-JSON lines, anonymous callers, ``client:``
    identities, attribute values over 255 characters, and updates after the 5-minute window.

    Parameters
    ----------
    n_conversations
        How many conversations to make (1,000,000 gives about 3.6M events).
    seed
        Seed of the random generator: the same arguments give the same events.
    start
        First day (naive, read as UTC midnight) of the period.
    weeks
        Length of the period in weeks.
    dirt
        Add the realistic problems listed above.

    Returns
    -------
    polars.DataFrame
        One column ``line``: one JSON document per event, in delivery order (NDJSON rows).

    Examples
    --------
    >>> import geoflex.sample
    >>> events = geoflex.sample.generate(50, seed=1, dirt=False)
    >>> events.columns
    ['line']
    >>> events["line"][0][:40]
    '{"specversion":"1.0","type":"com.twilio.'
    >>> generate(50, seed=1, dirt=False).equals(events)
    True
    """
    rng, segments, workers, events = _plan(n_conversations, seed, start, weeks)
    lines = _encode(events, segments, workers)
    if dirt:
        lines = _dirty(rng, lines)
    return pl.DataFrame({"line": lines})


def write(
    path: str | os.PathLike[str],
    n_conversations: int,
    *,
    seed: int = 0,
    start: dt.datetime = _DEFAULT_START,
    weeks: int = 4,
    dirt: bool = True,
    chunk_events: int = 400_000,
) -> int:
    """Write :func:`generate`'s events as NDJSON (gzipped when ``path`` ends in ``.gz``).

    Events are encoded and written in chunks, so a million conversations need no more
    memory than their plan. Returns the number of lines written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "events.ndjson.gz"
    ...     n = write(path, 20, seed=3, dirt=False)
    ...     n == len(generate(20, seed=3, dirt=False))
    True
    """
    rng, segments, workers, events = _plan(n_conversations, seed, start, weeks)
    path = os.fspath(path)
    raw = open(path, "wb")  # noqa: SIM115 - closed below, wrapped by gzip when asked
    sink: io.BufferedIOBase | gzip.GzipFile = (
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)
        if path.endswith(".gz")
        else raw
    )
    written = 0
    try:
        for offset in range(0, len(events), chunk_events):
            lines = _encode(events.slice(offset, chunk_events), segments, workers)
            if dirt:
                lines = _dirty(rng, lines)
            buffer = io.BytesIO()
            pl.DataFrame({"line": lines}).write_csv(
                buffer, include_header=False, quote_style="never", separator="\x1f"
            )
            sink.write(buffer.getvalue())
            written += len(lines)
    finally:
        sink.close()
        if sink is not raw:
            raw.close()
    return written
