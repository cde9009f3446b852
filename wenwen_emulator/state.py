"""Mutable emulator state shared between the HTTP app and the controlling test thread."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .billing import BillingBook
from .clock import EmulatorClock
from .faults import Fault, parse_faults
from .models import ModelInfo, user_models
from .rate_limit import KeyRateLimit
from .script import ScriptQueue
from .tasks import TaskStore

DEFAULT_API_KEY = "sk-emulator"
DEFAULT_SECRET = b"wenwen-emulator-thinking-signature"
"""Fixed by default, so thinking signatures stay valid across emulator restarts."""


@dataclass
class RecordedRequest:
    """One request as the emulator saw it. Header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    body: bytes = b""
    query: dict[str, str] = field(default_factory=dict)
    request_id: str = ""

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


@dataclass
class _QueuedFault:
    faults: list[Fault]
    remaining: int
    path: str | None


class EmulatorState:
    """Keys, switches, recorded requests, queued faults and the prompt-cache store."""

    def __init__(
        self,
        *,
        api_keys: Iterable[str] | None = None,
        require_auth: bool = True,
        latency: float = 0.0,
        quirks: Iterable[str] = (),
        stall_timeout: float = 30.0,
        secret: bytes | None = None,
        models: Iterable[str | ModelInfo] = (),
        time_scale: float = 1.0,
    ) -> None:
        self.clock = EmulatorClock(time_scale)
        self.tasks = TaskStore()
        self.api_keys = list(api_keys) if api_keys is not None else [DEFAULT_API_KEY]
        self.require_auth = require_auth
        self.latency = latency
        self.quirks = set(quirks)
        self._initial_quirks = set(quirks)
        self.stall_timeout = stall_timeout
        self.secret = secret or DEFAULT_SECRET
        self.closing = False
        self.requests: list[RecordedRequest] = []
        self.cache: set[str] = set()
        self.responses: dict[str, dict[str, Any]] = {}  # stored Responses API replies
        self.models: dict[str, ModelInfo] = user_models(models)
        """Models added by the user, served next to the catalogue."""
        self.billing = BillingBook()
        """Each key's balance and group (``wenwen_emulator.billing``)."""
        self._faults: list[_QueuedFault] = []
        self.scripts = ScriptQueue()
        """Scripted replies waiting for their request (:mod:`.script`)."""
        self._lock = threading.Lock()
        self._counter = 0
        self.rate_limit: KeyRateLimit | None = None
        """Requests per key and period (``Emulator(rate_limit=...)``); ``None``: unlimited."""

    def next_request_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"20250101000000{self._counter:08d}"

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def inject(self, spec: str | Fault, times: int = 1, path: str | None = None) -> None:
        faults = [spec] if isinstance(spec, Fault) else parse_faults(spec)
        with self._lock:
            self._faults.append(_QueuedFault(faults, max(1, times), path))

    def pop_faults(self, path: str) -> list[Fault]:
        with self._lock:
            for queued in self._faults:
                if queued.path is None or queued.path == path:
                    queued.remaining -= 1
                    if queued.remaining <= 0:
                        self._faults.remove(queued)
                    return list(queued.faults)
        return []

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self.scripts.clear()
            self.cache.clear()
            self.responses.clear()
            self.quirks = set(self._initial_quirks)
            self._counter = 0
        self.tasks.reset()
        self.clock.reset()
        self.billing.reset()
        if self.rate_limit is not None:
            self.rate_limit.reset()
