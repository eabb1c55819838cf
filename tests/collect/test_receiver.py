"""``geoflex collect`` as a real server process, driven by real signed HTTP requests."""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import geoflex
from tests.collect._server import TOKEN, Collector, cloud_event, signed


@pytest.fixture(scope="module")
def collector(tmp_path_factory):
    server = Collector(tmp_path_factory.mktemp("collect") / "out", "--max-body-mb", "0.05")
    yield server
    server.stop()


def lines(out) -> list[dict]:
    rows = []
    for path in sorted((out / "events").glob("*.ndjson")):
        rows += [json.loads(line) for line in path.read_bytes().splitlines()]
    return rows


def ids(out) -> list[str]:
    return [row["id"] for row in lines(out)]


def test_a_signed_batch_is_written_and_readable_at_once(collector):
    batch = [cloud_event("EVok1", "WTok"), cloud_event("EVok2", "WTok", "task.completed")]
    response = collector.post(batch)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 2, "written": 2, "duplicates": 0}
    # Readable while the receiver runs, from the file it is appending to.
    data = geoflex.read_events(str(collector.out / "events"))
    assert data.problems.height == 0
    assert {"EVok1", "EVok2"} <= set(ids(collector.out))
    assert "WTok" in data.segments["segment_id"].to_list()


def test_a_replayed_batch_is_acknowledged_and_not_written_again(collector):
    batch = [cloud_event("EVre1"), cloud_event("EVre2")]
    body = json.dumps(batch).encode()
    url, headers = signed(collector.url + "/events", body)
    first = httpx.post(url, content=body, headers=headers)
    again = httpx.post(url, content=body, headers=headers)  # byte for byte the same request
    assert first.json()["written"] == 2
    assert again.status_code == 200
    assert again.json() == {"received": 2, "written": 0, "duplicates": 2}
    # A retry that mixes old and new events writes only the new ones.
    mixed = collector.post([cloud_event("EVre2"), cloud_event("EVre3")])
    assert mixed.json() == {"received": 2, "written": 1, "duplicates": 1}
    assert [i for i in ids(collector.out) if i.startswith("EVre")] == ["EVre1", "EVre2", "EVre3"]


def forged_requests(url: str):
    batch = json.dumps([cloud_event("EVforged")]).encode()
    digest = hashlib.sha256(batch).hexdigest()
    good_url, good = signed(url, batch)
    yield "no signature", good_url, batch, {"Content-Type": "application/json"}
    other_token_url, other_token = signed(url, batch, token="not-the-token")
    yield "signed with another token", other_token_url, batch, other_token
    yield "empty signature", good_url, batch, {"X-Twilio-Signature": ""}
    # The signature of another body, on this body.
    other = json.dumps([cloud_event("EVother")]).encode()
    other_url, other_headers = signed(url, other)
    yield "body swapped", other_url, batch, other_headers
    yield (
        "hash of this body, signature of another",
        good_url.replace(digest, hashlib.sha256(other).hexdigest()),
        batch,
        good,
    )
    # Signed without bodySHA256: a validator that skips the body check would accept it.
    bare = {"X-Twilio-Signature": _signature(url)}
    yield "no bodySHA256", url, batch, bare
    yield "path changed", good_url.replace("/events", "/other"), batch, good
    yield (
        "shared-key header",
        good_url,
        batch,
        {**good, "X-Twilio-Webhooks-Signature-Settings": "key=K1,algorithm=HMAC_SHA256"},
    )


def _signature(url: str) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(TOKEN).compute_signature(url, {})


def test_forged_requests_are_refused_and_nothing_is_written(collector):
    before = ids(collector.out)
    for what, url, body, headers in forged_requests(collector.url + "/events"):
        response = httpx.post(url, content=body, headers=headers)
        assert response.status_code == 401, what
        assert response.json()["error"], what
    assert ids(collector.out) == before
    assert "EVforged" not in ids(collector.out)


def test_oversized_bodies_get_413(collector):
    big = json.dumps([cloud_event(f"EVbig{i}") for i in range(200)]).encode()
    assert len(big) > 0.05 * (1 << 20)
    response = collector.post(big)
    assert response.status_code == 413
    # Without a Content-Length (chunked), the limit holds while reading.
    url, headers = signed(collector.url + "/events", big)
    chunked = httpx.post(url, content=iter([big[i : i + 4096] for i in range(0, len(big), 4096)]),
                         headers=headers)  # fmt: skip
    assert chunked.status_code == 413
    assert not any(i.startswith("EVbig") for i in ids(collector.out))


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"not json at all", 400, "not JSON"),
        (b'[{"id": "x"', 400, "not JSON"),
        (b"[1e999]", 400, "not JSON"),
        (b'[{"id": NaN}]', 400, "not JSON"),
        (b"[" * 20_000, 400, "not JSON"),
        (b"\xff\xfe[]", 400, "UTF-8"),
        (b'"a string"', 422, "array of CloudEvents"),
        (b"[1, 2]", 422, "element 1 is not a CloudEvent"),
        (b'[{"id": "EVx", "type": "t", "source": "s"}]', 422, "no specversion"),
        (b'[{"id": 7, "type": "t", "source": "s", "specversion": "1.0"}]', 422, "no id"),
    ],
)
def test_bodies_that_are_not_events_get_a_clear_4xx(collector, body, status, words):
    before = len(ids(collector.out))
    response = collector.post(body)
    assert response.status_code == status
    assert words in response.json()["error"]
    assert len(ids(collector.out)) == before


