"""The core client's pricing, quota and billing, and the cost on every reply: against the
emulator (whose balance is the referee), sync and async, and against a relay that is not
new-api."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from wenwen import AsyncWenwenClient, ChatRequest, Message, WenwenClient
from wenwen.billing import Quota
from wenwen.cost import PriceTable
from wenwen.errors import AuthenticationError, QuotaExceededError
from wenwen.types import ChatResponse
from wenwen.usage import UsageTracker
from wenwen_emulator import Emulator

PROTOCOLS = [
    ("openai", "gpt-4o-mini"),
    ("anthropic", "claude-sonnet-4-20250514"),
    ("gemini", "gemini-2.5-flash"),
    ("responses", "gpt-5"),
]


def _request(model: str, text: str = "Hello there, how are you today?") -> ChatRequest:
    return ChatRequest(model=model, messages=[Message.of("user", text)])


@pytest.fixture
def client(emu: Emulator) -> Iterator[WenwenClient]:
    with WenwenClient(emu.api_key, emu.base_url) as made:
        made.costs.configure(track_cost=True)
        yield made


def _balance(emu: Emulator) -> int:
    return emu.billing.account(emu.api_key).remain


def test_pricing_quota_and_billing_answer(client: WenwenClient, emu: Emulator) -> None:
    table = client.pricing()
    assert table.models["gpt-4o-mini"].model_ratio == 0.075
    assert table.models["dall-e-3"].per_call
    assert table.group_ratio == {"default": 1.0, "vip": 0.8}
    quota = client.quota()
    assert (quota.total_available, quota.total_used, quota.unlimited_quota) == (
        50_000_000,
        0,
        False,
    )
    assert (quota.available_usd, quota.expires_at) == (100.0, None)
    client.chat(_request("gpt-4o"))
    spent = client.quota().total_used
    assert spent > 0
    assert client.billing.subscription().hard_limit_usd == 100.0
    usage = client.billing.usage("2026-01-01", "2026-01-31")
    assert usage.total_usd == pytest.approx(spent / 500_000)
    assert emu.requests[-1].query == {"start_date": "2026-01-01", "end_date": "2026-01-31"}


@pytest.mark.parametrize(("protocol", "model"), PROTOCOLS)
def test_each_reply_costs_what_the_relay_charged(
    client: WenwenClient, emu: Emulator, protocol: str, model: str
) -> None:
    before = _balance(emu)
    reply = client.chat(_request(model), protocol=protocol)
    after_chat = _balance(emu)
    with client.stream(_request(model, "Tell me about the sea."), protocol=protocol) as stream:
        events = list(stream)
        streamed = stream.response()
    after_stream = _balance(emu)
    assert reply.cost is not None and streamed.cost is not None
    assert reply.cost.quota == before - after_chat > 0
    assert streamed.cost.quota == after_chat - after_stream > 0
    assert reply.cost.usd == reply.cost.quota / 500_000
    assert events  # the cost was set before the stream's end reached the caller


def test_async_client_and_embeddings(emu: Emulator) -> None:
    async def main() -> tuple[ChatResponse, Any, Quota, int]:
        async with AsyncWenwenClient(emu.api_key, emu.base_url) as client:
            client.costs.configure(track_cost=True)
            start = (await client.quota()).total_available
            reply = await client.chat(_request("claude-haiku-4-5-20251001"), protocol="anthropic")
            vectors = await client.embed(["a b c", "d e f g h"], model="text-embedding-3-large",
                                         batch_size=1)  # fmt: skip
            return reply, vectors, await client.quota(), start

    reply, vectors, quota, start = asyncio.run(main())
    assert reply.cost is not None and vectors.cost is not None
    assert reply.cost.quota + vectors.cost.quota == start - quota.total_available
    assert vectors.cost.calls == 2  # each batch is billed (and rounded) on its own


def test_vip_group_bills_at_its_ratio() -> None:
    with Emulator(api_keys=["sk-default", "sk-vip"]) as emu:
        emu.billing.set_group("sk-vip", "vip")
        costs = {}
        for key, group in (("sk-default", None), ("sk-vip", "vip")):
            with WenwenClient(key, emu.base_url) as client:
                client.costs.configure(track_cost=True, group=group)
                reply = client.chat(_request("o3", "Say something long about mountains."))
                assert reply.cost is not None
                assert reply.cost.quota == emu.billing.account(key).used
                costs[key] = reply.cost.quota
        assert costs["sk-vip"] < costs["sk-default"]


def test_no_cost_request_unless_asked(emu: Emulator) -> None:
    with WenwenClient(emu.api_key, emu.base_url) as client:
        reply = client.chat(_request("gpt-4o-mini"))
    assert reply.cost is None
    assert [r.path for r in emu.requests] == ["/v1/chat/completions"]


def test_a_shared_price_table_means_no_pricing_request(emu: Emulator) -> None:
    with WenwenClient(emu.api_key, emu.base_url) as client:
        table = client.pricing()
        emu.reset()
        client.costs.configure(price_table=table)
        reply = client.chat(_request("gpt-4o-mini"))
    assert reply.cost is not None and reply.cost.quota == emu.billing.account(emu.api_key).used
    assert [r.path for r in emu.requests] == ["/v1/chat/completions"]


def test_the_price_table_is_cached_for_its_ttl(emu: Emulator) -> None:
    now = [1000.0]
    with WenwenClient(emu.api_key, emu.base_url) as client:
        client.costs.clock = lambda: now[0]
        client.costs.configure(ttl=60)
        first = client.pricing()
        assert client.pricing() is first
        now[0] += 61
        second = client.pricing()
        assert second is not first
        assert client.pricing(refresh=True) is not second
    assert [r.path for r in emu.requests].count("/api/pricing") == 3


def test_quota_and_billing_need_the_key(emu: Emulator) -> None:
    with WenwenClient("sk-wrong", emu.base_url) as client:
        assert client.pricing().models  # public
        with pytest.raises(AuthenticationError):
            client.quota()
        with pytest.raises(AuthenticationError):
            client.billing.subscription()


def test_a_spent_balance_is_refused_with_insufficient_user_quota(emu: Emulator) -> None:
    emu.billing.set_balance(emu.api_key, quota=5)
    try:
        with WenwenClient(emu.api_key, emu.base_url, max_retries=0) as client:
            client.chat(_request("gpt-4o"))  # allowed: the balance was positive
            assert client.quota().total_available < 0  # post-paid, as in new-api
            with pytest.raises(QuotaExceededError) as caught:
                client.chat(_request("gpt-4o"))
        assert (caught.value.status_code, caught.value.code) == (403, "insufficient_user_quota")
    finally:
        emu.billing.set_balance(emu.api_key, usd=100.0)


# --- a relay that is not new-api -----------------------------------------------------------


def _plain_relay(emu: Emulator) -> Callable[[httpx.Request], httpx.Response]:
    """The emulator's chat, and 404 for anything new-api adds (as a plain proxy would)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(("/api/", "/dashboard/")):
            return httpx.Response(404, text="404 page not found")
        forwarded = httpx.post(
            emu.base_url + request.url.path, content=request.content, headers=request.headers
        )
        return httpx.Response(
            forwarded.status_code, content=forwarded.content, headers=forwarded.headers
        )

    return handle


