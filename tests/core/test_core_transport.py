"""The client's HTTP behaviour over httpx.MockTransport: retries, auth, error mapping."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from tests._clock import RecordedWaits
from wenwen import AsyncWenwenClient, WenwenClient, errors

MODELS = {"object": "list", "data": [{"id": "gpt-4o", "object": "model", "owned_by": "x"}]}
Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*replies: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(replies)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return handler, seen


def sync_client(handler: Handler, **kwargs: object) -> WenwenClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return WenwenClient(
        api_key="sk-test", base_url="http://relay.test/v1", http_client=http, **kwargs
    )  # type: ignore[arg-type]


@pytest.fixture
def sleeps() -> RecordedWaits:
    return RecordedWaits()


def test_429_with_retry_after_then_success(sleeps: RecordedWaits) -> None:
    handler, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "1"}, json={"error": {"message": "busy"}}),
        httpx.Response(200, json=MODELS),
    )
    models = sync_client(handler, clock=sleeps.clock).list_models()
    assert [m.id for m in models] == ["gpt-4o"]
    assert sleeps == [1.0]
    assert len(seen) == 2
    assert seen[0].url == "http://relay.test/v1/models"
    assert seen[0].headers["authorization"] == "Bearer sk-test"


def test_401_is_not_retried_and_keeps_the_relay_message(sleeps: RecordedWaits) -> None:
    body = {
        "error": {"message": "无效的令牌 (request id: r-1)", "type": "new_api_error", "code": ""}
    }
    handler, seen = scripted(httpx.Response(401, json=body))
    with pytest.raises(errors.AuthenticationError) as info:
        sync_client(handler, clock=sleeps.clock, max_retries=5).list_models()
    assert info.value.message == "无效的令牌 (request id: r-1)"
    assert info.value.request_id == "r-1"
    assert len(seen) == 1 and sleeps == []


def test_5xx_retried_until_the_budget_is_spent(sleeps: RecordedWaits) -> None:
    handler, seen = scripted(*[httpx.Response(500, text="oops") for _ in range(3)])
    with pytest.raises(errors.InternalServerError):
        sync_client(handler, clock=sleeps.clock, max_retries=2).list_models()
    assert len(seen) == 3 and len(sleeps) == 2


def test_model_not_found_503_is_not_retried(sleeps: RecordedWaits) -> None:
    body = {"error": {"message": "no channel", "type": "new_api_error", "code": "model_not_found"}}
    handler, seen = scripted(httpx.Response(503, json=body))
    with pytest.raises(errors.ModelNotFoundError):
        sync_client(handler, clock=sleeps.clock).list_models()
    assert len(seen) == 1


def test_connection_errors_are_retried_then_typed(sleeps: RecordedWaits) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(errors.APIConnectionError) as info:
        sync_client(handler, clock=sleeps.clock, max_retries=1).list_models()
    assert len(sleeps) == 1
    assert "sk-test" not in str(info.value)


def test_timeouts_are_typed(sleeps: RecordedWaits) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(errors.APITimeoutError):
        sync_client(handler, clock=sleeps.clock, max_retries=0).list_models()


def test_broken_json_on_200_is_a_protocol_error() -> None:
    handler, _ = scripted(
        httpx.Response(200, content=b'{"data": [', headers={"content-type": "application/json"})
    )
    with pytest.raises(errors.ProtocolError, match="not valid JSON"):
        sync_client(handler).list_models()


def test_error_wrapped_in_a_200_is_raised() -> None:
    handler, _ = scripted(httpx.Response(200, json={"error": {"message": "upstream died"}}))
    with pytest.raises(errors.APIStatusError, match="upstream died"):
        sync_client(handler).list_models()


def test_missing_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENWEN_API_KEY", raising=False)
    client = WenwenClient(
        base_url="http://relay.test",
        http_client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))),
    )
    with pytest.raises(errors.ConfigurationError, match="WENWEN_API_KEY"):
        client.list_models()


def test_key_never_in_repr() -> None:
    client = WenwenClient(api_key="sk-secret-canary", base_url="http://relay.test")
    assert "sk-secret-canary" not in repr(client)
    assert "sk-secret-canary" not in repr(client.__dict__)


def test_default_headers_are_sent() -> None:
    handler, seen = scripted(httpx.Response(200, json=MODELS))
    sync_client(handler, default_headers={"X-Trace": "t1"}).list_models()
    assert seen[0].headers["x-trace"] == "t1"
    assert seen[0].headers["user-agent"].startswith("wenwen-ai/")


def embedding_handler(calls: list[dict]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append(body)
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0]}
            for i, t in enumerate(body["input"])
        ]
        data.reverse()  # relays do not promise order: the index is what counts
        return httpx.Response(
            200,
            json={
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": len(data), "total_tokens": len(data)},
            },
        )

    return handler


def test_embeddings_batch_keep_order_and_send_raw_text() -> None:
    calls: list[dict] = []
    texts = ["a", "bb", "ccc", "dddd", "eeeee"]
    result = sync_client(embedding_handler(calls)).embed(
        texts, model="text-embedding-3-small", batch_size=2, dimensions=2
    )
    assert [v[0] for v in result.vectors] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [c["input"] for c in calls] == [["a", "bb"], ["ccc", "dddd"], ["eeeee"]]
    assert all(c["encoding_format"] == "base64" and c["dimensions"] == 2 for c in calls)
    assert result.usage.input_tokens == 5


def test_embeddings_reject_token_ids() -> None:
    with pytest.raises(errors.ConfigurationError, match="raw text"):
        sync_client(embedding_handler([])).embed([[1, 2, 3]], model="m")  # type: ignore[list-item]


def test_embedding_count_mismatch_is_a_protocol_error() -> None:
    handler, _ = scripted(httpx.Response(200, json={"data": [], "model": "m"}))
    with pytest.raises(errors.ProtocolError, match="0 vectors for 1 inputs"):
        sync_client(handler).embed(["x"], model="m")


def test_async_embeddings_run_batches_concurrently_but_bounded() -> None:
    state = {"now": 0, "peak": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        state["now"] -= 1
        return embedding_handler([])(request)

    async def run() -> list[list[float]]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        client = AsyncWenwenClient(api_key="k", base_url="http://relay.test", http_client=http)
        result = await client.embed(
            [str(i) * (i + 1) for i in range(10)], model="m", batch_size=1, max_concurrency=3
        )
        return result.vectors

    vectors = asyncio.run(run())
    assert [v[0] for v in vectors] == [float(i + 1) for i in range(10)]
    assert 1 < state["peak"] <= 3


def test_async_client_retries_like_the_sync_one(sleeps: RecordedWaits) -> None:
    replies = [
        httpx.Response(429, headers={"retry-after-ms": "200"}),
        httpx.Response(200, json=MODELS),
    ]

    async def run() -> int:
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: replies.pop(0)))
        async with AsyncWenwenClient(
            api_key="k", base_url="http://relay.test", http_client=http, clock=sleeps.clock
        ) as c:
            return len(await c.list_models())

    assert asyncio.run(run()) == 1
    assert sleeps == [0.2]


def test_sync_embeddings_run_batches_in_parallel_threads_in_order() -> None:
    import threading

    lock = threading.Lock()
    state = {"now": 0, "peak": 0, "seen": 0}
    both_in = threading.Barrier(2, timeout=5)

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["seen"] += 1
            first_two = state["seen"] <= 2
            state["peak"] = max(state["peak"], state["now"])
        if first_two:
            both_in.wait()  # the first two batches meet: proof that they overlap
        with lock:
            state["now"] -= 1
        return embedding_handler([])(request)

    texts = [str(i) * (i + 1) for i in range(6)]
    result = sync_client(handler).embed(texts, model="m", batch_size=1, max_concurrency=2)
    assert [v[0] for v in result.vectors] == [float(i + 1) for i in range(6)]
    assert state["peak"] == 2


def test_base64_vectors_are_decoded() -> None:
    import base64
    import struct

    packed = base64.b64encode(struct.pack("<3f", 0.5, -1.0, 2.0)).decode()
    reply = {"data": [{"index": 0, "embedding": packed}], "model": "m"}
    handler, _ = scripted(httpx.Response(200, json=reply))
    assert sync_client(handler).embed(["x"], model="m").vectors == [[0.5, -1.0, 2.0]]
    handler, _ = scripted(httpx.Response(200, json={"data": [{"index": 0, "embedding": "%%"}]}))
    with pytest.raises(errors.ProtocolError, match="base64"):
        sync_client(handler).embed(["x"], model="m")