def test_concurrent_batches_write_each_event_once(collector):
    # 16 senders, 20 batches each, every event sent by two senders (overlapping retries).
    def send(sender: int) -> list[int]:
        statuses = []
        with httpx.Client(timeout=20) as client:
            for k in range(20):
                batch = [cloud_event(f"EVc{(sender // 2)}-{k}-{j}") for j in range(5)]
                body = json.dumps(batch).encode()
                url, headers = signed(collector.url + "/events", body)
                statuses.append(client.post(url, content=body, headers=headers).status_code)
        return statuses

    with ThreadPoolExecutor(16) as pool:
        statuses = [s for result in pool.map(send, range(16)) for s in result]
    assert statuses == [200] * 320
    written = [i for i in ids(collector.out) if i.startswith("EVc")]
    assert len(written) == len(set(written)) == 8 * 20 * 5
    data = geoflex.read_events(str(collector.out / "events"))
    assert data.problems.height == 0
    assert data.counts["duplicates"] == 0


def test_health_and_structured_logs(collector):
    health = collector.health()
    assert health["status"] == "ok"
    assert health["events_written"] == len(ids(collector.out))
    assert health["rejected"] > 0
    assert health["active_file"].startswith("events-")
    logs = collector.logs()
    assert logs[0]["event"] == "started"
    batches = [entry for entry in logs if entry["event"] == "batch"]
    assert batches[-1]["totals"]["events_written"] <= health["events_written"]
    assert {"events", "written", "duplicates", "ms"} <= set(batches[0])
    assert any(e["event"] == "rejected" and e["status"] == 401 for e in logs)


def test_the_state_is_not_read_as_events(collector):
    """Even reading the whole --out folder reads nothing but the events."""
    data = geoflex.read_events(str(collector.out))
    assert data.problems.height == 0
    assert data.counts["lines"] == len(ids(collector.out))


def test_duplicates_are_dropped_across_restarts_and_each_process_starts_a_new_file(tmp_path):
    out = tmp_path / "out"
    first = Collector(out)
    assert first.post([cloud_event("EVr1"), cloud_event("EVr2")]).json()["written"] == 2
    first.stop()
    assert first.logs()[-1]["event"] == "stopped"
    second = Collector(out)
    try:
        again = second.post([cloud_event("EVr2"), cloud_event("EVr3")])
        assert again.json() == {"received": 2, "written": 1, "duplicates": 1}
    finally:
        second.stop()
    assert ids(out) == ["EVr1", "EVr2", "EVr3"]
    assert len(list((out / "events").glob("*.ndjson"))) == 2


def test_kill_9_mid_burst_loses_no_acknowledged_event(tmp_path):
    out = tmp_path / "out"
    server = Collector(out)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def burst(sender: int) -> None:
        with httpx.Client(timeout=5) as client:
            for k in range(10_000):
                if stop.is_set():
                    return
                batch = [cloud_event(f"EVk{sender}-{k}-{j}") for j in range(10)]
                body = json.dumps(batch).encode()
                url, headers = signed(server.url + "/events", body)
                try:
                    response = client.post(url, content=body, headers=headers)
                except httpx.TransportError:
                    return  # the server died under us: this batch was not acknowledged
                if response.status_code == 200:
                    with lock:
                        acknowledged.extend(e["id"] for e in batch)

    threads = [threading.Thread(target=burst, args=(s,)) for s in range(6)]
    for thread in threads:
        thread.start()
    # Until enough are acknowledged (or the senders gave up: then the asserts below fail).
    while len(acknowledged) < 1500 and any(t.is_alive() for t in threads):
        threading.Event().wait(0.01)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged) >= 1500
    # Restart: the torn tail (if any) is cut, and a retry of every acknowledged batch is a
    # duplicate.
    again = Collector(out)
    try:
        started = again.logs()[0]
        assert started["event"] == "started"
        assert started["known_ids"] >= len(acknowledged)
        retry = again.post([cloud_event(acknowledged[0]), cloud_event(acknowledged[-1])])
        assert retry.json()["duplicates"] == 2
    finally:
        again.stop()
    data = geoflex.read_events(str(out / "events"))
    assert data.problems.height == 0
    on_disk = ids(out)
    assert set(acknowledged) <= set(on_disk)
    assert len(on_disk) == len(set(on_disk))
    assert data.counts["lines"] == len(on_disk)


