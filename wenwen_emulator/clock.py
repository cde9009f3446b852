"""The emulator's clock: task state machines read it, tests move it.

``now()`` runs at ``time_scale`` times wall speed (``0`` freezes it, ``60`` makes a minute
pass each second) plus whatever ``advance(seconds)`` added, so a test steps a video job from
``queued`` to ``completed`` with ``emu.clock.advance(30)`` and never sleeps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class EmulatorClock:
    def __init__(
        self,
        time_scale: float = 1.0,
        *,
        wall: Callable[[], float] = time.monotonic,
        epoch: float | None = None,
    ) -> None:
        if time_scale < 0:
            raise ValueError(f"time_scale must be >= 0, got {time_scale}")
        self._wall = wall
        self._lock = threading.Lock()
        self._initial_scale = time_scale
        self._epoch = time.time() if epoch is None else epoch
        self._rebase(time_scale, self._epoch)

    def _rebase(self, scale: float, at: float) -> None:
        self._scale = scale
        self._base = at
        self._wall_base = self._wall()

    def now(self) -> float:
        """Emulated seconds since the Unix epoch."""
        with self._lock:
            return self._base + (self._wall() - self._wall_base) * self._scale

    def advance(self, seconds: float) -> float:
        """Move emulated time forward; returns the new ``now()``."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._base += seconds
            return self._base + (self._wall() - self._wall_base) * self._scale

    @property
    def time_scale(self) -> float:
        return self._scale

    @time_scale.setter
    def time_scale(self, scale: float) -> None:
        if scale < 0:
            raise ValueError(f"time_scale must be >= 0, got {scale}")
        now = self.now()
        with self._lock:
            self._rebase(scale, now)

    def reset(self) -> None:
        """Back to the constructor's speed (time keeps its current value)."""
        self.time_scale = self._initial_scale
