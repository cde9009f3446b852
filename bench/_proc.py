"""CPU pinning and the fake server child process (always on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

SERVER_SCRIPT = Path(__file__).with_name("fake_server.py")
CLIENT_CPU = 0
SERVER_CPU = 1


def can_pin() -> bool:
    """Pinning needs two CPUs this process may use, and Linux's sched_setaffinity."""
    if not hasattr(os, "sched_getaffinity"):
        return False
    allowed = os.sched_getaffinity(0)
    return CLIENT_CPU in allowed and SERVER_CPU in allowed


def pin_self() -> str:
    if not can_pin():
        return "not pinned (needs CPUs 0 and 1 and sched_setaffinity)"
    os.sched_setaffinity(0, {CLIENT_CPU})
    return f"clients pinned to CPU {CLIENT_CPU}, fake servers to CPU {SERVER_CPU}"


class FakeServer:
    """``bench/fake_server.py`` as a child process; ``url`` is its root (no ``/v1``)."""

    def __init__(self, *, latency: float = 0.0, pin: bool = True) -> None:
        command = [sys.executable, str(SERVER_SCRIPT), "--port", "0", "--latency", str(latency)]
        if pin and can_pin():
            command += ["--cpu", str(SERVER_CPU)]
        self.latency = latency
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()  # blocks until the server is listening
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"fake server did not start (said {line!r})")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        self._control = httpx.Client(base_url=self.url, trust_env=False, timeout=30.0)

    def reset(self) -> None:
        self._control.post("/_reset").raise_for_status()

    def stats(self) -> dict[str, Any]:
        response = self._control.get("/_stats")
        response.raise_for_status()
        result: dict[str, Any] = json.loads(response.content)
        return result

    def close(self) -> None:
        control = getattr(self, "_control", None)
        if control is not None:
            control.close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
