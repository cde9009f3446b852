"""One deadline per call: ``total_timeout`` bounds every attempt, wait and read, on every
transport, and the error states what really happened. Hostile servers on loopback that never
answer, drip a body or ask for long waits; the budgets are small so the tests end quickly (the
default budget is measured by ``bench/hostile.py``, not here)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests._clock import RecordedWaits
from tests._hostile import HostileServer, Reply, hostile_server
from wenwen import AsyncWenwenClient, WenwenClient, errors
from wenwen.connection import DEFAULT_TOTAL_TIMEOUT, ConnectionOptions

KEY = "sk-deadline-test"
TRANSPORTS = ["sync", "httpx", "aiohttp"]


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as running:
        yield running


def run(kind: str, base_url: str, call: Callable[[Any], Any], **options: Any) -> Any:
    if kind == "sync":
        with WenwenClient(api_key=KEY, base_url=base_url, **options) as client:
            return call(client)

    async def go() -> Any:
        async with AsyncWenwenClient(
            api_key=KEY, base_url=base_url, async_transport=kind, **options
        ) as client:
            return await call(client)

    return asyncio.run(go())


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_server_that_never_answers_ends_the_call_at_its_budget(
    kind: str, server: HostileServer
) -> None:
    server.route("/", Reply(hang=True))
    with pytest.raises(errors.APITimeoutError) as info:
        run(
            kind,
            server.base_url,
            lambda c: c.request_json("GET", "/v1/models"),
            timeout=30.0,
            max_retries=5,
            total_timeout=0.4,
        )
    error = info.value
    assert (error.total_timeout, error.timeout, error.host) == (0.4, 30.0, "127.0.0.1")
    assert error.attempts is not None and error.attempts >= 1
    assert error.elapsed is not None and error.elapsed > 0
    assert error.__context__ is None and error.__cause__ is None
    assert str(error.attempts) in str(error) and "127.0.0.1" in str(error)


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_dripped_body_ends_at_the_budget(kind: str, server: HostileServer) -> None:
    body = json.dumps({"data": [{"id": "m" * 2000}]}).encode()
    server.route("/", Reply(body=body, drip=0.02))
    with pytest.raises(errors.APITimeoutError) as info:
        run(
            kind,
            server.base_url,
            lambda c: c.request_json("GET", "/v1/models"),
            timeout=30.0,
            max_retries=0,
            total_timeout=0.4,
        )
    assert info.value.total_timeout == 0.4


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_retry_wait_past_the_budget_is_not_taken(kind: str, server: HostileServer) -> None:
    server.route("/", Reply(503, headers={"Retry-After": "20"}, body=b'{"error":"busy"}'))
    waits = RecordedWaits()
    with pytest.raises(errors.InternalServerError) as info:
        run(
            kind,
            server.base_url,
            lambda c: c.request_json("GET", "/v1/models"),
            max_retries=3,
            max_retry_wait=60,
            total_timeout=5,
            clock=waits.clock,
        )
    assert waits == []
    assert len(server.seen) == 1
    assert "total_timeout=5" in str(info.value)


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_simulated_waits_spend_the_budget(kind: str, server: HostileServer) -> None:
    server.route("/", Reply(503, headers={"Retry-After": "2"}, body=b'{"error":"busy"}'))
    waits = RecordedWaits()
    with pytest.raises(errors.InternalServerError):
        run(
            kind,
            server.base_url,
            lambda c: c.request_json("GET", "/v1/models"),
            max_retries=10,
            max_retry_wait=100,
            total_timeout=5,
            clock=waits.clock,
        )
    assert waits == [2.0, 2.0]  # a third wait would pass the 5 s budget
    assert len(server.seen) == 3


def test_the_budget_is_validated_and_has_a_finite_default() -> None:
    assert DEFAULT_TOTAL_TIMEOUT == 600.0
    assert WenwenClient(api_key=KEY, base_url="http://127.0.0.1:9").total_timeout == 600.0
    assert ConnectionOptions.of(total_timeout=None).client().total_timeout is None
    for bad in (0, -1, float("inf"), float("nan"), "5", True):
        with pytest.raises(errors.ConfigurationError, match="total_timeout"):
            WenwenClient(api_key=KEY, base_url="http://127.0.0.1:9", total_timeout=bad)


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_per_call_budget_overrides_the_clients(kind: str, server: HostileServer) -> None:
    server.route("/", Reply(hang=True))
    with pytest.raises(errors.APITimeoutError) as info:
        run(
            kind,
            server.base_url,
            lambda c: c.request("GET", "/v1/models", total_timeout=0.3),
            max_retries=0,
        )
    assert info.value.total_timeout == 0.3


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_task_wait_whose_poll_hangs_ends_at_its_deadline(
    kind: str, server: HostileServer
) -> None:
    server.route("/v1/videos/", Reply(hang=True))
    with pytest.raises(errors.TaskTimeoutError) as info:
        run(kind, server.base_url, lambda c: c.videos.wait("video_9", timeout=0.5))
    assert info.value.task_id == "video_9"
    assert 1 <= len(server.seen) <= 3


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_midjourney_wait_whose_poll_hangs_ends_at_its_deadline(
    kind: str, server: HostileServer
) -> None:
    server.route("/mj/task/", Reply(hang=True))
    with pytest.raises(errors.TaskTimeoutError) as info:
        run(kind, server.base_url, lambda c: c.midjourney.wait("1712", timeout=0.5), max_retries=0)
    assert info.value.task_id == "1712"
