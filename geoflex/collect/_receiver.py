"""The Event Streams webhook sink: a Starlette app that writes signed batches durably.

A request is, in order: checked for HTTP Basic credentials (when configured), read up to
the size limit (413 beyond it), checked for Twilio's signature over the public URL and the
raw body (401 when it is missing or wrong: the check never fails open), parsed as a
CloudEvents batch (400 for a body that is not JSON, 422 for JSON that is not events), handed
to the writer thread, and answered 200 only once its events are on the disk. Nothing from
an unauthenticated request is parsed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from geoflex._errors import GeoflexError
from geoflex.collect._commit import BusyError, Committed, Committer, Event
from geoflex.collect._dedup import SeenIds
from geoflex.collect._layout import Layout
from geoflex.collect._writer import EventFiles

__all__ = ["Receiver", "ReceiverSettings", "create_app", "log"]

_LOG = logging.getLogger("geoflex.collect")
# CloudEvents' required context attributes (CloudEvents 1.0); Event Streams sends them all.
_REQUIRED = ("id", "source", "specversion", "type")
_MAX_ID_CHARS = 512


def log(event: str, **fields: Any) -> None:
    """One structured log line (a JSON object) on the ``geoflex.collect`` logger."""
    _LOG.info(json.dumps({"ts": round(time.time(), 3), "event": event, **fields}))


@dataclass(frozen=True)
class ReceiverSettings:
    """How the receiver checks and stores what it is sent."""

    out: Path
    auth_token: str = field(repr=False)
    public_url: str | None = None
    basic_auth: tuple[str, str] | None = field(default=None, repr=False)
    max_body_bytes: int = 4 << 20
    rotate_bytes: int = 64 << 20
    rotate_seconds: float = 3600.0
    dedup_capacity: int = 1_000_000
    ack_timeout_s: float = 4.0
    durable: bool = True

    def __post_init__(self) -> None:
        if not self.auth_token:
            raise GeoflexError(
                "set TWILIO_AUTH_TOKEN to the auth token of the account whose events are "
                "sent: the receiver checks every request's signature with it"
            )
        if self.public_url is not None:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
                raise GeoflexError(
                    f"--public-url must be the sink's URL without a query, such as "
                    f"https://collect.example.com/events; got {self.public_url!r}"
                )


class Receiver:
    """The files, id index, writer thread and counters behind one running app.

    Opening it takes the lock on the output folder (one receiver per folder), repairs a
    torn last line left by a crash and loads the id index; :meth:`close` writes what is
    queued and syncs everything.
    """

    def __init__(self, settings: ReceiverSettings) -> None:
        import fcntl

        self.settings = settings
        layout = Layout(settings.out)
        layout.create()
        self._lock_file = open(layout.state / "collect.lock", "wb")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise GeoflexError(
                f"another geoflex collect is writing to {settings.out}; stop it first"
            ) from None
        self.seen = SeenIds(layout.state / "collect.ids", capacity=settings.dedup_capacity)
        self.files = EventFiles(
            layout.events,
            torn_dir=layout.state / "torn",
            rotate_bytes=settings.rotate_bytes,
            rotate_seconds=settings.rotate_seconds,
            durable=settings.durable,
            before_new_file=self.seen.sync,
        )
        recovered = self.files.recover()
        # The newest file may hold events whose ids had not reached the log yet.
        self.seen.add(recovered.ids)
        self.seen.sync()
        self.committer = Committer(self.files, self.seen)
        self.counts = {
            "batches": 0,
            "events_written": 0,
            "duplicates": 0,
            "rejected": 0,
            "failed": 0,
        }
        log(
            "started",
            out=str(settings.out),
            known_ids=len(self.seen),
            recovered_file=recovered.file,
            torn_bytes_cut=recovered.torn_bytes,
            durable=settings.durable,
        )

    def close(self) -> None:
        """Idempotent: called at the app's shutdown and again on the way out."""
        if self._lock_file.closed:
            return
        self.committer.close()
        self.files.close()
        self.seen.close()
        self._lock_file.close()
        log("stopped", **self.counts)


class _RejectError(Exception):
    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}


