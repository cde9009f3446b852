"""Embeddings travel as base64 by default, floats are accepted, and an upstream that
rejects base64 is asked again for floats once per model."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

import httpx
import pytest

from wenwen import AsyncWenwenClient, WenwenClient, errors


def upstream(refuses_base64: bool, seen: list[dict[str, Any]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        if refuses_base64 and body["encoding_format"] == "base64":
            error = {"message": "encoding_format base64 is not supported", "param": None}
            return httpx.Response(400, json={"error": error})
        rows = []
        for i, text in enumerate(body["input"]):
            values = [float(len(text)), 0.5]
            if body["encoding_format"] == "base64":
                packed = base64.b64encode(struct.pack("<2f", *values)).decode()
                rows.append({"index": i, "embedding": packed})
            else:
                rows.append({"index": i, "embedding": values})
        return httpx.Response(200, json={"data": rows, "model": body["model"]})

    return httpx.MockTransport(handler)


def sync_client(transport: httpx.MockTransport) -> WenwenClient:
    http = httpx.Client(transport=transport)
    return WenwenClient(api_key="k", base_url="http://relay.test", http_client=http)


def test_base64_by_default() -> None:
    seen: list[dict[str, Any]] = []
    result = sync_client(upstream(False, seen)).embed(["ab", "abc"], model="m")
    assert result.vectors == [[2.0, 0.5], [3.0, 0.5]]
    assert [b["encoding_format"] for b in seen] == ["base64"]


def test_floats_when_asked_for_them() -> None:
    seen: list[dict[str, Any]] = []
    result = sync_client(upstream(False, seen)).embed(["ab"], model="m", encoding_format="float")
    assert result.vectors == [[2.0, 0.5]]
    assert seen[0]["encoding_format"] == "float"


def test_a_refused_base64_falls_back_to_floats_once_per_model() -> None:
    seen: list[dict[str, Any]] = []
    client = sync_client(upstream(True, seen))
    assert client.embed(["ab"], model="m").vectors == [[2.0, 0.5]]
    assert client.embed(["abc"], model="m").vectors == [[3.0, 0.5]]
    assert [b["encoding_format"] for b in seen] == ["base64", "float", "float"]
    client.embed(["x"], model="other")
    assert [b["encoding_format"] for b in seen[3:]] == ["base64", "float"]


def test_an_explicit_base64_is_not_second_guessed() -> None:
    seen: list[dict[str, Any]] = []
    with pytest.raises(errors.BadRequestError, match="encoding_format"):
        sync_client(upstream(True, seen)).embed(["ab"], model="m", encoding_format="base64")
    assert len(seen) == 1


def test_async_client_falls_back_too() -> None:
    seen: list[dict[str, Any]] = []

    async def run() -> list[list[float]]:
        http = httpx.AsyncClient(transport=upstream(True, seen))
        async with AsyncWenwenClient(
            api_key="k", base_url="http://relay.test", http_client=http
        ) as client:
            await client.embed(["ab"], model="m")
            return (await client.embed(["abcd"], model="m")).vectors

    import asyncio

    assert asyncio.run(run()) == [[4.0, 0.5]]
    assert [b["encoding_format"] for b in seen] == ["base64", "float", "float"]


def test_a_bad_encoding_format_is_named() -> None:
    with pytest.raises(errors.ConfigurationError, match="encoding_format"):
        sync_client(upstream(False, [])).embed(["a"], model="m", encoding_format="int8")  # type: ignore[arg-type]
