"""Usage totals and budgets across calls: ``UsageTracker``.

A tracker counts every billed reply of every Wenwen client that runs while it is active
(``with tracker:``; the activation is a context variable, so it follows threads started
through ``contextvars.copy_context`` — as LangChain and LangGraph do — and asyncio tasks).
Each reply is counted once, however deeply the framework nests its runs. A tracker with
``max_cost`` (USD) refuses the next call once that much is spent, and one with
``min_balance`` (USD) refuses calls while the relay's balance is below it, reading the balance
at most every ``balance_check_every`` seconds: both raise ``BudgetExceededError`` before any
request. The framework context managers (``langchain_wenwen.wenwen_usage``,
``llama_index_wenwen.WenwenUsageHandler``) are trackers.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .cost import QUOTA_PER_UNIT, Cost
from .errors import BudgetExceededError

if TYPE_CHECKING:
    from .types import Usage

_ACTIVE: contextvars.ContextVar[tuple[UsageTracker, ...]] = contextvars.ContextVar(
    "wenwen_usage_trackers", default=()
)


def active_trackers() -> tuple[UsageTracker, ...]:
    """The trackers active in the current context (innermost last)."""
    return _ACTIVE.get()


@dataclass
class ModelTotals:
    """One model's totals. ``quota``/``usd`` count the priced calls only; ``unpriced`` is
    how many calls had no known cost."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    reasoning_tokens: int = 0
    quota: int = 0
    usd: float = 0.0
    unpriced: int = 0


