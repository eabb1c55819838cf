"""A local HTTP server answering like Twilio's TaskRouter and Flex REST APIs.

Shapes follow Twilio's published API reference: the Events list resource (``events`` and
``meta`` with ``next_page_url``, ``PageSize``, ``StartDate``/``EndDate`` filters), the Workers
list (``workers``, ``attributes`` as JSON text) and the Flex Configuration
(``ui_attributes`` with ``locations``). Faults are scripted per request number: a 429 with
``Retry-After``, a 5xx, or a connection closed without an answer.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

ACCOUNT = "AC" + "0" * 32
WORKSPACE = "WS" + "a" * 32
USER, PASSWORD = "SK" + "1" * 32, "api-secret"


def rest_event(k: int) -> dict:
    """The k-th event: a task created then completed (two events a task), as REST gives it."""
    task = f"WT{k // 2:032x}"
    kind = "task.created" if k % 2 == 0 else "task.completed"
    return {
        "account_sid": ACCOUNT,
        "actor_sid": task,
        "actor_type": "task",
        "actor_url": f"https://taskrouter.twilio.com/v1/Workspaces/{WORKSPACE}/Tasks/{task}",
        "description": f"Task {task} {kind.split('.')[1]}",
        "event_data": {
            "task_sid": task,
            "task_queue_name": "Support",
            "task_attributes": json.dumps({"from": f"+1206555{k // 2 % 10000:04d}"}),
        },
        "event_date": "2026-11-02T15:00:00Z",
        "event_date_ms": 1793631600000 + k * 1000,
        "event_type": kind,
        "resource_sid": task,
        "resource_type": "task",
        "resource_url": f"https://taskrouter.twilio.com/v1/Workspaces/{WORKSPACE}/Tasks/{task}",
        "sid": f"EV{k:032x}",
        "source": "twilio",
        "source_ip_address": "127.0.0.1",
        "url": f"https://taskrouter.twilio.com/v1/Workspaces/{WORKSPACE}/Events/EV{k:032x}",
        "workspace_sid": WORKSPACE,
    }


WORKERS = [
    {
        "sid": f"WK{n:032x}",
        "friendly_name": name,
        "account_sid": ACCOUNT,
        "workspace_sid": WORKSPACE,
        "activity_name": "Available",
        "available": True,
        "attributes": json.dumps(
            {"full_name": name, "location": place, "flex_location": site, "roles": ["agent"]}
        ),
    }
    for n, (name, place, site) in enumerate(
        [("Grace Hopper", "Seattle, WA, US", "Seattle"), ("Alan Turing", "Dublin, IE", "Dublin")]
    )
]
UI_ATTRIBUTES = {
    "colorTheme": {"baseName": "FlexLight"},
    "locations": [
        {"name": "Seattle", "edge": ["umatilla", "roaming"]},
        {"name": "Dublin", "edge": ["dublin"]},
    ],
}


class FakeTwilio:
    """Serves ``events`` REST events; ``faults`` maps a request number (1-based) to
    "429", "500" or "drop"."""

    def __init__(self, events: int, *, faults: dict[int, str] | None = None) -> None:
        self.events = [rest_event(k) for k in range(events)]
        self.faults = dict(faults or {})
        self.requests: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                fake.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.requests.append(request.path)
            fault = self.faults.pop(len(self.requests), None)
        if fault == "drop":
            request.close_connection = True
            request.connection.close()  # no status line: the client sees the connection drop
            return
        if fault == "429":
            return self.reply(request, 429, {"code": 20429, "message": "Too Many Requests"},
                              {"Retry-After": "1"})  # fmt: skip
        if fault == "500":
            return self.reply(request, 500, {"code": 20500, "message": "Internal Server Error"})
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return self.reply(request, 401, {"code": 20003, "message": "Authenticate"})
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == f"/v1/Workspaces/{WORKSPACE}/Events":
            return self.reply(request, 200, self.page(parts.path, query, "events", self.events))
        if parts.path == f"/v1/Workspaces/{WORKSPACE}/Workers":
            return self.reply(request, 200, self.page(parts.path, query, "workers", WORKERS))
        if parts.path == "/v1/Configuration":
            return self.reply(
                request,
                200,
                {"account_sid": ACCOUNT, "status": "ok", "ui_attributes": UI_ATTRIBUTES,
                 "url": "https://flex-api.twilio.com/v1/Configuration"},
            )  # fmt: skip
        return self.reply(request, 404, {"code": 20404, "message": "not found"})

    def page(self, path: str, query: dict[str, str], key: str, records: list) -> dict:
        size = int(query.get("PageSize", 50))
        number = int(query.get("Page", 0))
        chunk = records[number * size : (number + 1) * size]
        base = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}

        def url(page: int) -> str:
            return f"{self.url}{path}?{urlencode({**base, 'Page': page, 'PageToken': f'PT{page}'})}"

        more = (number + 1) * size < len(records)
        return {
            key: chunk,
            "meta": {
                "page": number,
                "page_size": size,
                "first_page_url": url(0),
                "previous_page_url": url(number - 1) if number else None,
                "url": url(number),
                "next_page_url": url(number + 1) if more else None,
                "key": key,
            },
        }

    @staticmethod
    def reply(request, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)
