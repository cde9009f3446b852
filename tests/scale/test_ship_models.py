"""Models travel to workers: with a user's own httpx client they pickle without it (a
``ClientNotPickledWarning`` names the field, the original keeps it, the copy builds its own
pool); ``rate_limit`` travels as a setting; LangChain's ``rate_limiter`` keeps working."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from typing import Any

import cloudpickle
import httpx
import pytest
from langchain_core.rate_limiters import InMemoryRateLimiter

from langchain_wenwen import ChatWenwen, WenwenEmbeddings
from llama_index_wenwen import Wenwen, WenwenEmbedding
from wenwen.concurrency import RateLimit
from wenwen.errors import ClientNotPickledWarning
from wenwen_emulator import Emulator

CASES: list[tuple[type[Any], str, Callable[[], Any]]] = [
    (ChatWenwen, "http_client", httpx.Client),
    (ChatWenwen, "http_async_client", httpx.AsyncClient),
    (WenwenEmbeddings, "http_client", httpx.Client),
    (WenwenEmbeddings, "http_async_client", httpx.AsyncClient),
    (Wenwen, "http_client", httpx.Client),
    (Wenwen, "async_http_client", httpx.AsyncClient),
    (WenwenEmbedding, "http_client", httpx.Client),
    (WenwenEmbedding, "async_http_client", httpx.AsyncClient),
]


def build(cls: type[Any], emu: Emulator, **fields: Any) -> Any:
    if cls in (ChatWenwen, Wenwen):
        fields["model"] = "gpt-4o-mini"
    return cls(api_key=emu.api_key, base_url=emu.base_url, **fields)


def embed_or_chat(model: Any) -> object:
    if isinstance(model, WenwenEmbeddings):
        return model.embed_query("hello")
    if isinstance(model, WenwenEmbedding):
        return model.get_text_embedding("hello")
    if isinstance(model, ChatWenwen):
        return model.invoke("Where is the Eiffel Tower?").content
    return model.complete("Where is the Eiffel Tower?").text


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps], ids=["pickle", "cloudpickle"])
@pytest.mark.parametrize(("cls", "field", "make"), CASES)
def test_a_user_client_stays_behind_with_a_warning_naming_it(
    emu: Emulator, cls: type[Any], field: str, make: Callable[[], Any], dumps: Any
) -> None:
    own = make()
    model = build(cls, emu, rate_limit=50, **{field: own})
    with pytest.warns(ClientNotPickledWarning) as caught:
        copy = pickle.loads(dumps(model))
    assert [w.message.field for w in caught.list] == [field]  # type: ignore[union-attr]
    assert f"{cls.__name__}.{field}" in str(caught.list[0].message)
    assert getattr(model, field) is own  # the original keeps its client
    assert getattr(copy, field) is None
    assert copy.rate_limit == 50
    assert embed_or_chat(copy)  # the copy works with a pool of its own


@pytest.mark.parametrize("cls", [ChatWenwen, WenwenEmbeddings, Wenwen, WenwenEmbedding])
def test_models_without_user_clients_pickle_silently(emu: Emulator, cls: type[Any]) -> None:
    import warnings

    model = build(cls, emu)
    embed_or_chat(model)  # a used model too
    with warnings.catch_warnings():
        warnings.simplefilter("error", ClientNotPickledWarning)
        copy = pickle.loads(cloudpickle.dumps(model))
    assert embed_or_chat(copy)


def test_the_clients_of_one_model_share_one_limiter(emu: Emulator) -> None:
    embeddings = WenwenEmbeddings(
        api_key=emu.api_key,
        base_url=emu.base_url,
        rate_limit=RateLimit(requests_per_second=100, tokens_per_minute=1e6),
    )
    embeddings.embed_documents(["one"])
    asyncio.run(embeddings.aembed_documents(["two"]))
    sync = embeddings._clients.sync(embeddings._make_client)
    assert sync.limiter is embeddings._clients.limiter(embeddings.rate_limit)
    assert sync.limiter.rate_limit == embeddings.rate_limit


def test_a_langchain_rate_limiter_is_asked_once_per_embedding_request(emu: Emulator) -> None:
    asked: list[str] = []

    class Counting(InMemoryRateLimiter):
        def acquire(self, *, blocking: bool = True) -> bool:
            asked.append("sync")
            return super().acquire(blocking=blocking)

        async def aacquire(self, *, blocking: bool = True) -> bool:
            asked.append("async")
            return await super().aacquire(blocking=blocking)

    limiter = Counting(requests_per_second=1000, check_every_n_seconds=0.001, max_bucket_size=10)
    embeddings = WenwenEmbeddings(
        api_key=emu.api_key, base_url=emu.base_url, chunk_size=2, rate_limiter=limiter
    )
    texts = ["a", "b", "c", "d", "e"]
    assert len(embeddings.embed_documents(texts)) == 5
    assert len(asyncio.run(embeddings.aembed_documents(texts))) == 5
    assert asked == ["sync"] * 3 + ["async"] * 3  # three batches each way


def test_chat_keeps_langchain_rate_limiter(emu: Emulator) -> None:
    limiter = InMemoryRateLimiter(requests_per_second=1000, check_every_n_seconds=0.001)
    llm = ChatWenwen(
        model="gpt-4o-mini",
        api_key=emu.api_key,
        base_url=emu.base_url,
        rate_limiter=limiter,
        rate_limit=100,
    )
    assert llm.invoke("Where is the Eiffel Tower?").content
    assert llm.batch(["Where is the Colosseum?"] * 3)
