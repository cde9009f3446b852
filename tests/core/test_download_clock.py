"""A download's deadline is measured on the injected clock, like every other wait."""

from __future__ import annotations

import itertools

import pytest

from wenwen import Clock
from wenwen.errors import DownloadTimeoutError
from wenwen.media.download import Downloader


def test_the_deadline_runs_on_the_injected_clock() -> None:
    ticks = itertools.chain([0.0], itertools.repeat(901.0))  # start, then past 900 s
    sent: list[float] = []
    clock = Clock(sleep=sent.append, monotonic=lambda: next(ticks))
    # nothing listens on port 9: a request would fail with a connection error, not a timeout
    with (
        Downloader(relay_url="http://127.0.0.1:9", clock=clock, deadline=900) as downloader,
        pytest.raises(DownloadTimeoutError) as info,
    ):
        downloader.fetch("http://127.0.0.1:9/files/a.png", expect="image")
    assert info.value.url == "http://127.0.0.1:9/files/a.png"
    assert sent == []
