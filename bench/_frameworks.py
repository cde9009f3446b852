"""LangChain and LlamaIndex scenarios: ours next to the anchor, the same calls on both."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from _harness import (
    BIG_BURST,
    Scenario,
    async_scenario,
    embed_scenario,
    stream_scenario,
    sync_scenario,
)
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
from fake_server import DEFAULT_STREAM_CHUNKS as STREAM_CHUNKS
from fake_server import REPLY_TEXT


def _lc_text(message: Any) -> str:
    content = message.content
    return content if isinstance(content, str) else ""


def langchain_chat(chat: FakeServer, runner: asyncio.Runner, *, anchors: bool) -> list[Scenario]:
    from langchain_wenwen import ChatWenwen

    ours = ChatWenwen(
        model_name=CHAT_MODEL, api_key=API_KEY, base_url=chat.url, default_headers=HEADERS
    )
    models: list[tuple[str, str, Any]] = [("ChatWenwen", "ours", ours)]
    over_httpx = ours.model_copy(update={"async_transport": "httpx"})
    extra = [
        async_scenario(
            "lc_ChatWenwen_ainvoke_httpx",
            "ours",
            chat,
            runner,
            lambda: _ainvoke(over_httpx),
            check_text,
            note="async_transport='httpx' (ShardedAsyncTransport, 10 x 10)",
        )
    ]
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
    scenarios = extra + langchain_machinery(chat, runner)
    for label, role, model in models:
        scenarios += _langchain_chat_scenarios(label, role, model, chat, runner)
    return scenarios


async def _ainvoke(model: Any) -> str:
    return _lc_text(await model.ainvoke(PROMPT))


def langchain_machinery(chat: FakeServer, runner: asyncio.Runner) -> list[Scenario]:
    """LangChain's own ``invoke`` / ``stream`` / ``ainvoke`` paths with no I/O at all: a chat
    model that answers at once. No integration can go below these."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class NoIO(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "no-io"

        def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> ChatResult:
            return ChatResult(generations=[ChatGeneration(message=AIMessage(REPLY_TEXT))])

        async def _agenerate(self, messages: Any, stop: Any = None, **kwargs: Any) -> ChatResult:
            return self._generate(messages)

        def _stream(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> Iterator[ChatGenerationChunk]:
            for i in range(STREAM_CHUNKS):
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=f"tok{i} "))
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    model = NoIO()

    def stream() -> Iterator[str]:
        for chunk in model.stream(PROMPT):
            yield _lc_text(chunk)

    note = "BaseChatModel answering at once: LangChain's own share"
    return [
        sync_scenario("lc_machinery_invoke", "floor", chat, lambda: _lc_text(model.invoke(PROMPT)),
                      check_text),
        stream_scenario("lc_machinery_stream", "floor", chat, stream, check_stream_text),
        async_scenario("lc_machinery_ainvoke", "floor", chat, runner, lambda: _ainvoke(model),
                       check_text, note=note),
    ]  # fmt: skip


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

    note = f"async_transport={model.async_transport!r}" if role == "ours" else ""
    return [
        sync_scenario(f"lc_{label}_invoke", role, chat, invoke, check_text),
        stream_scenario(f"lc_{label}_stream", role, chat, stream, check_stream_text),
        async_scenario(f"lc_{label}_ainvoke", role, chat, runner, ainvoke, check_text, note=note),
        async_scenario(
            f"lc_{label}_ainvoke_1000",
            role,
            chat,
            runner,
            ainvoke,
            check_text,
            note=note,
            size=BIG_BURST,
            heavy=True,
        ),
    ]


def langchain_embeddings(
    embed: FakeServer, runner: asyncio.Runner, *, anchors: bool
) -> list[Scenario]:
    from langchain_wenwen import WenwenEmbeddings

    ours = WenwenEmbeddings(model=EMBED_MODEL, api_key=API_KEY, base_url=embed.url)
    defaults = (
        f"defaults: chunk_size={ours.chunk_size}, max_concurrency={ours.max_concurrency}, "
        f"{ours.encoding_format}"
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
    scenarios.append(_float_opt_in(embed, runner))
    return scenarios


def _float_opt_in(embed: FakeServer, runner: asyncio.Runner) -> Scenario:
    """Not a default: ``encoding_format="float"`` (JSON numbers, the old default)."""
    from langchain_wenwen import WenwenEmbeddings

    model = WenwenEmbeddings(
        model=EMBED_MODEL, api_key=API_KEY, base_url=embed.url, encoding_format="float"
    )

    def aembed() -> list[list[float]]:
        result: list[list[float]] = runner.run(model.aembed_documents(EMBED_TEXTS))
        return result

    note = "opt-in encoding_format='float', otherwise defaults"
    return embed_scenario(
        "lc_WenwenEmbeddings_aembed_float", "ours", embed, aembed, check_vectors, note=note
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
