"""Run the emulator in a background thread: ``with Emulator() as emu: emu.base_url``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import uvicorn

from .app import create_app
from .billing import BillingBook
from .clock import EmulatorClock
from .faults import Fault
from .models import ModelInfo
from .rate_limit import KeyRateLimit
from .state import EmulatorState, RecordedRequest


class Emulator:
    """A local, deterministic Wenwen-compatible server on ``127.0.0.1`` (port picked freely).

    ``api_keys`` are the accepted keys (``api_key`` is the first), ``require_auth=False``
    accepts anything, ``latency`` adds seconds to every API request, ``quirks`` switches relay
    quirks on server-wide, ``stall_timeout`` bounds the ``stall`` fault, ``models`` adds
    models to the catalogue (``"name"``, ``"name:kind"`` or ``ModelInfo``).
    ``time_scale`` is how fast task jobs (video, Midjourney) age: 60 makes a minute pass per
    second; tests move ``clock`` by hand instead. ``rate_limit`` allows that many API
    requests per key in any ``rate_limit_period`` seconds (default 1) and answers the rest
    429, with ``Retry-After`` unless ``rate_limit_retry_after=False`` (new-api sends none).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Iterable[str] | None = None,
        require_auth: bool = True,
        latency: float = 0.0,
        quirks: Iterable[str] = (),
        stall_timeout: float = 30.0,
        log_level: str = "warning",
        models: Iterable[str | ModelInfo] = (),
        time_scale: float = 1.0,
        rate_limit: int | None = None,
        rate_limit_period: float = 1.0,
        rate_limit_retry_after: bool = True,
    ) -> None:
        self.state = EmulatorState(
            models=models,
            api_keys=api_keys,
            require_auth=require_auth,
            latency=latency,
            quirks=quirks,
            stall_timeout=stall_timeout,
            time_scale=time_scale,
        )
        if rate_limit is not None:
            self.state.rate_limit = KeyRateLimit(
                rate_limit,
                rate_limit_period,
                retry_after=rate_limit_retry_after,
                now=self.state.clock.now,
            )
        self.app = create_app(self.state)
        self._host, self._port, self._log_level = host, port, log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # -------------------------------------------------------------- lifecycle
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit TCP_NODELAY; without it uvicorn's separate header and body
        # writes meet the client's delayed ACK and every reply takes ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self._host, self._port))
        self._socket = sock
        config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            ws="none",
        )
        server = uvicorn.Server(config)
        self._server = server
        self.state.closing = False
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="wenwen-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Wenwen emulator failed to start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self.state.closing = True
        server.should_exit = True
        if thread is not None:
            thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -------------------------------------------------------------- accessors
    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return int(self._socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash, no ``/v1``)."""
        return f"http://{self._host}:{self.port}"

    @property
    def api_key(self) -> str:
        return self.state.api_keys[0] if self.state.api_keys else ""

    @property
    def requests(self) -> list[RecordedRequest]:
        """Recorded API requests (live list; control endpoints are not recorded)."""
        return self.state.requests

    @property
    def quirks(self) -> set[str]:
        """Server-wide quirks (mutable; ``reset()`` restores the constructor's set)."""
        return self.state.quirks

    def inject(self, fault: str | Fault, times: int = 1, path: str | None = None) -> None:
        """Queue ``fault`` for the next ``times`` API requests (only to ``path`` if given)."""
        self.state.inject(fault, times, path)

    def script(self, *steps: Any, model: str | None = None, route: str | None = None) -> None:
        """Queue what the model answers next, one step per chat request, on every protocol:
        ``emu.script(call("search", q="x"), "done")`` (see :mod:`.script`). ``model`` /
        ``route`` (``openai``, ``responses``, ``anthropic``, ``gemini`` or a path) limit the
        steps to matching requests; after the last step the mock model answers again."""
        self.state.scripts.add(steps, model=model, route=route)

    @property
    def clock(self) -> EmulatorClock:
        """The clock task jobs run on: ``advance(seconds)``, ``time_scale`` (0 freezes it)."""
        return self.state.clock

    @property
    def billing(self) -> BillingBook:
        """Balances and groups by key: ``set_balance(key, usd=...)``, ``set_group(key,
        "vip")``, ``account(key).remain`` (quota units; 500,000 per USD)."""
        return self.state.billing

    def fail_next_task(self, reason: str = "emulated failure") -> None:
        """The next video or Midjourney job created fails half way with ``reason``."""
        self.state.tasks.fail_next(reason)

    def mj_submit_code(self, code: int) -> None:
        """The next Midjourney submit answers ``code`` (22 queued, 23 queue full, 24 banned
        prompt, other codes refuse with a description)."""
        self.state.tasks.mj_codes.append(code)

    def reset(self) -> None:
        """Forget recorded requests, queued faults and scripts and the prompt cache; restore
        quirks; rewind the clock and forget task jobs."""
        self.state.reset()
