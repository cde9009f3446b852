"""``UsageTracker``: totals under concurrency (threads, asyncio), nesting counted once, the
budget stop before any request, and the low-balance guard on an injected clock."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

import pytest

from wenwen import AsyncWenwenClient, ChatRequest, Message, WenwenClient
from wenwen.errors import BudgetExceededError, ConfigurationError
from wenwen.usage import UsageTracker, active_trackers
from wenwen_emulator import Emulator


def _request(model: str, i: int = 0) -> ChatRequest:
    return ChatRequest(model=model, messages=[Message.of("user", f"Question number {i}: why?")])


def _used(emu: Emulator) -> int:
    return emu.billing.account(emu.api_key).used


def _chats(emu: Emulator) -> int:
    return sum(r.path == "/v1/chat/completions" for r in emu.requests)


def test_threads_count_every_call_once(emu: Emulator) -> None:
    with WenwenClient(emu.api_key, emu.base_url) as client, UsageTracker() as tracker:
        models = ["gpt-4o-mini", "gpt-4o", "deepseek-chat"]

        def one(i: int) -> None:
            client.chat(_request(models[i % 3], i))

        with ThreadPoolExecutor(max_workers=6) as pool:
            # each task runs in a copy of this context, as LangChain's executors do
            futures = [pool.submit(contextvars.copy_context().run, one, i) for i in range(24)]
            for future in futures:
                future.result()
    summary = tracker.summary()
    assert summary["calls"] == 24 and summary["errors"] == 0
    assert {m: t["calls"] for m, t in summary["by_model"].items()} == dict.fromkeys(models, 8)
    assert summary["quota"] == _used(emu) and summary["usd"] == _used(emu) / 500_000


def test_asyncio_tasks_and_streams_count_every_call_once(emu: Emulator) -> None:
    async def main(tracker: UsageTracker) -> None:
        async with AsyncWenwenClient(emu.api_key, emu.base_url) as client:

            async def streamed(i: int) -> None:
                async with client.stream(_request("claude-haiku-4-5-20251001", i),
                                         protocol="anthropic") as stream:  # fmt: skip
                    await stream.until_done()

            with tracker:
                await asyncio.gather(
                    *(client.chat(_request("gpt-4o-mini", i)) for i in range(8)),
                    *(streamed(i) for i in range(8)),
                )

    tracker = UsageTracker()
    asyncio.run(main(tracker))
    assert tracker.calls == 16 and tracker.quota == _used(emu)


def test_nested_activation_counts_once_and_outer_trackers_see_inner_calls(emu: Emulator) -> None:
    outer, inner = UsageTracker(), UsageTracker()
    with WenwenClient(emu.api_key, emu.base_url) as client, outer:
        with outer, inner:  # the same tracker again: still one count per reply
            assert active_trackers() == (outer, inner)
            client.chat(_request("gpt-4o-mini"))
        client.chat(_request("gpt-4o-mini", 1))
    assert active_trackers() == ()
    assert (outer.calls, inner.calls) == (2, 1)
    assert outer.quota == _used(emu)


def test_the_budget_stops_the_first_call_after_it_is_spent(emu: Emulator) -> None:
    with WenwenClient(emu.api_key, emu.base_url) as client:
        client.chat(_request("gpt-4o"))
        each = _used(emu)  # every call below is this same call
        budget = 2.5 * each / 500_000  # two and a half calls' worth
        emu.reset()
        tracker = UsageTracker(max_cost=budget)
        with tracker, pytest.raises(BudgetExceededError) as stop:
            for _ in range(20):
                client.chat(_request("gpt-4o"))
    assert _chats(emu) == 3 == tracker.calls  # the 4th call sent nothing
    error = stop.value
    assert error.spent_quota == tracker.quota == _used(emu) == 3 * each
    assert 2 * each / 500_000 < budget <= error.spent_usd
    assert error.limit_usd == budget and error.balance_usd is None


def test_low_balance_guard_reads_the_balance_at_most_every_n_seconds(emu: Emulator) -> None:
    now = [0.0]
    guard = UsageTracker(min_balance=99.999, balance_check_every=30, clock=lambda: now[0])
    with WenwenClient(emu.api_key, emu.base_url) as client, guard:
        for i in range(5):
            client.chat(_request("o1", i))  # ~ a few thousand quota each
        reads = [r.path for r in emu.requests].count("/api/usage/token/")
        assert reads == 1  # one read, then 29 s of calls on it
        now[0] += 30
        with pytest.raises(BudgetExceededError) as stop:
            client.chat(_request("o1"))
    assert [r.path for r in emu.requests].count("/api/usage/token/") == 2
    assert _chats(emu) == 5  # refused before the request
    assert stop.value.balance_usd is not None and stop.value.balance_usd < 99.999
    assert stop.value.limit_usd == 99.999


def test_budgets_are_checked_numbers() -> None:
    with pytest.raises(ConfigurationError):
        UsageTracker(max_cost=-1)


def test_report_prints_a_table_and_returns_the_totals(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    with WenwenClient(emu.api_key, emu.base_url) as client, UsageTracker() as tracker:
        client.chat(_request("gpt-4o-mini"))
        client.embed(["one two three"], model="text-embedding-3-small")
    totals = tracker.report()
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split() == ["model", "calls", "input", "output", "quota", "USD"]
    assert "text-embedding-3-small" in printed and "total" in printed
    assert totals["calls"] == 2 and totals["quota"] == _used(emu)
