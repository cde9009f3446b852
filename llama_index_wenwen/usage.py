"""What a LlamaIndex run cost: ``WenwenUsageHandler``.

    with WenwenUsageHandler(max_cost=0.05) as usage:      # USD
        index.as_query_engine(llm=llm).query("...")
    usage.report()   # prints a compact table, returns the totals as a dict

Inside the ``with`` block every Wenwen call (LLM, streams, embeddings; query engines,
agents and workflows, threads and asyncio tasks) is counted once and priced in the relay's
own prices (``GET /api/pricing``, fetched once and cached); the first call after
``max_cost`` is spent raises ``wenwen.errors.BudgetExceededError`` before its request, and
``min_balance`` (USD) stops calls while the relay's balance is below it (read at most every
``balance_check_every`` seconds).

The handler is also a LlamaIndex callback handler
(``Settings.callback_manager = CallbackManager([handler])``): it counts failed LLM and
embedding events as errors, and it is active for the length of each trace (a query, a chat
engine turn), so a query counts even without the ``with`` block. LLM events outside any
trace count from ``raw["usage"]`` and ``raw["cost"]``.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.callbacks.schema import CBEventType, EventPayload

from wenwen.cost import Cost
from wenwen.types import Usage
from wenwen.usage import UsageTracker, active_trackers


class WenwenUsageHandler(UsageTracker, BaseCallbackHandler):
    """Usage totals and budgets for LlamaIndex (see the module docstring)."""

    def __init__(
        self,
        *,
        max_cost: float | None = None,
        min_balance: float | None = None,
        balance_check_every: float = 60.0,
        **tracker: Any,
    ) -> None:
        UsageTracker.__init__(
            self,
            max_cost=max_cost,
            min_balance=min_balance,
            balance_check_every=balance_check_every,
            **tracker,
        )
        BaseCallbackHandler.__init__(self, event_starts_to_ignore=[], event_ends_to_ignore=[])
        self._traces: list[bool] = []

    def _tracking(self) -> bool:
        return self in active_trackers()

    def start_trace(self, trace_id: str | None = None) -> None:
        entered = not self._tracking()
        if entered:
            self.__enter__()
        self._traces.append(entered)

    def end_trace(
        self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None
    ) -> None:
        if self._traces and self._traces.pop():
            self.__exit__(None, None, None)

    def on_event_start(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        parent_id: str = "",
        **kwargs: Any,
    ) -> str:
        if event_type in (CBEventType.LLM, CBEventType.EMBEDDING) and not self._tracking():
            self.check_budget()
        return event_id

    def on_event_end(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        **kwargs: Any,
    ) -> None:
        payload = payload or {}
        if event_type not in (CBEventType.LLM, CBEventType.EMBEDDING):
            return
        if EventPayload.EXCEPTION in payload:
            self.record_error()
        elif event_type == CBEventType.LLM and not self._tracking():
            self._record_reply(payload.get(EventPayload.RESPONSE))

    def _record_reply(self, response: Any) -> None:
        raw = getattr(response, "raw", None)
        if not isinstance(raw, dict):
            return
        cost = raw.get("cost")
        usage = raw.get("usage") if isinstance(raw.get("usage"), dict) else None
        model = (cost or {}).get("model") or raw.get("model") or "unknown"
        tokens = None
        if usage is not None:
            tokens = Usage(
                input_tokens=int(usage.get("prompt_tokens") or 0),
                output_tokens=int(usage.get("completion_tokens") or 0),
                total_tokens=int(usage.get("total_tokens") or 0),
                cache_read_tokens=int(usage.get("cache_read_tokens") or 0),
                cache_creation_tokens=int(usage.get("cache_creation_tokens") or 0),
                reasoning_tokens=int(usage.get("reasoning_tokens") or 0),
            )
        self.record(model, tokens, Cost.model_validate(cost) if cost else None)


__all__ = ["WenwenUsageHandler"]
