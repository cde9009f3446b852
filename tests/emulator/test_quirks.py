"""Relay quirk switches (per request via ``x-emulator-quirks`` or server-wide)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from wenwen_emulator import Emulator

CHAT = "/v1/chat/completions"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "parameters": {
                "type": "object",
                "properties": {"x": {"type": "integer"}},
                "required": ["x"],
            },
        },
    }
    for name in ("alpha_tool", "beta_tool")
]
TOOL_BODY = {
    "model": "gpt-4o",
    "stream": True,
    "tools": TOOLS,
    "messages": [{"role": "user", "content": "Use alpha_tool and beta_tool with 12."}],
}
TEXT_BODY = {
    "model": "gpt-4o",
    "stream": True,
    "messages": [{"role": "user", "content": "Cats purr. Do cats purr?"}],
}


def chunks(http: httpx.Client, body: dict[str, Any], quirks: str) -> list[dict[str, Any]]:
    text = http.post(CHAT, json=body, headers={"x-emulator-quirks": quirks}).text
    return [json.loads(f[6:]) for f in text.split("\n\n") if f.startswith("data: {")]


def tool_deltas(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [
        c["choices"][0]["delta"]["tool_calls"]
        for c in items
        if c["choices"] and c["choices"][0]["delta"].get("tool_calls")
    ]


def test_default_tool_streaming_shape(http: httpx.Client) -> None:
    groups = tool_deltas(chunks(http, TOOL_BODY, ""))
    assert all(len(g) == 1 and "index" in g[0] for g in groups)
    heads = [g[0] for g in groups if "id" in g[0]]
    assert [h["function"]["name"] for h in heads] == ["alpha_tool", "beta_tool"]
    assert all(h["function"]["arguments"] == "" for h in heads)
    tails = [g[0] for g in groups if "id" not in g[0]]
    assert all(set(t) == {"index", "function"} for t in tails)


def test_no_tool_index(http: httpx.Client) -> None:
    groups = tool_deltas(chunks(http, TOOL_BODY, "no_tool_index"))
    assert groups and all("index" not in d for g in groups for d in g)


def test_multi_tool_chunk(http: httpx.Client) -> None:
    groups = tool_deltas(chunks(http, TOOL_BODY, "multi_tool_chunk"))
    assert [d["index"] for d in groups[0]] == [0, 1]
    assert all("id" in d for d in groups[0])
    args: dict[int, str] = {}
    for group in groups:
        for d in group:
            args[d["index"]] = args.get(d["index"], "") + d["function"]["arguments"]
    assert [json.loads(a) for a in args.values()] == [{"x": 12}, {"x": 12}]


def test_repeat_tool_id(http: httpx.Client) -> None:
    groups = tool_deltas(chunks(http, TOOL_BODY, "repeat_tool_id"))
    assert len(groups) > 2
    assert all(d["id"].startswith("call_") and d["function"]["name"] for g in groups for d in g)


def test_cumulative_usage(http: httpx.Client) -> None:
    items = chunks(http, TEXT_BODY, "cumulative_usage")
    assert all(isinstance(c.get("usage"), dict) for c in items)
    completions = [c["usage"]["completion_tokens"] for c in items]
    assert completions == sorted(completions) and completions[-1] > completions[0]
    plain = http.post(CHAT, json={**TEXT_BODY, "stream": False}).json()
    assert items[-1]["usage"] == plain["usage"]


def test_no_done(http: httpx.Client) -> None:
    text = http.post(CHAT, json=TEXT_BODY, headers={"x-emulator-quirks": "no_done"}).text
    assert "[DONE]" not in text and '"finish_reason":"stop"' in text


def test_reasoning_field(http: httpx.Client) -> None:
    body = {**TEXT_BODY, "model": "deepseek-reasoner"}
    items = chunks(http, body, "reasoning_field")
    keys = {k for c in items for k in c["choices"][0]["delta"]}
    assert "reasoning" in keys and "reasoning_content" not in keys
    plain = http.post(
        CHAT, json={**body, "stream": False}, headers={"x-emulator-quirks": "reasoning_field"}
    ).json()
    assert "reasoning" in plain["choices"][0]["message"]


def test_models_200_error(http: httpx.Client) -> None:
    response = http.get("/v1/models/nope", headers={"x-emulator-quirks": "models_200_error"})
    assert response.status_code == 200
    assert response.json()["error"]["code"] == "model_not_found"


def test_server_wide_quirks() -> None:
    with Emulator(quirks=["no_done"]) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        text = httpx.post(emu.base_url + CHAT, json=TEXT_BODY, headers=headers).text
        assert "[DONE]" not in text
        emu.quirks.clear()
        assert "[DONE]" in httpx.post(emu.base_url + CHAT, json=TEXT_BODY, headers=headers).text
        emu.reset()
        assert "no_done" in emu.quirks


def test_langchain_style_consumer_with_sdk(emu: Emulator, oai: Any) -> None:
    """The openai SDK copes with multi_tool_chunk streams (index present)."""
    emu.quirks.add("multi_tool_chunk")
    body = {k: v for k, v in TOOL_BODY.items() if k != "stream"}
    stream = oai.chat.completions.create(stream=True, **body)
    names = [
        d.function.name
        for c in stream
        if c.choices
        for d in (c.choices[0].delta.tool_calls or [])
        if d.function and d.function.name
    ]
    assert names == ["alpha_tool", "beta_tool"]


def test_quirks_control_endpoint(http: httpx.Client, emu: Emulator) -> None:
    assert http.post("/_emulator/quirks", json={"quirks": ["no_done"]}).json()["ok"]
    assert emu.quirks == {"no_done"}
    assert "[DONE]" not in http.post(CHAT, json=TEXT_BODY).text
    assert http.post("/_emulator/quirks", json={"quirks": ["bogus"]}).status_code == 400
    http.post("/_emulator/quirks", json={"quirks": []})
    assert "[DONE]" in http.post(CHAT, json=TEXT_BODY).text
