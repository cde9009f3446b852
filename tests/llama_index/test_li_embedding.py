"""``WenwenEmbedding``: names, batching, order, dimensions, bounded async concurrency."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding

from llama_index_wenwen import WenwenEmbedding
from wenwen import errors

TEXTS = [f"text number {i} about topic {i % 3}" for i in range(7)]


def test_is_a_base_embedding_with_sane_defaults(emu: Any) -> None:
    embed = WenwenEmbedding(api_key=emu.api_key, base_url=emu.base_url)
    assert isinstance(embed, BaseEmbedding)
    assert embed.model_name == embed.model == "text-embedding-3-small"
    assert embed.embed_batch_size == 100


def test_model_and_model_name_are_the_same_setting(emu: Any) -> None:
    assert WenwenEmbedding(model="text-embedding-3-large").model_name == "text-embedding-3-large"
    assert WenwenEmbedding(model_name="bge-m3").model_name == "bge-m3"
    with pytest.raises(errors.ConfigurationError, match="disagree"):
        WenwenEmbedding(model="a", model_name="b")


def test_batches_keep_order_and_send_raw_text(
    make_embedding: Callable[..., WenwenEmbedding], emu: Any
) -> None:
    embed = make_embedding(embed_batch_size=3)
    vectors = embed.get_text_embedding_batch(TEXTS)
    singles = [embed.get_text_embedding(t) for t in TEXTS]
    assert vectors == singles
    bodies = [r.json for r in emu.requests if r.path == "/v1/embeddings"][:3]
    assert [b["input"] for b in bodies] == [TEXTS[0:3], TEXTS[3:6], TEXTS[6:7]]
    assert all(b["encoding_format"] == "base64" for b in bodies)


def test_query_embeddings_sync_and_async(make_embedding: Callable[..., WenwenEmbedding]) -> None:
    embed = make_embedding()
    sync = embed.get_query_embedding("where is the tower")
    assert sync == asyncio.run(embed.aget_query_embedding("where is the tower"))
    assert asyncio.run(embed.aget_text_embedding("where is the tower")) == sync
    assert len(sync) == 1536


def test_dimensions_and_extra_body(
    make_embedding: Callable[..., WenwenEmbedding], emu: Any
) -> None:
    embed = make_embedding(
        model="text-embedding-3-large", dimensions=256, additional_kwargs={"user": "u-7"}
    )
    assert len(embed.get_text_embedding("hello")) == 256
    body = [r.json for r in emu.requests if r.path == "/v1/embeddings"][-1]
    assert body["dimensions"] == 256 and body["user"] == "u-7"


def test_async_batches_keep_order(make_embedding: Callable[..., WenwenEmbedding]) -> None:
    embed = make_embedding(embed_batch_size=2)
    expected = embed.get_text_embedding_batch(TEXTS)
    assert asyncio.run(embed.aget_text_embedding_batch(TEXTS)) == expected


class ConcurrencyProbe:
    """A fake relay that records how many embedding requests are in flight at once."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.calls = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.calls += 1
        self.peak = max(self.peak, self.in_flight)
        for _ in range(5):  # yield to the loop so that other requests can start
            await asyncio.sleep(0)
        self.in_flight -= 1
        texts = json.loads(request.content)["input"]
        data = [{"index": i, "embedding": [float(len(t)), 1.0]} for i, t in enumerate(texts)]
        return httpx.Response(200, json={"data": data, "model": "m", "usage": {}})


@pytest.mark.parametrize(
    ("settings", "limit"), [({}, 4), ({"max_concurrency": 2}, 2), ({"num_workers": 3}, 3)]
)
def test_async_concurrency_is_bounded(settings: dict[str, Any], limit: int) -> None:
    probe = ConcurrencyProbe()

    async def main() -> list[list[float]]:
        embed = WenwenEmbedding(
            api_key="sk-test",
            base_url="http://127.0.0.1:9",
            embed_batch_size=1,
            async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(probe.handle)),
            **settings,
        )
        return await embed.aget_text_embedding_batch(TEXTS * 3)

    vectors = asyncio.run(main())
    assert vectors == [[float(len(t)), 1.0] for t in TEXTS * 3]
    assert probe.calls == len(TEXTS) * 3
    assert probe.peak == limit


def test_errors_are_typed(make_embedding: Callable[..., WenwenEmbedding]) -> None:
    with pytest.raises(errors.AuthenticationError):
        make_embedding(api_key="sk-nope").get_text_embedding("x")
    with pytest.raises(errors.APIStatusError):
        make_embedding(model="gpt-4o-mini").get_text_embedding("x")
