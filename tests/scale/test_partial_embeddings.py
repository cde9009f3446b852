"""Batches that fail after their retries no longer discard the others' vectors: the
``PartialEmbeddingError`` carries them and names the texts to embed again (core, LangChain,
LlamaIndex; sync and async)."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from langchain_wenwen import WenwenEmbeddings
from llama_index_wenwen import WenwenEmbedding
from wenwen import AsyncWenwenClient, WenwenClient, errors
from wenwen.errors import PartialEmbeddingError
from wenwen_emulator import Emulator

MODEL = "text-embedding-3-small"
TEXTS = [f"passage number {i}" for i in range(10)]
PATH = "/v1/embeddings"


def whole(emu: Emulator) -> list[list[float]]:
    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        return client.embed(TEXTS, model=MODEL, batch_size=100).vectors


def check(partial: PartialEmbeddingError, expected: list[list[float]], failed_batches: int) -> None:
    """``failed_batches`` batches of 3 (the last one may be shorter) are missing."""
    assert len(partial.errors) == failed_batches
    assert all(isinstance(e, errors.BadRequestError) for e in partial.errors)
    assert len(partial.vectors) == len(TEXTS)
    for i, vector in enumerate(partial.vectors):
        if i in partial.failed_indices:
            assert vector is None
        else:
            assert vector == expected[i]
    assert partial.failed_texts == [TEXTS[i] for i in partial.failed_indices]
    starts = {i // 3 for i in partial.failed_indices}
    assert len(starts) == failed_batches
    redone = [expected[i] for i in partial.failed_indices]
    assert partial.complete(redone) == expected


def core_sync(emu: Emulator, concurrency: int) -> Any:
    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        return client.embed(TEXTS, model=MODEL, batch_size=3, max_concurrency=concurrency)


def core_async(emu: Emulator, concurrency: int) -> Any:
    async def run() -> Any:
        async with AsyncWenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
            return await client.embed(TEXTS, model=MODEL, batch_size=3, max_concurrency=concurrency)

    return asyncio.run(run())


CALLS: dict[str, Callable[[Emulator, int], Any]] = {"sync": core_sync, "async": core_async}


@pytest.mark.parametrize("kind", sorted(CALLS))
@pytest.mark.parametrize("concurrency", [1, 4])
def test_core_keeps_the_batches_that_succeeded(emu: Emulator, kind: str, concurrency: int) -> None:
    expected = whole(emu)
    emu.inject("status:400", times=2, path=PATH)  # two of the four batches fail
    with pytest.raises(PartialEmbeddingError) as info:
        CALLS[kind](emu, concurrency)
    check(info.value, expected, failed_batches=2)


def test_when_every_batch_fails_the_first_error_is_raised_as_is(emu: Emulator) -> None:
    emu.inject("status:400", times=4, path=PATH)
    with pytest.raises(errors.BadRequestError):
        core_sync(emu, 2)


def test_the_error_pickles_for_engines_that_ship_it_to_the_driver(emu: Emulator) -> None:
    emu.inject("status:400", times=1, path=PATH)
    with pytest.raises(PartialEmbeddingError) as info:
        core_sync(emu, 1)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.failed_indices == info.value.failed_indices
    assert copy.vectors == info.value.vectors
    assert copy.failed_texts == TEXTS[:3]


def test_complete_checks_the_redone_count(emu: Emulator) -> None:
    emu.inject("status:400", times=1, path=PATH)
    with pytest.raises(PartialEmbeddingError) as info:
        core_sync(emu, 1)
    with pytest.raises(errors.ConfigurationError, match="3 failed texts"):
        info.value.complete([[0.0]])


@pytest.mark.parametrize("progress", [False, True])
def test_langchain_sync_and_async(emu: Emulator, progress: bool) -> None:
    expected = whole(emu)
    embeddings = WenwenEmbeddings(
        api_key=emu.api_key, base_url=emu.base_url, chunk_size=3, show_progress_bar=progress
    )
    emu.inject("status:400", times=1, path=PATH)
    with pytest.raises(PartialEmbeddingError) as info:
        embeddings.embed_documents(TEXTS)
    check(info.value, expected, failed_batches=1)
    emu.inject("status:400", times=1, path=PATH)
    with pytest.raises(PartialEmbeddingError) as info:
        asyncio.run(embeddings.aembed_documents(TEXTS))
    check(info.value, expected, failed_batches=1)
    redone = embeddings.embed_documents(info.value.failed_texts)
    assert info.value.complete(redone) == expected


def test_llama_index_sync_and_async(emu: Emulator) -> None:
    expected = whole(emu)
    embed = WenwenEmbedding(
        model=MODEL, api_key=emu.api_key, base_url=emu.base_url, embed_batch_size=3
    )
    emu.inject("status:400", times=1, path=PATH)
    with pytest.raises(PartialEmbeddingError) as info:
        embed.get_text_embedding_batch(TEXTS)
    check(info.value, expected, failed_batches=1)
    emu.inject("status:400", times=2, path=PATH)
    with pytest.raises(PartialEmbeddingError) as info:
        asyncio.run(embed.aget_text_embedding_batch(TEXTS))
    check(info.value, expected, failed_batches=2)
    assert embed.get_text_embedding_batch(TEXTS) == expected  # no fault: one list, as before
