"""What a LangChain run cost: ``wenwen_usage()`` and ``WenwenUsageCallbackHandler``.

    with wenwen_usage(max_cost=0.05) as usage:      # USD
        agent.invoke({"messages": [...]})
    usage.report()   # prints a compact table, returns the totals as a dict

Inside the ``with`` block every Wenwen call (chat, streams, embeddings; any model object,
any depth of agent or LangGraph nesting, threads and asyncio tasks) is counted once, priced
in the relay's own prices (its ``GET /api/pricing``, fetched once and cached), and checked
against the budget: the first call after ``max_cost`` is spent raises
``wenwen.errors.BudgetExceededError`` before its request. ``min_balance`` (USD) also stops
calls while the relay's balance is below it, read at most every ``balance_check_every`` s.

The handler can also be passed as a callback (``config={"callbacks": [handler]}``) without
the ``with`` block: it then counts from each reply's ``usage_metadata`` and
``response_metadata["wenwen_cost"]`` (present when the model has ``track_cost=True`` or a
``price_table``) and checks the budget when a model run starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from wenwen.cost import Cost
from wenwen.types import Usage
from wenwen.usage import UsageTracker, active_trackers

COST_KEY = "wenwen_cost"
"""The ``response_metadata`` key of a reply's cost (``Cost.as_dict()``)."""

_handler_var: ContextVar[WenwenUsageCallbackHandler | None] = ContextVar(
    "wenwen_usage_callback", default=None
)
register_configure_hook(_handler_var, inheritable=True)


class WenwenUsageCallbackHandler(UsageTracker, BaseCallbackHandler):
    """A ``UsageTracker`` that is also a LangChain callback handler (errors, and totals
    when used without ``with``)."""

    raise_error = True  # a budget stop raised at on_llm_start must reach the caller
    run_inline = True

    def _tracking(self) -> bool:
        return self in active_trackers()

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        if not self._tracking():
            self.check_budget()

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], **kwargs: Any) -> None:
        if not self._tracking():
            self.check_budget()

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        if self._tracking():
            return  # counted by the client itself, once per reply
        for generations in response.generations:
            for generation in generations:
                if isinstance(generation, ChatGeneration):
                    self._record_message(generation.message)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.record_error()

    def _record_message(self, message: BaseMessage) -> None:
        if not isinstance(message, AIMessage):
            return
        metadata = message.response_metadata or {}
        cost = metadata.get(COST_KEY)
        usage = message.usage_metadata
        model = (cost or {}).get("model") or metadata.get("model_name") or "unknown"
        tokens = None
        if usage is not None:
            details = usage.get("input_token_details") or {}
            tokens = Usage(
                input_tokens=usage["input_tokens"],
                output_tokens=usage["output_tokens"],
                total_tokens=usage["total_tokens"],
                cache_read_tokens=details.get("cache_read") or 0,
                cache_creation_tokens=details.get("cache_creation") or 0,
                reasoning_tokens=(usage.get("output_token_details") or {}).get("reasoning") or 0,
            )
        self.record(model, tokens, Cost.model_validate(cost) if cost else None)


@contextmanager
def wenwen_usage(
    *,
    max_cost: float | None = None,
    min_balance: float | None = None,
    balance_check_every: float = 60.0,
    handler: WenwenUsageCallbackHandler | None = None,
) -> Iterator[WenwenUsageCallbackHandler]:
    """Count (and budget) every Wenwen call in the block; see the module docstring."""
    tracker = handler or WenwenUsageCallbackHandler(
        max_cost=max_cost, min_balance=min_balance, balance_check_every=balance_check_every
    )
    token = _handler_var.set(tracker)
    try:
        with tracker:
            yield tracker
    finally:
        _handler_var.reset(token)


def cost_metadata(message: BaseMessage, cost: Cost | None) -> BaseMessage:
    """``message`` with the reply's cost in ``response_metadata["wenwen_cost"]``."""
    if cost is not None:
        message.response_metadata[COST_KEY] = cost.as_dict()
    return message


__all__ = ["COST_KEY", "WenwenUsageCallbackHandler", "cost_metadata", "wenwen_usage"]
