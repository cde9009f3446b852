"""Pickling, for process pools and distributed engines (Ray, Dask, Spark pickle the model into
their workers): every model pickles and cloudpickles, fresh or used, with its sync and async
clients built or not. Connections are never pickled; the copy builds its own."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import cloudpickle
import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_wenwen import ChatWenwen, WenwenEmbeddings
from llama_index_wenwen import Wenwen, WenwenEmbedding

SYSTEM = "The lighthouse keeper counts seventeen gulls every morning."
QUESTION = "How many gulls does the lighthouse keeper count?"


def _models(emu: Any) -> dict[str, Any]:
    common = {"api_key": emu.api_key, "base_url": emu.base_url}
    return {
        "ChatWenwen": ChatWenwen(model="gpt-4o-mini", **common),
        "WenwenEmbeddings": WenwenEmbeddings(**common),
        "Wenwen": Wenwen(model="gpt-4o-mini", **common),
        "WenwenEmbedding": WenwenEmbedding(**common),
    }


def use(model: Any) -> Any:
    """One sync call through whichever interface ``model`` has."""
    if isinstance(model, ChatWenwen):
        return model.invoke([("system", SYSTEM), ("user", QUESTION)]).content
    if isinstance(model, Wenwen):
        messages = [
            ChatMessage(role="system", content=SYSTEM),
            ChatMessage(role="user", content=QUESTION),
        ]
        return model.chat(messages).message.content
    if isinstance(model, WenwenEmbeddings):
        return model.embed_query(QUESTION)
    return model.get_text_embedding(QUESTION)


async def ause(model: Any) -> Any:
    if isinstance(model, ChatWenwen):
        return (await model.ainvoke([("system", SYSTEM), ("user", QUESTION)])).content
    if isinstance(model, Wenwen):
        messages = [
            ChatMessage(role="system", content=SYSTEM),
            ChatMessage(role="user", content=QUESTION),
        ]
        return (await model.achat(messages)).message.content
    if isinstance(model, WenwenEmbeddings):
        return await model.aembed_query(QUESTION)
    return await model.aget_text_embedding(QUESTION)


def _check(model: Any, value: Any) -> None:
    if isinstance(model, ChatWenwen | Wenwen):
        assert value == SYSTEM
    else:
        assert isinstance(value, list) and len(value) > 8


@pytest.fixture(scope="module")
def open_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A loop that stays open while models are pickled, so their async clients are live."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())  # closes the models' pools on it
    loop.close()


def _warm(model: Any, state: str, loop: asyncio.AbstractEventLoop) -> None:
    if state in ("sync-used", "both-used"):
        _check(model, use(model))
    if state in ("async-used", "both-used"):
        _check(model, loop.run_until_complete(ause(model)))


@pytest.mark.parametrize(
    ("dumps", "state"),
    [
        (pickle.dumps, "fresh"),
        (pickle.dumps, "sync-used"),
        (pickle.dumps, "async-used"),
        (pickle.dumps, "both-used"),
        (cloudpickle.dumps, "both-used"),
        (cloudpickle.dumps, "fresh"),
    ],
    ids=["pickle-fresh", "pickle-sync", "pickle-async", "pickle-both", "cloudpickle-both",
         "cloudpickle-fresh"],
)  # fmt: skip
def test_round_trip_then_use(
    emu: Any, open_loop: asyncio.AbstractEventLoop, dumps: Callable[[Any], bytes], state: str
) -> None:
    for name, model in _models(emu).items():
        _warm(model, state, open_loop)
        copy = pickle.loads(dumps(model))
        assert type(copy) is type(model), name
        _check(copy, use(copy))
        _check(copy, asyncio.run(ause(copy)))
        _check(model, use(model))  # the original still works, with its own clients


def _chat_and_embed_in_worker(models: tuple[Any, ...]) -> list[Any]:
    return [use(model) for model in models]


def test_spawn_process_pool_chats_and_embeds(emulator_process: Any) -> None:
    """Workers started with ``spawn`` (a fresh interpreter: nothing inherited) receive the
    models by pickle and call the emulator from there."""
    models = tuple(_models(emulator_process).values())
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        results = pool.submit(_chat_and_embed_in_worker, models).result(timeout=120)
    for model, value in zip(models, results, strict=True):
        _check(model, value)
