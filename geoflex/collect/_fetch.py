"""``geoflex fetch``: the TaskRouter Events REST history, Flex Locations and workers.

TaskRouter keeps 30 days of events (``GET /v1/Workspaces/{sid}/Events``, filtered by
``StartDate``/``EndDate``, ``PageSize`` up to 1000, the next page at ``meta.next_page_url``).
Each page is written as it came (``{"events": [...], "meta": ...}``, a shape
`geoflex.read_events` reads) under ``DIR/events``, atomically (written in the state folder,
synced, renamed), and only then is the resume point (the next page's URL) saved: a run that
stops anywhere continues from the page after the last one written. The end of the window is
fixed when a run starts, so pages do not shift while they are read.

Requests are retried with exponential backoff and jitter on 429 (after ``Retry-After`` when
given), 5xx, timeouts and dropped connections. Credentials (HTTP Basic: an API key and
secret, or the account SID and auth token) go only to the hosts given by the base URLs: a
``next_page_url`` elsewhere is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from geoflex._errors import DataError, GeoflexError
from geoflex.collect._layout import Layout, fsync_directory

__all__ = ["Credentials", "FetchResult", "fetch"]

TASKROUTER_URL = "https://taskrouter.twilio.com"
FLEX_URL = "https://flex-api.twilio.com"
_STATE_VERSION = 1


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic credentials for Twilio's REST API."""

    username: str
    password: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """An API key (TWILIO_API_KEY, TWILIO_API_SECRET), else the account's
        TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."""
        env = os.environ if environ is None else environ
        if env.get("TWILIO_API_KEY") and env.get("TWILIO_API_SECRET"):
            return cls(env["TWILIO_API_KEY"], env["TWILIO_API_SECRET"])
        if env.get("TWILIO_ACCOUNT_SID") and env.get("TWILIO_AUTH_TOKEN"):
            return cls(env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"])
        raise GeoflexError(
            "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and "
            "TWILIO_API_SECRET) to read the account's TaskRouter and Flex data"
        )


@dataclass
class FetchResult:
    """What a run wrote."""

    pages: int = 0
    events: int = 0
    resumed_at_page: int | None = None
    workers: int | None = None
    locations: int | None = None
    retries: int = 0
    files: list[Path] = field(default_factory=list)


class _Client:
    """GETs JSON with retries; refuses to send credentials to any other host."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        allowed: set[str],
        retries: int,
        backoff_s: float,
        timeout_s: float,
        note: Callable[[str], None],
    ) -> None:
        import httpx

        self._httpx = httpx
        self._client = httpx.Client(
            auth=(credentials.username, credentials.password),
            timeout=timeout_s,
            headers={"Accept": "application/json", "User-Agent": "geoflex-fetch"},
            follow_redirects=False,
        )
        self.allowed = allowed
        self.retries = retries
        self.backoff_s = backoff_s
        self.note = note
        self.retried = 0

    def close(self) -> None:
        self._client.close()

    def get(self, url: str) -> tuple[bytes, Any]:
        """The body and its parsed JSON."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" not in self.allowed:
            raise DataError(f"refusing to follow {_safe(url)}: not a host given to fetch from")
        httpx = self._httpx
        for attempt in range(self.retries + 1):
            wait = self.backoff_s * 2**attempt * (0.5 + random.random())
            try:
                response = self._client.get(url)
            except httpx.TransportError as exc:  # refused, reset, dropped, timed out
                problem = f"{type(exc).__name__}: {exc}"
            else:
                status = response.status_code
                if status == 200:
                    try:
                        return response.content, response.json()
                    except ValueError:
                        raise DataError(f"{_safe(url)}: the answer is not JSON") from None
                if status != 429 and status < 500:
                    raise DataError(f"{_safe(url)}: HTTP {status}: {_message(response)}")
                problem = f"HTTP {status}"
                after = response.headers.get("retry-after", "")
                if status == 429 and after.strip().isdigit():
                    wait = min(float(after), 300.0)
            if attempt == self.retries:
                raise DataError(f"{_safe(url)}: gave up after {self.retries} retries ({problem})")
            self.retried += 1
            self.note(f"retrying in {wait:.1f} s: {problem}")
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def _safe(url: str) -> str:
    """A URL for messages: never with credentials (none are put in URLs, but be sure)."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname or "").geturl() if parts.username else url


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or ""
    if isinstance(body, dict) and "message" in body:
        hint = {401: " (check the credentials)", 404: " (check the workspace SID)"}
        return f"{str(body['message'])[:300]}{hint.get(response.status_code, '')}"
    return response.reason_phrase or ""


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_atomically(path: Path, data: bytes, scratch: Path) -> None:
    """Write in the state folder, sync, rename into place, sync the folder: a reader sees
    the whole file or none of it, and never a temporary name among the event files."""
    temporary = scratch / f"{path.name}.partial"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_directory(path.parent)


def _pages(
    client: _Client, url: str, key: str
) -> Iterator[tuple[str, bytes, list[Any], str | None]]:
    """(url, body, records, next url) for each page of a Twilio list resource."""
    next_url: str | None = url
    while next_url:
        body, value = client.get(next_url)
        if not isinstance(value, dict) or not isinstance(value.get(key), list):
            raise DataError(f"{_safe(next_url)}: expected a page with a {key!r} list")
        meta = value.get("meta")
        following = meta.get("next_page_url") if isinstance(meta, dict) else None
        yield next_url, body, value[key], following if isinstance(following, str) else None
        next_url = following if isinstance(following, str) and following else None


def fetch(
    workspace: str,
    *,
    since: dt.datetime,
    out: Path,
    credentials: Credentials,
    base_url: str | None = None,
    until: dt.datetime | None = None,
    page_size: int = 1000,
    retries: int = 8,
    backoff_s: float = 1.0,
    timeout_s: float = 30.0,
    flex: bool = True,
    note: Callable[[str], None] = lambda _message: None,
) -> FetchResult:
    """Pull the workspace's events since ``since`` (and, with ``flex``, the Flex
    ``ui_attributes`` and the workers) into the layout under ``out``.

    ``base_url`` replaces both Twilio hosts (a local server in tests). A run that was
    interrupted for the same workspace and ``since`` continues after its last written page.
    """
    if not (workspace.startswith("WS") and workspace[2:].isalnum()):
        raise GeoflexError(f"--workspace must be a workspace SID (WS...), got {workspace!r}")
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    taskrouter = (base_url or TASKROUTER_URL).rstrip("/")
    flex_api = (base_url or FLEX_URL).rstrip("/")
    layout = Layout(out)
    layout.create()
    state_path = layout.state / f"fetch-{workspace}.state"
    state = _load_state(state_path)
    result = FetchResult()
    if state and state.get("since") == _iso(since) and not state.get("done"):
        end = dt.datetime.strptime(state["until"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=dt.timezone.utc
        )
        next_url: str | None = state["next_url"]
        page = int(state["pages"])
        result.resumed_at_page = page + 1
        result.events = int(state["events"])
        note(f"resuming at page {page + 1}")
    else:
        end = until or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        query = {"StartDate": _iso(since), "EndDate": _iso(end), "PageSize": page_size}
        next_url = f"{taskrouter}/v1/Workspaces/{workspace}/Events?{urlencode(query)}"
        page = 0
    client = _Client(
        credentials,
        allowed={_origin(taskrouter), _origin(flex_api)},
        retries=retries,
        backoff_s=backoff_s,
        timeout_s=timeout_s,
        note=note,
    )
    prefix = f"taskrouter-{workspace}-{_stamp(since)}-{_stamp(end)}"
    try:
        if next_url:
            for _url, body, events, following in _pages(client, next_url, "events"):
                page += 1
                path = layout.events / f"{prefix}-p{page:06d}.json"
                _write_atomically(path, body, layout.state)
                result.files.append(path)
                result.pages += 1
                result.events += len(events)
                _save_state(
                    state_path,
                    layout.state,
                    workspace=workspace,
                    since=_iso(since),
                    until=_iso(end),
                    next_url=following,
                    pages=page,
                    events=result.events,
                    done=following is None,
                )
                note(f"page {page}: {len(events)} events")
        if flex:
            result.locations = _fetch_ui_attributes(client, flex_api, layout)
            result.workers = _fetch_workers(client, taskrouter, workspace, layout, page_size)
    finally:
        client.close()
    result.retries = client.retried
    return result


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _load_state(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        raise DataError(f"{path}: the resume state is damaged; delete it to start over") from None
    if not isinstance(value, dict) or value.get("version") != _STATE_VERSION:
        raise DataError(f"{path}: not a resume state this geoflex wrote; delete it to start over")
    return value


def _save_state(path: Path, scratch: Path, **fields: Any) -> None:
    data = json.dumps({"version": _STATE_VERSION, **fields}, indent=1).encode()
    _write_atomically(path, data, scratch)


def _fetch_ui_attributes(client: _Client, flex_api: str, layout: Layout) -> int:
    """The Flex Configuration's ``ui_attributes`` -> ``flex/ui_attributes.json``; returns
    how many Flex Locations it defines."""
    _body, config = client.get(f"{flex_api}/v1/Configuration")
    ui = config.get("ui_attributes") if isinstance(config, dict) else None
    if isinstance(ui, str):  # some API versions give it as JSON text
        try:
            ui = json.loads(ui)
        except ValueError:
            raise DataError("the Flex Configuration's ui_attributes is not JSON") from None
    if ui is None:
        ui = {}
    if not isinstance(ui, dict):
        raise DataError("the Flex Configuration's ui_attributes is not an object")
    _write_atomically(layout.ui_attributes, json.dumps(ui, indent=1).encode(), layout.state)
    locations = ui.get("locations")
    return len(locations) if isinstance(locations, list) else 0


def _fetch_workers(
    client: _Client, taskrouter: str, workspace: str, layout: Layout, page_size: int
) -> int:
    """Every worker of the workspace (sid, name, attributes...) -> ``flex/workers.json``."""
    url = f"{taskrouter}/v1/Workspaces/{workspace}/Workers?{urlencode({'PageSize': page_size})}"
    workers: list[Any] = []
    for _url, _body, records, _following in _pages(client, url, "workers"):
        workers += records
    document = json.dumps({"workers": workers}, indent=1).encode()
    _write_atomically(layout.workers, document, layout.state)
    return len(workers)
