"""LlamaIndex pipelines end to end: RAG query engines, a chat engine, FunctionAgent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen, WenwenEmbedding

DOCS = [
    "The Amazon rainforest produces about twenty percent of the world's oxygen.",
    "Mount Everest is 8849 metres tall and lies on the border of Nepal and China.",
    "The Great Barrier Reef is the largest coral reef system, located off Queensland.",
    "Honey never spoils because its low moisture and acidity stop bacteria from growing.",
    "The Sahara is the largest hot desert and covers much of North Africa.",
]


@pytest.fixture
def index(make_embedding: Callable[..., WenwenEmbedding]) -> VectorStoreIndex:
    embed = make_embedding(embed_batch_size=2)
    return VectorStoreIndex.from_documents([Document(text=t) for t in DOCS], embed_model=embed)


def test_index_is_built_in_batches(
    make_embedding: Callable[..., WenwenEmbedding], emu: Any
) -> None:
    embed = make_embedding(embed_batch_size=2)
    VectorStoreIndex.from_documents([Document(text=t) for t in DOCS], embed_model=embed)
    batches = [r.json["input"] for r in emu.requests if r.path == "/v1/embeddings"]
    assert batches == [DOCS[0:2], DOCS[2:4], DOCS[4:5]]


def test_query_engine_retrieves_and_answers(index: VectorStoreIndex, llm: Wenwen) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=2)
    response = engine.query("How tall is Mount Everest?")
    assert "8849 metres" in str(response)
    assert "Mount Everest" in response.source_nodes[0].node.get_content()
    # LlamaIndex's global defaults (OpenAI) were never needed, nor resolved.
    assert Settings._llm is None and Settings._embed_model is None


def test_async_query_engine(index: VectorStoreIndex, llm: Wenwen) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=2)
    response = asyncio.run(engine.aquery("Why does honey never spoil?"))
    assert "low moisture and acidity" in str(response)


def test_streaming_query_engine(index: VectorStoreIndex, llm: Wenwen) -> None:
    engine = index.as_query_engine(llm=llm, streaming=True, similarity_top_k=2)
    response = engine.query("Where is the Great Barrier Reef?")
    tokens = list(response.response_gen)
    assert len(tokens) > 3
    assert "off Queensland" in "".join(tokens)


def test_async_index_build_and_query(
    make_embedding: Callable[..., WenwenEmbedding], llm: Wenwen
) -> None:
    async def main() -> str:
        embed = make_embedding(embed_batch_size=1)
        index = VectorStoreIndex.from_documents(
            [Document(text=t) for t in DOCS], embed_model=embed, use_async=True
        )
        response = await index.as_query_engine(llm=llm).aquery("Which desert covers Africa?")
        return str(response)

    assert "Sahara" in asyncio.run(main())


# The mock model is extractive, so it cannot rewrite a question; this condense prompt makes
# its answer the sentence that carries the follow-up, which is what a real model would return.
CONDENSE = PromptTemplate(
    "Chat history:\n{chat_history}\nThe follow-up message was: {question}\n"
    "Question: Rewrite the follow-up message as a standalone question."
)


def test_condense_plus_context_chat_engine(
    index: VectorStoreIndex, llm: Wenwen, chat_bodies: Any
) -> None:
    engine = index.as_chat_engine(
        chat_mode="condense_plus_context", llm=llm, condense_prompt=CONDENSE
    )
    assert "8849 metres" in str(engine.chat("How tall is Mount Everest?"))
    assert "Sahara" in str(engine.chat("And which desert covers North Africa?"))
    assert "acidity" in str(engine.chat("Why does honey never spoil?"))
    # the history: "messages" (chat completions, Anthropic) or "input" (Responses)
    turns = [b.get("messages", b.get("input")) for b in chat_bodies()]
    condense_calls = [t for t in turns if "follow-up message" in str(t)]
    assert len(condense_calls) == 2  # turns 2 and 3 condensed through complete()
    last_turn = turns[-1]
    assert "How tall is Mount Everest?" in str(last_turn)  # the history went along


def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


async def run_agent(llm: Wenwen, streaming: bool) -> tuple[str, list[Any]]:
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(fn=magic_function)], llm=llm, streaming=streaming
    )
    handler = agent.run("What is the value of magic_function(3)? Use the tool.")
    seen = [event async for event in handler.stream_events()]
    return str(await handler), seen


@pytest.mark.parametrize("streaming", [True, False])
def test_function_agent_calls_the_tool(llm: Wenwen, streaming: bool) -> None:
    answer, seen = asyncio.run(run_agent(llm, streaming))
    results = [e for e in seen if isinstance(e, ToolCallResult)]
    assert [(r.tool_name, r.tool_kwargs, r.tool_output.content) for r in results] == [
        ("magic_function", {"input": 3}, "5")
    ]
    assert answer == "The result of magic_function is 5."
    if streaming:
        deltas = "".join(e.delta for e in seen if isinstance(e, AgentStream))
        assert deltas == answer


def test_function_agent_with_a_reasoning_model(make_llm: Callable[..., Wenwen]) -> None:
    # Two turns through deepseek-reasoner: the second only succeeds if the first turn's
    # reasoning goes back with its tool call.
    answer, seen = asyncio.run(run_agent(make_llm(model="deepseek-reasoner"), streaming=True))
    assert answer == "The result of magic_function is 5."
    thinking = "".join(e.thinking_delta or "" for e in seen if isinstance(e, AgentStream))
    assert "I should call magic_function" in thinking


def test_agents_twice_in_fresh_loops(llm: Wenwen) -> None:
    for _ in range(2):
        answer, _ = asyncio.run(run_agent(llm, streaming=True))
        assert answer == "The result of magic_function is 5."
