"""A hostile HTTP server on 127.0.0.1 for security and reliability tests (shared helper).

Each connection's request is parsed (request line, headers, body) and recorded, then answered
by a *behaviour* chosen per path prefix: an ordinary reply, one that never comes, a body torn
off part-way, a body dripped slowly, or an endless Server-Sent-Events line. Threads, not
sleeps: a test never waits for the server, the server waits for the test (``stop`` wakes
every handler that is holding a connection open).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    """What to answer: ``status``/``headers``/``body``; ``torn_after`` sends that many body
    bytes and then closes; ``drip`` sends one byte per ``drip`` seconds; ``hang`` never
    answers; ``sse_line`` streams that many bytes of one ``data:`` line with no newline."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    torn_after: int | None = None
    drip: float | None = None
    hang: bool = False
    sse_line: int | None = None


Behaviour = Callable[[Seen], Reply]


class HostileServer:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.routes: list[tuple[str, Behaviour]] = []
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def route(self, prefix: str, behaviour: Behaviour | Reply) -> None:
        """Answer requests whose path starts with ``prefix`` (later routes win)."""
        chosen = behaviour if callable(behaviour) else (lambda _seen, r=behaviour: r)
        self.routes.insert(0, (prefix, chosen))

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            while not self._stop.is_set():
                seen = _read_request(conn)
                if seen is None:
                    return
                self.seen.append(seen)
                path = seen.target.split("?", 1)[0]
                behaviour = next((b for p, b in self.routes if path.startswith(p)), None)
                reply = behaviour(seen) if behaviour else Reply(404, body=b'{"error":"none"}')
                if not self._answer(conn, reply):
                    return

    def _answer(self, conn: socket.socket, reply: Reply) -> bool:
        """Send ``reply``; ``False`` when the connection is finished."""
        if reply.hang:
            self._stop.wait()
            return False
        headers = {"Content-Type": "application/json", **reply.headers}
        if reply.sse_line is not None:
            headers["Content-Type"] = "text/event-stream"
            _send_head(conn, reply.status, headers)
            return self._endless_line(conn, reply.sse_line)
        headers.setdefault("Content-Length", str(len(reply.body)))
        _send_head(conn, reply.status, headers)
        body = reply.body if reply.torn_after is None else reply.body[: reply.torn_after]
        try:
            if reply.drip is None:
                conn.sendall(body)
            else:
                for i in range(len(body)):
                    conn.sendall(body[i : i + 1])
                    if self._stop.wait(reply.drip):
                        return False
        except OSError:
            return False
        return reply.torn_after is None

    def _endless_line(self, conn: socket.socket, size: int) -> bool:
        chunk = b"x" * 65536
        try:
            conn.sendall(b"data: ")
            for _ in range(size // len(chunk) + 1):
                conn.sendall(chunk)
        except OSError:
            pass
        return False


def _send_head(conn: socket.socket, status: int, headers: dict[str, str]) -> None:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def _read_request(conn: socket.socket) -> Seen | None:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            piece = conn.recv(65536)
        except OSError:
            return None
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    return Seen(method, target, headers, body)


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer().start()
    try:
        yield server
    finally:
        server.stop()


def chain_text(error: BaseException) -> str:
    """Everything an exception shows: str, repr, args, message, body, notes, the formatted
    traceback, and the same for every exception in its ``__cause__``/``__context__`` chain
    (including a request's headers an httpx exception would carry)."""
    import traceback

    parts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args)]
        for name in ("message", "body", "headers", "url", "__notes__"):
            parts.append(repr(getattr(current, name, None)))
        request = getattr(current, "_request", None)
        if request is not None:
            parts.append(repr(dict(request.headers)))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)