class UsageTracker:
    """Totals by model (tokens, calls, cost in quota and USD) and errors; thread-safe.
    ``clock`` (monotonic seconds) paces the balance checks."""

    def __init__(
        self,
        *,
        max_cost: float | None = None,
        min_balance: float | None = None,
        balance_check_every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("max_cost", max_cost), ("min_balance", min_balance)):
            if value is not None and (isinstance(value, bool) or value < 0):
                from .errors import ConfigurationError

                raise ConfigurationError(f"{name} must be a number >= 0 (USD), got {value!r}")
        self.max_cost = max_cost
        self.min_balance = min_balance
        self.balance_check_every = balance_check_every
        self.clock = clock
        self.by_model: dict[str, ModelTotals] = {}
        self.errors = 0
        self.balance_usd: float | None = None
        self.last_cost: Cost | None = None
        """The cost of the last priced reply."""
        self.quota_per_unit: float = QUOTA_PER_UNIT
        self._balance_read_at: float | None = None
        self._lock = threading.Lock()
        self._tokens: list[contextvars.Token[tuple[UsageTracker, ...]]] = []

    # --- activation ---------------------------------------------------------------------

    def __enter__(self) -> UsageTracker:
        current = _ACTIVE.get()
        # a tracker already active here stays counted once
        self._tokens.append(_ACTIVE.set(current if self in current else (*current, self)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tokens:
            token = self._tokens.pop()
            try:
                _ACTIVE.reset(token)
            except ValueError:  # left from another context: drop it from this one
                _ACTIVE.set(tuple(t for t in _ACTIVE.get() if t is not self))

    # --- recording ----------------------------------------------------------------------

    def record(self, model: str, usage: Usage | None, cost: Cost | None) -> None:
        """One billed reply of ``model``."""
        with self._lock:
            totals = self.by_model.setdefault(model, ModelTotals())
            totals.calls += 1
            if usage is not None:
                totals.input_tokens += usage.input_tokens
                totals.output_tokens += usage.output_tokens
                totals.cache_read_tokens += usage.cache_read_tokens
                totals.cache_creation_tokens += usage.cache_creation_tokens
                totals.reasoning_tokens += usage.reasoning_tokens
            if cost is None:
                totals.unpriced += 1
            else:
                self.last_cost = cost
                totals.quota += cost.quota
                totals.usd = totals.quota / self.quota_per_unit

    def record_error(self) -> None:
        with self._lock:
            self.errors += 1

    # --- totals -------------------------------------------------------------------------

    @property
    def calls(self) -> int:
        with self._lock:
            return sum(t.calls for t in self.by_model.values())

    @property
    def quota(self) -> int:
        with self._lock:
            return sum(t.quota for t in self.by_model.values())

    @property
    def usd(self) -> float:
        """The total cost in USD (the total quota over ``quota_per_unit``: exact)."""
        return self.quota / self.quota_per_unit

    def summary(self) -> dict[str, Any]:
        """The totals as plain data: ``calls``, ``errors``, ``quota``, ``usd``,
        ``input_tokens``, ``output_tokens``, ``unpriced_calls`` and ``by_model``."""
        with self._lock:
            models = {name: asdict(t) for name, t in sorted(self.by_model.items())}
            errors = self.errors
        quota = sum(m["quota"] for m in models.values())
        return {
            "calls": sum(m["calls"] for m in models.values()),
            "errors": errors,
            "quota": quota,
            "usd": quota / self.quota_per_unit,
            "input_tokens": sum(m["input_tokens"] for m in models.values()),
            "output_tokens": sum(m["output_tokens"] for m in models.values()),
            "unpriced_calls": sum(m["unpriced"] for m in models.values()),
            "by_model": models,
        }

    def table(self) -> str:
        """A compact text table of the totals."""
        data = self.summary()
        rows = [("model", "calls", "input", "output", "quota", "USD")]
        for name, m in data["by_model"].items():
            usd = f"{m['usd']:.6f}" if m["unpriced"] == 0 else f"{m['usd']:.6f}*"
            rows.append((name, str(m["calls"]), str(m["input_tokens"]), str(m["output_tokens"]),
                         str(m["quota"]), usd))  # fmt: skip
        rows.append(("total", str(data["calls"]), str(data["input_tokens"]),
                     str(data["output_tokens"]), str(data["quota"]), f"{data['usd']:.6f}"))  # fmt: skip
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                           enumerate(zip(row, widths, strict=True))) for row in rows]  # fmt: skip
        notes = [f"errors: {data['errors']}"]
        if data["unpriced_calls"]:
            notes.append(f"* {data['unpriced_calls']} call(s) without a known price")
        return "\n".join([*lines, "; ".join(notes)])

    def report(self, *, file: Any = None) -> dict[str, Any]:
        """Print the table (to ``file``, default stdout) and return ``summary()``."""
        print(self.table(), file=file)
        return self.summary()

    # --- budgets ------------------------------------------------------------------------

    def check_budget(self) -> None:
        """Raise ``BudgetExceededError`` if ``max_cost`` is spent, or the last balance read
        is below ``min_balance``."""
        quota = self.quota
        spent = quota / self.quota_per_unit
        if self.max_cost is not None and spent >= self.max_cost:
            raise BudgetExceededError(
                f"usage budget spent: ${spent:.6f} of max_cost ${self.max_cost:.6f}",
                spent_usd=spent, spent_quota=quota, limit_usd=self.max_cost,
            )  # fmt: skip
        balance = self.balance_usd
        if self.min_balance is not None and balance is not None and balance < self.min_balance:
            raise BudgetExceededError(
                f"relay balance ${balance:.6f} is below min_balance ${self.min_balance:.6f}",
                spent_usd=spent, spent_quota=quota, limit_usd=self.min_balance,
                balance_usd=balance,
            )  # fmt: skip

    def balance_due(self) -> bool:
        """Whether the relay's balance should be read before the next call."""
        if self.min_balance is None:
            return False
        with self._lock:
            last = self._balance_read_at
            return last is None or self.clock() - last >= self.balance_check_every

    def note_balance(self, available_usd: float | None) -> None:
        """The balance just read (``None``: unknown or unlimited; the guard stays open)."""
        with self._lock:
            self._balance_read_at = self.clock()
            self.balance_usd = available_usd


__all__ = ["ModelTotals", "UsageTracker", "active_trackers"]
