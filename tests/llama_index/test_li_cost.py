"""Cost and budgets in LlamaIndex: a query engine's totals (LLM and embeddings) equal the
relay's balance decrease, the handler works as a callback handler too, a looping agent is
stopped by its budget before the call that would overspend, and replies carry their cost
in ``raw["cost"]`` when asked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen, WenwenEmbedding
from llama_index_wenwen.usage import WenwenUsageHandler
from wenwen.errors import BadRequestError, BudgetExceededError
from wenwen_emulator import Emulator

DOCS = [
    "Mount Everest is 8849 metres tall and lies on the border of Nepal and China.",
    "Honey never spoils because its low moisture and acidity stop bacteria from growing.",
    "The Sahara is the largest hot desert and covers much of North Africa.",
]


def _used(emu: Emulator) -> int:
    return emu.billing.account(emu.api_key).used


def _index(make_embedding: Callable[..., WenwenEmbedding]) -> VectorStoreIndex:
    embed = make_embedding(embed_batch_size=2)
    return VectorStoreIndex.from_documents([Document(text=t) for t in DOCS], embed_model=embed)


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet-4-20250514", "gemini-2.5-flash"])
def test_query_engine_totals_equal_the_balance_decrease(
    emu: Emulator,
    make_llm: Callable[..., Wenwen],
    make_embedding: Callable[..., WenwenEmbedding],
    model: str,
) -> None:
    with WenwenUsageHandler() as usage:
        index = _index(make_embedding)
        engine = index.as_query_engine(llm=make_llm(model=model), similarity_top_k=2)
        answer = engine.query("How tall is Mount Everest?")
    assert "8849" in str(answer)
    totals = usage.summary()
    assert totals["quota"] == _used(emu) > 0 and totals["usd"] == _used(emu) / 500_000
    assert set(totals["by_model"]) == {"text-embedding-3-small", model}
    assert totals["by_model"]["text-embedding-3-small"]["calls"] == 3  # 2 index batches, 1 query


def test_as_a_callback_handler_a_query_counts_without_with(
    emu: Emulator, make_llm: Callable[..., Wenwen], make_embedding: Callable[..., WenwenEmbedding]
) -> None:
    handler = WenwenUsageHandler()
    index = VectorStoreIndex.from_documents(
        [Document(text=t) for t in DOCS],
        embed_model=make_embedding(embed_batch_size=2),
        callback_manager=CallbackManager([handler]),
    )
    built = handler.calls
    engine = RetrieverQueryEngine.from_args(
        index.as_retriever(similarity_top_k=2),
        llm=make_llm(),
        callback_manager=CallbackManager([handler]),
    )
    asyncio.run(engine.aquery("Why does honey never spoil?"))
    engine.query("Where is the Sahara?")
    assert handler.calls - built == 4  # per query: the question's embedding and one LLM call
    assert handler.quota == _used(emu) > 0


def test_replies_carry_their_cost_when_asked(
    emu: Emulator, make_llm: Callable[..., Wenwen]
) -> None:
    llm = make_llm(model="claude-haiku-4-5-20251001", track_cost=True)
    reply = llm.chat([ChatMessage(role="user", content="Hello there")])
    assert reply.raw["cost"]["quota"] == _used(emu) > 0
    before = _used(emu)
    last = list(llm.stream_chat([ChatMessage(role="user", content="Tell me about the sea")]))[-1]
    assert last.raw["cost"]["quota"] == _used(emu) - before
    assert "cost" not in make_llm().chat([ChatMessage(role="user", content="Hi")]).raw


def roll_dice(sides: int) -> int:
    """Roll a die with the given number of sides."""
    return sides


async def _agent_loop(llm: Wenwen) -> None:
    """A minimal tool loop that never ends on its own (every turn must call the tool)."""
    tool = FunctionTool.from_defaults(fn=roll_dice)
    history = [ChatMessage(role="user", content="Roll a 6-sided die with roll_dice until 7.")]
    for _ in range(100):
        reply = await llm.achat_with_tools([tool], chat_history=history, tool_choice="roll_dice")
        history.append(reply.message)
        for call in llm.get_tool_calls_from_response(reply):
            output = tool(**call.tool_kwargs)
            history.append(ChatMessage(role="tool", content=str(output),
                                       additional_kwargs={"tool_call_id": call.tool_id}))  # fmt: skip


def test_a_looping_agent_stops_at_the_first_call_after_its_budget(
    emu: Emulator, make_llm: Callable[..., Wenwen]
) -> None:
    budget = 60 / 500_000  # a few calls' worth
    with WenwenUsageHandler(max_cost=budget) as usage, pytest.raises(BudgetExceededError) as stop:
        asyncio.run(_agent_loop(make_llm()))
    last = usage.last_cost
    assert last is not None
    assert stop.value.spent_usd - last.usd < budget <= stop.value.spent_usd
    chats = sum(r.path == "/v1/chat/completions" for r in emu.requests)
    assert usage.calls == chats >= 3  # the refused call sent nothing
    assert stop.value.spent_quota == usage.quota == _used(emu)


def test_a_function_agent_run_is_counted(emu: Emulator, make_llm: Callable[..., Wenwen]) -> None:
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(fn=roll_dice)], llm=make_llm())

    async def run() -> None:
        await agent.run("Use roll_dice to roll a 6-sided die.")

    with WenwenUsageHandler() as usage:
        asyncio.run(run())
    assert usage.calls == 2 and usage.quota == _used(emu)


def test_failed_calls_count_as_errors(emu: Emulator, make_llm: Callable[..., Wenwen]) -> None:
    handler = WenwenUsageHandler()
    llm = make_llm(callback_manager=CallbackManager([handler]), max_retries=0)
    emu.inject("status:400", path="/v1/chat/completions")
    with handler, pytest.raises(BadRequestError):
        llm.chat([ChatMessage(role="user", content="Hello")])
    llm.chat([ChatMessage(role="user", content="Hello")])
    assert handler.summary()["errors"] == 1 and handler.calls == 1
