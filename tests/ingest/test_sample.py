"""The sample generator: deterministic, realistic, valid numbers, scalable."""

from __future__ import annotations

import datetime as dt
import time

import phonenumbers
import polars as pl
import pytest

import geoflex
import geoflex.sample


def test_deterministic() -> None:
    a = geoflex.sample.generate(300, seed=11)
    assert a.equals(geoflex.sample.generate(300, seed=11))
    assert not a.equals(geoflex.sample.generate(300, seed=12))


def test_committed_sample_matches_the_generator(tmp_path) -> None:
    path = tmp_path / "events.ndjson.gz"
    geoflex.sample.write(path, geoflex.sample.SAMPLE_CONVERSATIONS, seed=geoflex.sample.SAMPLE_SEED)
    with geoflex.sample.events_path() as committed:
        import gzip

        assert gzip.decompress(path.read_bytes()) == gzip.decompress(committed.read_bytes())
        assert committed.stat().st_size < 1_500_000


@pytest.fixture(scope="module")
def sample() -> geoflex.FlexData:
    return geoflex.sample.load()


def test_phone_numbers_are_mostly_valid(sample: geoflex.FlexData) -> None:
    phones = sample.customers["customers_phone"].drop_nulls().unique().to_list()
    assert len(phones) > 500
    valid = sum(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    assert valid / len(phones) >= 0.95


def test_realistic_mix(sample: geoflex.FlexData) -> None:
    seg = sample.segments
    channels = dict(seg["channel"].value_counts().iter_rows())
    assert set(channels) == {"voice", "chat", "sms", "whatsapp"}
    assert channels["voice"] > channels["chat"] > 0
    assert sample.conversations.filter(pl.col("segments") > 1).height > 100  # transfers
    assert seg["abandoned"].sum() > 50
    assert seg["queue"].n_unique() >= 5
    assert sample.agents["flex_location"].n_unique() == len(geoflex.sample.FLEX_LOCATIONS)
    phones = seg["phone"].drop_nulls()
    assert phones.str.starts_with("client:").any()
    assert phones.str.starts_with("whatsapp:+").any()
    assert phones.is_in(["anonymous", "restricted", "+266696687"]).any()
    assert sample.truncated  # some attributes over 255 characters
    assert sample.counts["duplicates"] > 0
    assert sample.counts["late_updates_ignored"] > 0
    assert sample.problems.height >= 2  # a few broken lines


def test_countries_and_local_day(sample: geoflex.FlexData) -> None:
    geo = geoflex.resolve(sample.conversations, "phone")
    countries = geo["country"].drop_nulls().value_counts(sort=True)
    share = dict(
        zip(countries["country"], countries["count"] / countries["count"].sum(), strict=True)
    )
    assert share["US"] > 0.4
    north_america_europe = sum(
        share.get(c, 0) for c in ("US", "CA", "GB", "DE", "FR", "ES", "IT", "NL", "IE")
    )
    assert north_america_europe > 0.75
    assert len(share) >= 20
    local = geoflex.local_time(geo, time="started_at").filter(pl.col("local_time").is_not_null())
    hours = local["local_time"].dt.hour()
    # Customers call in their own daytime, whatever their zone.
    assert ((hours >= 8) & (hours < 20)).mean() > 0.8


def test_generate_writes_event_streams_cloudevents() -> None:
    lines = geoflex.sample.generate(5, seed=3, dirt=False)["line"]
    first = pl.Series([lines[0]]).str.json_decode(infer_schema_length=None)[0]
    assert first["specversion"] == "1.0"
    assert first["type"].startswith("com.twilio.taskrouter.task.")
    assert set(first["data"]["payload"]) >= {"eventtype", "timestamp", "sid", "task_sid"}


def test_arguments_checked() -> None:
    with pytest.raises(ValueError, match="n_conversations"):
        geoflex.sample.generate(0)
    with pytest.raises(ValueError, match="weeks"):
        geoflex.sample.generate(10, weeks=0)


def test_start_is_respected() -> None:
    data = geoflex.read_events(
        geoflex.sample.generate(200, seed=1, start=dt.datetime(2025, 6, 2), weeks=1, dirt=False)
    )
    days = data.conversations["started_at"].dt.date()
    assert days.min() >= dt.date(2025, 6, 1)
    assert days.max() <= dt.date(2025, 6, 10)


@pytest.mark.slow
def test_scales() -> None:
    t = time.perf_counter()
    lines = geoflex.sample.generate(100_000, seed=4)
    assert time.perf_counter() - t < 60
    assert 350_000 < lines.height < 450_000
