"""The clients under test, each built once, and the scenarios that call them.

Ours: ``ChatWenwen`` / ``WenwenEmbeddings`` (LangChain), ``Wenwen`` (LlamaIndex), and the
core ``WenwenClient`` for the breakdown. Anchors: ``ChatOpenAI``, ``OpenAIEmbeddings``,
``OpenAILike`` — optional (the ``[bench]`` extra). Floors: raw httpx doing the same HTTP.
Every client keeps its defaults except what pointing it at the fake server requires.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
from _harness import (
    BIG_BURST,
    Scenario,
    async_scenario,
    embed_scenario,
    stream_scenario,
    sync_scenario,
)
from _proc import FakeServer
from fake_server import DEFAULT_DIMENSIONS, DEFAULT_STREAM_CHUNKS, REPLY_TEXT, vector_pool
from pydantic import SecretStr

from wenwen import WenwenClient
from wenwen._http.transport import ShardedAsyncTransport
from wenwen.types import ChatRequest, Message, TextDelta, TextPart

API_KEY = SecretStr("sk-bench-local-fake-key")
CHAT_MODEL = "gpt-4o-mini"
EMBED_MODEL = "text-embedding-3-small"
PROMPT = "Say hello"
EMBED_TEXTS = [f"short text number {i}: the quick brown fox {i}" for i in range(5000)]
RAW_EMBED_BATCH = 512
RAW_EMBED_CONCURRENCY = 4
HEADERS = {"x-bench-chunks": str(DEFAULT_STREAM_CHUNKS)}
ANCHOR_MODULES = ("langchain_openai", "openai", "llama_index.llms.openai_like")
CLEANUPS: list[Callable[[], Awaitable[Any]]] = []  # run on the bench's event loop at the end
EXPECTED_STREAM_TEXT = "".join(f"tok{i} " for i in range(DEFAULT_STREAM_CHUNKS))


def missing_anchors() -> list[str]:
    missing = []
    for module in ANCHOR_MODULES:
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            missing.append(module)
    return missing


# --- checks --------------------------------------------------------------------------------


def check_text(text: Any) -> None:
    if text != REPLY_TEXT:
        raise AssertionError(f"unexpected reply text {text!r}")


def check_stream_text(text: str) -> None:
    if text != EXPECTED_STREAM_TEXT:
        raise AssertionError(f"stream text is {len(text)} chars, not the expected 200 chunks")


def check_vectors(vectors: list[list[float]]) -> None:
    if len(vectors) != len(EMBED_TEXTS):
        raise AssertionError(f"{len(vectors)} vectors for {len(EMBED_TEXTS)} texts")
    if any(len(v) != DEFAULT_DIMENSIONS for v in vectors[:10]):
        raise AssertionError("vectors have the wrong dimension")
    # the same float32 values must arrive whether sent as text or base64
    reference = json.loads(vector_pool(DEFAULT_DIMENSIONS)[0][_seed(EMBED_TEXTS[0])])
    if not all(
        math.isclose(a, b, rel_tol=1e-6) for a, b in zip(vectors[0], reference, strict=True)
    ):
        raise AssertionError("first vector differs from the server's")


def _seed(text: str) -> int:
    from fake_server import _text_seed

    return _text_seed(text)


# --- floors: raw httpx -----------------------------------------------------------------------


def raw_scenarios(chat: FakeServer, embed: FakeServer, runner: asyncio.Runner) -> list[Scenario]:
    headers = {"Authorization": f"Bearer {API_KEY.get_secret_value()}", **HEADERS}
    body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    stream_body = body | {"stream": True, "stream_options": {"include_usage": True}}
    client = httpx.Client(base_url=chat.url, headers=headers, trust_env=False)
    url = "/v1/chat/completions"

    def chat_call() -> str:
        reply = client.post(url, json=body).json()
        return str(reply["choices"][0]["message"]["content"])

    def stream_call() -> Iterator[str]:
        with client.stream("POST", url, json=stream_body) as response:
            for line in response.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                choices = json.loads(line[6:])["choices"]
                yield (choices[0]["delta"].get("content") or "") if choices else ""

    async_client = httpx.AsyncClient(
        base_url=chat.url, headers=headers, transport=ShardedAsyncTransport(), trust_env=False
    )

    async def async_call() -> str:
        reply = (await async_client.post(url, json=body)).json()
        return str(reply["choices"][0]["message"]["content"])

    return [
        sync_scenario("raw_httpx_chat", "floor", chat, chat_call, check_text),
        stream_scenario("raw_httpx_stream", "floor", chat, stream_call, check_stream_text),
        async_scenario(
            "raw_httpx_async_sharded",
            "floor",
            chat,
            runner,
            async_call,
            check_text,
            note="httpx.AsyncClient over wenwen's ShardedAsyncTransport (10 pools x 10)",
        ),
        raw_embed_scenario(embed, runner, headers),
        *raw_aiohttp_scenarios(chat, runner, headers, body),
    ]


def raw_aiohttp_scenarios(
    chat: FakeServer, runner: asyncio.Runner, headers: dict[str, str], body: dict[str, Any]
) -> list[Scenario]:
    """The async floor: aiohttp with its defaults (a 100-connection pool), json.loads."""
    import aiohttp

    async def open_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(chat.url, headers=headers)

    session = runner.run(open_session())
    CLEANUPS.append(session.close)
    url = "/v1/chat/completions"

    async def call() -> str:
        async with session.post(url, json=body) as response:
            reply = json.loads(await response.read())
        return str(reply["choices"][0]["message"]["content"])

    note = "aiohttp.ClientSession defaults (100 connections)"
    return [
        async_scenario("raw_aiohttp_async", "floor", chat, runner, call, check_text, note=note),
        async_scenario(
            "raw_aiohttp_async_1000",
            "floor",
            chat,
            runner,
            call,
            check_text,
            note=note,
            size=BIG_BURST,
            heavy=True,
        ),
    ]


def raw_embed_scenario(
    embed: FakeServer, runner: asyncio.Runner, headers: dict[str, str]
) -> Scenario:
    client = httpx.AsyncClient(
        base_url=embed.url, headers=headers, transport=ShardedAsyncTransport(), trust_env=False
    )
    gate = asyncio.Semaphore(RAW_EMBED_CONCURRENCY)

    async def one(batch: list[str]) -> list[list[float]]:
        async with gate:
            payload = {"model": EMBED_MODEL, "input": batch, "encoding_format": "float"}
            response = await client.post("/v1/embeddings", json=payload)
        return [row["embedding"] for row in json.loads(response.content)["data"]]

    async def embed_all() -> list[list[float]]:
        batches = [
            EMBED_TEXTS[i : i + RAW_EMBED_BATCH]
            for i in range(0, len(EMBED_TEXTS), RAW_EMBED_BATCH)
        ]
        results = await asyncio.gather(*(one(b) for b in batches))
        return [vector for batch in results for vector in batch]

    note = f"float, batches of {RAW_EMBED_BATCH}, {RAW_EMBED_CONCURRENCY} in flight, json.loads"
    return embed_scenario(
        "raw_httpx_embed_async",
        "floor",
        embed,
        lambda: runner.run(embed_all()),
        check_vectors,
        note=note,
    )


# --- our core client (where the adapters' time goes) -----------------------------------------


def core_scenarios(chat: FakeServer) -> list[Scenario]:
    client = WenwenClient(api_key=API_KEY, base_url=chat.url, default_headers=HEADERS)
    request = ChatRequest(
        model=CHAT_MODEL,
        messages=[Message(role="user", parts=[TextPart(text=PROMPT)])],
        stream_usage=True,
    )

    def chat_call() -> str:
        return client.chat(request).text

    def stream_call() -> Iterator[str]:
        with client.stream(request) as stream:
            for event in stream:
                yield event.text if isinstance(event, TextDelta) else ""

    return [
        sync_scenario("core_WenwenClient_chat", "core", chat, chat_call, check_text),
        stream_scenario("core_WenwenClient_stream", "core", chat, stream_call, check_stream_text),
    ]