def test_a_torn_tail_is_cut_and_kept_on_restart(tmp_path):
    out = tmp_path / "out"
    first = Collector(out)
    first.post([cloud_event("EVt1"), cloud_event("EVt2")])
    first.kill()
    (file,) = (out / "events").glob("*.ndjson")
    good = file.read_bytes()
    half = json.dumps(cloud_event("EVt3")).encode()[:57]
    file.write_bytes(good + half)  # a write cut by a crash
    second = Collector(out)
    try:
        assert second.logs()[0]["torn_bytes_cut"] == 57
        assert second.post([cloud_event("EVt3")]).json()["written"] == 1
    finally:
        second.stop()
    assert file.read_bytes() == good
    (kept,) = (out / ".geoflex" / "torn").iterdir()
    assert kept.read_bytes() == half
    assert ids(out) == ["EVt1", "EVt2", "EVt3"]
    assert geoflex.read_events(str(out / "events")).problems.height == 0


def test_basic_auth(tmp_path):
    server = Collector(
        tmp_path / "out", "--basic-auth", "twilio", env={"GEOFLEX_COLLECT_PASSWORD": "s3cret"}
    )
    try:
        batch = [cloud_event("EVb1")]
        none = server.post(batch)
        assert none.status_code == 401
        assert none.headers["www-authenticate"].startswith("Basic")
        assert server.post(batch, auth=("twilio", "wrong")).status_code == 401
        assert server.post(batch, auth=("twilio", "s3cret")).status_code == 200
        garbled = {"Authorization": "Basic !!!"}
        body = json.dumps(batch).encode()
        url, headers = signed(server.url + "/events", body)
        assert httpx.post(url, content=body, headers={**headers, **garbled}).status_code == 401
    finally:
        server.stop()


def test_behind_a_tls_proxy(tmp_path):
    public = "https://collect.example.com/twilio/events"
    server = Collector(tmp_path / "out", "--public-url", public)
    try:
        body = json.dumps([cloud_event("EVp1")]).encode()
        public_url, headers = signed(public, body)
        query = public_url.split("?", 1)[1]
        # The proxy forwards to the local port, possibly under another path.
        response = httpx.post(f"{server.url}/events?{query}", content=body, headers=headers)
        assert response.status_code == 200
        # Signed for the local URL: not what Twilio signs, refused.
        assert server.post([cloud_event("EVp2")]).status_code == 401
    finally:
        server.stop()


def test_forwarded_proto_and_host_are_what_the_signature_must_match(collector):
    body = json.dumps([cloud_event("EVfw1")]).encode()
    url, headers = signed("https://collect.example.com/events", body)
    query = url.split("?", 1)[1]
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "collect.example.com"}
    local = f"{collector.url}/events?{query}"
    assert httpx.post(local, content=body, headers={**headers, **proxy}).status_code == 200
    # The same request claiming another public host does not match the signature.
    other = {**proxy, "X-Forwarded-Host": "evil.example.com"}
    assert httpx.post(local, content=body, headers={**headers, **other}).status_code == 401


def cli(*args: str, env: dict[str, str]):
    """The command in this process: these refusals happen before any server starts."""
    from click.testing import CliRunner

    from geoflex.cli import main

    return CliRunner().invoke(main, ["collect", *args], env=env)


def test_refuses_to_start_without_a_token_or_on_a_busy_folder(tmp_path, collector):
    out = str(tmp_path / "o")
    no_token = cli("--out", out, env={"TWILIO_AUTH_TOKEN": ""})
    assert no_token.exit_code == 2
    assert "TWILIO_AUTH_TOKEN" in no_token.output
    token = {"TWILIO_AUTH_TOKEN": TOKEN}
    busy = cli("--out", str(collector.out), "--port", "1", env=token)
    assert busy.exit_code == 2
    assert "another geoflex collect" in busy.output
    no_password = cli(
        "--out", out, "--basic-auth", "u", env={**token, "GEOFLEX_COLLECT_PASSWORD": ""}
    )
    assert no_password.exit_code == 2
    assert "GEOFLEX_COLLECT_PASSWORD" in no_password.output
    bad_url = cli("--out", out, "--public-url", "collect.example.com", env=token)
    assert bad_url.exit_code == 2
    assert "--public-url" in bad_url.output
