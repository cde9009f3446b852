"""LangChain and LlamaIndex scenarios: ours next to the anchor, the same calls on both."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from _harness import Scenario, async_scenario, embed_scenario, stream_scenario, sync_scenario
from _proc import FakeServer
from _subjects import (
    API_KEY,
    CHAT_MODEL,
    EMBED_MODEL,
    EMBED_TEXTS,
    HEADERS,
    PROMPT,
    check_stream_text,
    check_text,
    check_vectors,
)


def _lc_text(message: Any) -> str:
    content = message.content
    return content if isinstance(content, str) else ""


def langchain_chat(chat: FakeServer, runner: asyncio.Runner, *, anchors: bool) -> list[Scenario]:
    from langchain_wenwen import ChatWenwen

    ours = ChatWenwen(
        model_name=CHAT_MODEL, api_key=API_KEY, base_url=chat.url, default_headers=HEADERS
    )
    models: list[tuple[str, str, Any]] = [("ChatWenwen", "ours", ours)]
    if anchors:
        from langchain_openai import ChatOpenAI

        anchor = ChatOpenAI(
            model=CHAT_MODEL,
            base_url=chat.url + "/v1",
            api_key=API_KEY,
            stream_usage=True,
            use_responses_api=False,
            default_headers=HEADERS,
        )
        models.append(("ChatOpenAI", "anchor", anchor))
    scenarios = []
    for label, role, model in models:
        scenarios += _langchain_chat_scenarios(label, role, model, chat, runner)
    return scenarios


def _langchain_chat_scenarios(
    label: str, role: str, model: Any, chat: FakeServer, runner: asyncio.Runner
) -> list[Scenario]:
    def invoke() -> str:
        return _lc_text(model.invoke(PROMPT))

    def stream() -> Iterator[str]:
        for chunk in model.stream(PROMPT):
            yield _lc_text(chunk)

    async def ainvoke() -> str:
        return _lc_text(await model.ainvoke(PROMPT))

    note = "ShardedAsyncTransport: 10 shards x 10 connections" if role == "ours" else ""
    return [
        sync_scenario(f"lc_{label}_invoke", role, chat, invoke, check_text),
        stream_scenario(f"lc_{label}_stream", role, chat, stream, check_stream_text),
        async_scenario(f"lc_{label}_ainvoke", role, chat, runner, ainvoke, check_text, note=note),
    ]


def langchain_embeddings(
    embed: FakeServer, runner: asyncio.Runner, *, anchors: bool
) -> list[Scenario]:
    from langchain_wenwen import WenwenEmbeddings

    ours = WenwenEmbeddings(model=EMBED_MODEL, api_key=API_KEY, base_url=embed.url)
    defaults = (
        f"defaults: chunk_size={ours.chunk_size}, max_concurrency={ours.max_concurrency}, "
        f"{getattr(ours, 'encoding_format', 'float')}"
    )
    models: list[tuple[str, str, Any, str]] = [("WenwenEmbeddings", "ours", ours, defaults)]
    if anchors:
        from langchain_openai import OpenAIEmbeddings

        anchor = OpenAIEmbeddings(
            model=EMBED_MODEL,
            base_url=embed.url + "/v1",
            api_key=API_KEY,
            check_embedding_ctx_length=False,
        )
        note = f"check_embedding_ctx_length=False, chunk_size={anchor.chunk_size}, sequential"
        models.append(("OpenAIEmbeddings", "anchor", anchor, note))
    scenarios = []
    for label, role, model, note in models:

        def aembed(model: Any = model) -> list[list[float]]:
            result: list[list[float]] = runner.run(model.aembed_documents(EMBED_TEXTS))
            return result

        def embed_sync(model: Any = model) -> list[list[float]]:
            result: list[list[float]] = model.embed_documents(EMBED_TEXTS)
            return result

        scenarios.append(
            embed_scenario(f"lc_{label}_aembed", role, embed, aembed, check_vectors, note=note)
        )
        scenarios.append(
            embed_scenario(f"lc_{label}_embed", role, embed, embed_sync, check_vectors, note=note)
        )
    if "encoding_format" in WenwenEmbeddings.model_fields:
        scenarios.append(_base64_opt_in(embed, runner))
    return scenarios


def _base64_opt_in(embed: FakeServer, runner: asyncio.Runner) -> Scenario:
    """Not a default: what ``encoding_format="base64"`` buys (packed float32 on the wire)."""
    from langchain_wenwen import WenwenEmbeddings

    model = WenwenEmbeddings(
        model=EMBED_MODEL, api_key=API_KEY, base_url=embed.url, encoding_format="base64"
    )

    def aembed() -> list[list[float]]:
        result: list[list[float]] = runner.run(model.aembed_documents(EMBED_TEXTS))
        return result

    note = "opt-in encoding_format='base64', otherwise defaults"
    return embed_scenario(
        "lc_WenwenEmbeddings_aembed_base64", "ours", embed, aembed, check_vectors, note=note
    )


def llama_index_chat(chat: FakeServer, *, anchors: bool) -> list[Scenario]:
    from llama_index.core.llms import ChatMessage

    from llama_index_wenwen import Wenwen

    ours = Wenwen(model=CHAT_MODEL, api_key=API_KEY, base_url=chat.url, default_headers=HEADERS)
    llms: list[tuple[str, str, Any]] = [("Wenwen", "ours", ours)]
    if anchors:
        from llama_index.llms.openai_like import OpenAILike

        anchor = OpenAILike(
            model=CHAT_MODEL,
            api_base=chat.url + "/v1",
            api_key=API_KEY.get_secret_value(),
            is_chat_model=True,
            default_headers=HEADERS,
        )
        llms.append(("OpenAILike", "anchor", anchor))
    messages = [ChatMessage(role="user", content=PROMPT)]
    scenarios = []
    for label, role, llm in llms:

        def chat_call(llm: Any = llm) -> str:
            return str(llm.chat(messages).message.content)

        def stream_call(llm: Any = llm) -> Iterator[str]:
            for response in llm.stream_chat(messages):
                yield response.delta or ""

        scenarios.append(sync_scenario(f"li_{label}_chat", role, chat, chat_call, check_text))
        scenarios.append(
            stream_scenario(f"li_{label}_stream_chat", role, chat, stream_call, check_stream_text)
        )
    return scenarios
