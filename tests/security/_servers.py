"""Hostile loopback servers for the security tests: each answers by a reply function the test
gives it (status, headers, body, or a generator of body chunks sent with pauses), and records
every request it received, so a test can prove that nothing reached it."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40
HTML = b"<!doctype html><html><body>metadata: secret-token</body></html>"


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: Callable[[], Iterator[bytes]] | None = None
    """A body sent chunk by chunk without Content-Length (the connection then closes)."""


def json_reply(document: Any, status: int = 200) -> Reply:
    return Reply(status, {"Content-Type": "application/json"}, json.dumps(document).encode())


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


Answer = Callable[[Seen], Reply]


class HostileServer:
    """``with HostileServer(answer) as server:`` → ``server.url``, ``server.requests``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[Seen] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self._handle()

            def _handle(self) -> None:
                seen = Seen(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                owner.requests.append(seen)
                reply = owner.answer(seen)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunks is None:
                    if "content-length" not in {k.lower() for k in reply.headers}:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for chunk in reply.chunks():
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except OSError:  # the client went away (that is what the test wants)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def trickle(pause: float = 0.02, first: bytes = PNG[:8]) -> Callable[[], Iterator[bytes]]:
    """A body that starts like a PNG and then sends one byte per ``pause`` forever (the
    server's side of a slow-body attack; the client must end it at its deadline)."""

    def chunks() -> Iterator[bytes]:
        yield first
        while True:
            time.sleep(pause)
            yield b"\x00"

    return chunks


def stall(first: bytes = PNG[:8], hold: float = 5.0) -> Callable[[], Iterator[bytes]]:
    """A body that sends a few bytes, then nothing for ``hold`` seconds."""

    def chunks() -> Iterator[bytes]:
        yield first
        time.sleep(hold)

    return chunks


def always(reply: Reply) -> Answer:
    return lambda seen: reply