def create_app(receiver: Receiver) -> Any:
    """The Starlette app: ``POST`` any path (a batch of events), ``GET /health``."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator

    settings = receiver.settings
    validator = RequestValidator(settings.auth_token)
    counts = receiver.counts

    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "active_file": receiver.files.active,
                "known_ids": len(receiver.seen),
                "commits": receiver.committer.groups,
                **counts,
            }
        )

    async def events(request: Request) -> JSONResponse:
        started = time.perf_counter()
        try:
            _check_basic_auth(request.headers.get("authorization"), settings.basic_auth)
            body = await _read_limited(request, settings.max_body_bytes)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise _RejectError(400, "the body is not UTF-8 text") from None
            signature = request.headers.get("x-twilio-signature")
            if not signature:
                raise _RejectError(401, "no X-Twilio-Signature header")
            if request.headers.get(SIGNATURE_SETTINGS_HEADER):
                raise _RejectError(
                    401, "signed with a Webhooks shared key; only Auth Token signatures are checked"
                )
            url = _signed_url(request, settings.public_url)
            if "bodySHA256" not in parse_qs(urlsplit(url).query):
                # Without it the validator would not look at the body at all.
                raise _RejectError(401, "no bodySHA256 in the URL: the body is not signed")
            if not validator.validate(url, text, signature):
                raise _RejectError(401, "the X-Twilio-Signature does not match")
            batch = _parse_batch(text)
            try:
                future = receiver.committer.submit(batch)
            except BusyError:
                raise _RejectError(503, "too many batches waiting to be written") from None
            verdict = await _wait(future, settings.ack_timeout_s)
        except _RejectError as reject:
            counts["rejected" if reject.status < 500 else "failed"] += 1
            log("rejected", status=reject.status, reason=reject.reason, path=request.url.path)
            return JSONResponse(
                {"error": reject.reason}, status_code=reject.status, headers=reject.headers
            )
        counts["batches"] += 1
        counts["events_written"] += verdict.written
        counts["duplicates"] += verdict.duplicates
        log(
            "batch",
            status=200,
            events=len(batch),
            written=verdict.written,
            duplicates=verdict.duplicates,
            ms=round((time.perf_counter() - started) * 1000, 2),
            totals=counts,
        )
        return JSONResponse(
            {"received": len(batch), "written": verdict.written, "duplicates": verdict.duplicates}
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        # Here, not after uvicorn.run: uvicorn re-raises SIGTERM once it has shut down.
        receiver.close()

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/{path:path}", events, methods=["POST"]),
        ],
    )


def _check_basic_auth(header: str | None, expected: tuple[str, str] | None) -> None:
    if expected is None:
        return
    challenge = {"WWW-Authenticate": 'Basic realm="geoflex collect"'}
    if not header or not header.lower().startswith("basic "):
        raise _RejectError(401, "HTTP Basic credentials required", challenge)
    try:
        given = base64.b64decode(header[6:].strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _RejectError(401, "malformed HTTP Basic credentials", challenge) from None
    wanted = f"{expected[0]}:{expected[1]}".encode()
    if not hmac.compare_digest(given, wanted):
        raise _RejectError(401, "wrong HTTP Basic credentials", challenge)


async def _read_limited(request: Any, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _RejectError(413, f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _RejectError(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _signed_url(request: Any, public_url: str | None) -> str:
    """The URL Twilio signed: the sink's public URL and this request's query.

    Behind a TLS proxy the request arrives as http://127.0.0.1:8080/...; Twilio signed
    https://public.host/... . ``--public-url`` names it; otherwise the proxy's
    X-Forwarded-Proto and X-Forwarded-Host are used when present. Trusting those headers
    lets no forged request through: they only change which URL a signature must match.
    """
    query = request.url.query
    if public_url is not None:
        base = public_url
    else:
        headers = request.headers
        scheme = headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
        host = headers.get("x-forwarded-host") or headers.get("host") or request.url.netloc
        base = f"{scheme}://{host.split(',')[0].strip()}{request.url.path}"
    return f"{base}?{query}" if query else base


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_batch(text: str) -> list[Event]:
    """A CloudEvents batch (a JSON array; one event object is taken as a batch of one) as
    (id, NDJSON line) pairs. Lines are re-serialized: one line an event, ASCII only."""
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise _RejectError(400, f"the body is not JSON: {str(exc)[:200]}") from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise _RejectError(422, "the body must be a JSON array of CloudEvents")
    batch: list[Event] = []
    for position, event in enumerate(value, 1):
        if not isinstance(event, dict):
            raise _RejectError(422, f"element {position} is not a CloudEvent object")
        missing = [k for k in _REQUIRED if not isinstance(event.get(k), str) or not event[k]]
        if missing:
            raise _RejectError(
                422, f"element {position} is not a CloudEvent: no {', '.join(missing)}"
            )
        event_id = event["id"]
        if len(event_id) > _MAX_ID_CHARS:
            raise _RejectError(
                422, f"element {position}: its id is longer than {_MAX_ID_CHARS} characters"
            )
        line = json.dumps(event, separators=(",", ":"), ensure_ascii=True) + "\n"
        batch.append((event_id, line.encode("ascii")))
    return batch


async def _wait(future: Future[Committed], timeout: float) -> Committed:
    """The batch's verdict, or 503 when the disk is slower than the sender's patience (the
    write still completes; the retry is then a duplicate and acknowledged)."""
    try:
        return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout)
    except asyncio.TimeoutError:
        raise _RejectError(503, "the disk is slow; retry") from None
    except OSError as exc:
        raise _RejectError(503, f"could not write the batch: {exc.strerror or exc}") from None


@contextlib.contextmanager
def opened(settings: ReceiverSettings) -> Iterator[Receiver]:
    """A :class:`Receiver`, closed (queue written, files synced, lock freed) on exit."""
    receiver = Receiver(settings)
    try:
        yield receiver
    finally:
        receiver.close()


def serve(settings: ReceiverSettings, *, host: str, port: int) -> None:
    """Run the receiver until SIGINT/SIGTERM (uvicorn's graceful shutdown)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with opened(settings) as receiver:
        log("listening", host=host, port=port, public_url=settings.public_url)
        uvicorn.run(
            create_app(receiver),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,  # the signed URL is worked out in _signed_url
            server_header=False,
            # Bounded: beyond this many open connections uvicorn answers 503 at once.
            limit_concurrency=512,
            timeout_graceful_shutdown=10,
        )
