"""A real ``geoflex collect`` process on a free port, and requests signed as Twilio signs them."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

TOKEN = "test-auth-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed(url: str, body: bytes, token: str = TOKEN) -> tuple[str, dict[str, str]]:
    """The URL with ``bodySHA256`` and the headers Twilio sends for a JSON body."""
    full = f"{url}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    signature = RequestValidator(token).compute_signature(full, {})
    return full, {"X-Twilio-Signature": signature, "Content-Type": "application/json"}


def cloud_event(event_id: str, task: str = "WT1", kind: str = "task.created") -> dict:
    """A TaskRouter CloudEvent as Event Streams sends it."""
    return {
        "specversion": "1.0",
        "type": f"com.twilio.taskrouter.{kind}",
        "source": "/v1/Workspaces/WS0123",
        "id": event_id,
        "dataschema": "https://events-schemas.twilio.com/TaskRouter.WDSEvent/1",
        "datacontenttype": "application/json",
        "time": "2026-11-02T15:00:00.000Z",
        "data": {
            "payload": {
                "eventtype": kind,
                "timestamp": 1793631600000,
                "sid": event_id,
                "task_sid": task,
                "task_queue_name": "Support",
                "task_attributes": json.dumps({"from": "+12065550123", "direction": "inbound"}),
            }
        },
    }


class Collector:
    """``geoflex collect`` running in a subprocess (killed, not left behind, on exit)."""

    def __init__(self, out: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.out = out
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = out.parent / f"collect-{self.port}.stderr"
        full_env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, **(env or {})}
        command = [sys.executable, "-m", "geoflex.cli", "collect", "--out", str(out)]
        command += ["--port", str(self.port), *args]
        with open(self.log, "wb") as err:
            self.process = subprocess.Popen(command, env=full_env, stderr=err)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"collect exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("collect did not start in 30 s")

    def post(
        self, events: list | dict | bytes, *, path: str = "/events", **kwargs
    ) -> httpx.Response:
        body = events if isinstance(events, bytes) else json.dumps(events).encode()
        url, headers = signed(self.url + path, body)
        return httpx.post(url, content=body, headers=headers, timeout=10, **kwargs)

    def health(self) -> dict:
        return httpx.get(f"{self.url}/health", timeout=5).json()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no shutdown code runs
        self.process.wait()

    def logs(self) -> list[dict]:
        lines = self.log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]