def test_a_relay_without_pricing_gives_no_cost_and_says_why(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    transport = httpx.MockTransport(_plain_relay(emu))
    http = httpx.Client(transport=transport)
    with WenwenClient(emu.api_key, "http://relay.test", http_client=http) as client:
        client.costs.configure(track_cost=True)
        with caplog.at_level(logging.WARNING, logger="wenwen.billing"):
            first = client.chat(_request("gpt-4o-mini"))
            second = client.chat(_request("gpt-4o-mini"))
        with client.stream(_request("gpt-4o-mini")) as stream:
            streamed = stream.until_done()
    assert first.cost is None and second.cost is None and streamed.cost is None
    assert first.text and streamed.text  # nothing else changes
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "/api/pricing" in warnings[0]  # asked once per ttl


def test_price_table_type_is_shared(client: WenwenClient) -> None:
    assert isinstance(client.pricing(), PriceTable)


def test_media_results_carry_their_per_call_cost(
    client: WenwenClient, emu: Emulator, tmp_path: Any
) -> None:
    before = _balance(emu)
    images = client.images.generate("a red square", model="dall-e-2", n=2, size="256x256")
    assert images.cost is not None and images.cost.calls == 2
    assert images.cost.quota == before - _balance(emu) == 2 * 0.02 * 500_000
    before = _balance(emu)
    speech = client.audio.speech("Wenwen speaks.", model="tts-1", response_format="wav")
    transcript = client.audio.transcribe(speech.content, model="whisper-1")
    client.audio.speech_to_file(
        "Again.", path=tmp_path / "s.wav", model="tts-1", response_format="wav"
    )
    assert speech.cost is not None and transcript.cost is not None
    assert speech.cost.quota * 2 + transcript.cost.quota == before - _balance(emu)


def test_video_tasks_are_counted_when_accepted(emu: Emulator) -> None:
    with WenwenClient(emu.api_key, emu.base_url) as client, UsageTracker() as tracker:
        client.videos.create(prompt="a cat on a boat", model="veo3")
        client.videos.create(prompt="a cat on a boat", model="sora-2")  # not priced: not billed
    assert tracker.quota == _balance_used(emu) == 2.0 * 500_000
    assert tracker.summary()["unpriced_calls"] == 1


def _balance_used(emu: Emulator) -> int:
    return emu.billing.account(emu.api_key).used
