"""The emulator's new-api pricing, quota and billing endpoints, read with plain HTTP: their
shapes and auth rules, prices for the whole catalogue, and a balance every billed reply
decreases (per token, per call, streamed, with usage repeated in every chunk)."""

from __future__ import annotations

import httpx
import pytest

from wenwen_emulator import Emulator
from wenwen_emulator.models import CATALOGUE


def _get(emu: Emulator, path: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(emu.base_url + path, headers=headers)


def _chat(emu: Emulator, body: dict[str, object], **headers: str) -> httpx.Response:
    return httpx.post(
        emu.base_url + "/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {emu.api_key}", **headers},
    )


def test_pricing_is_public_and_lists_the_whole_catalogue(emu: Emulator) -> None:
    reply = _get(emu, "/api/pricing")
    assert reply.status_code == 200
    body = reply.json()
    assert body["success"] is True
    assert body["group_ratio"] == {"default": 1.0, "vip": 0.8}
    assert set(body["usable_group"]) == {"default", "vip"}
    rows = {row["model_name"]: row for row in body["data"]}
    assert set(rows) == {m.id for m in CATALOGUE}
    assert {row["quota_type"] for row in rows.values()} == {0, 1}
    assert rows["dall-e-3"]["quota_type"] == 1 and rows["dall-e-3"]["model_price"] > 0
    mini = rows["gpt-4o-mini"]
    assert (mini["model_ratio"], mini["completion_ratio"], mini["cache_ratio"]) == (0.075, 4, 0.5)
    assert "create_cache_ratio" in rows["claude-sonnet-4-20250514"]


@pytest.mark.parametrize(
    "path",
    ["/api/usage/token/", "/dashboard/billing/subscription", "/v1/dashboard/billing/usage"],
)
def test_quota_and_billing_need_the_key(emu: Emulator, path: str) -> None:
    assert _get(emu, path).status_code == 401
    assert _get(emu, path, "sk-wrong").status_code == 401
    assert _get(emu, path, emu.api_key).status_code == 200


def test_token_usage_subscription_and_usage_shapes(emu: Emulator) -> None:
    hello = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
    assert _chat(emu, hello).status_code == 200
    token = _get(emu, "/api/usage/token/", emu.api_key).json()
    assert (token["code"], token["message"]) == (True, "ok")
    data = token["data"]
    assert data["object"] == "token_usage"
    assert data["total_granted"] == data["total_used"] + data["total_available"] == 50_000_000
    assert data["total_used"] > 0 and data["unlimited_quota"] is False and data["expires_at"] == 0
    subscription = _get(emu, "/dashboard/billing/subscription", emu.api_key).json()
    assert subscription["object"] == "billing_subscription"
    assert subscription["hard_limit_usd"] == 100.0
    usage = _get(emu, "/dashboard/billing/usage", emu.api_key).json()
    assert usage == {"object": "list", "total_usage": data["total_used"] / 500_000 * 100}


def test_a_chat_reply_is_billed_from_the_usage_it_reports(emu: Emulator) -> None:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello, world"}]}
    usage = _chat(emu, body).json()["usage"]
    quota = (usage["prompt_tokens"] + usage["completion_tokens"] * 4) * 0.075
    assert emu.billing.account(emu.api_key).used == max(1, int(quota + 0.5))


def test_a_stream_that_repeats_its_usage_is_billed_once(emu: Emulator) -> None:
    body = {
        "model": "gpt-4o",
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "Tell me a long story about the sea."}],
    }
    plain = _chat(emu, body)
    once = emu.billing.account(emu.api_key).used
    emu.reset()
    repeated = _chat(emu, body, **{"x-emulator-quirks": "cumulative_usage"})
    assert plain.status_code == repeated.status_code == 200
    assert emu.billing.account(emu.api_key).used == once > 0


def test_images_are_billed_per_image(emu: Emulator) -> None:
    reply = httpx.post(
        emu.base_url + "/v1/images/generations",
        json={"model": "dall-e-2", "prompt": "a red square", "n": 2, "size": "256x256"},
        headers={"Authorization": f"Bearer {emu.api_key}"},
    )
    assert reply.status_code == 200
    assert emu.billing.account(emu.api_key).used == 2 * 0.02 * 500_000


def test_failed_replies_are_not_billed(emu: Emulator) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
    assert _chat(emu, body, **{"x-emulator-fault": "status:500"}).status_code == 500
    assert emu.billing.account(emu.api_key).used == 0


def test_spent_balance_gets_new_apis_403(emu: Emulator) -> None:
    emu.billing.set_balance(emu.api_key, quota=0)
    try:
        reply = _chat(emu, {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]})
    finally:
        emu.billing.set_balance(emu.api_key, usd=100.0)
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "insufficient_user_quota"
    assert _get(emu, "/api/pricing").status_code == 200  # not billed: still answered


def test_the_control_endpoint_sets_balance_and_group(emu: Emulator) -> None:
    control = emu.base_url + "/_emulator/billing"
    try:
        done = httpx.post(control, json={"key": emu.api_key, "usd": 1.5, "group": "vip"})
        assert done.json() == {"ok": True, "group": "vip", "remain": 750_000}
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}]}
        usage = _chat(emu, body).json()["usage"]
        expected = (usage["prompt_tokens"] + usage["completion_tokens"] * 4) * 1.25 * 0.8
        assert emu.billing.account(emu.api_key).used == round(expected)
        assert httpx.post(control, json={"key": emu.api_key, "group": "gold"}).status_code == 400
    finally:
        emu.billing.set_group(emu.api_key, "default")
        emu.billing.set_balance(emu.api_key, usd=100.0)


@pytest.mark.parametrize("route", [":streamGenerateContent", ":streamGenerateContent?alt=sse"])
def test_gemini_streams_are_billed_like_the_plain_call(emu: Emulator, route: str) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "Tell me about the sea please."}]}]}
    url = emu.base_url + "/v1beta/models/gemini-2.5-flash"
    headers = {"x-goog-api-key": emu.api_key}
    assert httpx.post(url + ":generateContent", json=body, headers=headers).status_code == 200
    plain = emu.billing.account(emu.api_key).used
    assert httpx.post(url + route, json=body, headers=headers).status_code == 200
    assert emu.billing.account(emu.api_key).used == 2 * plain > 0
