"""``/v1/embeddings``: dimensions, similarity ordering, encodings, validation."""

from __future__ import annotations

import base64
import math
import struct
import time

import httpx
import pytest

from wenwen_emulator import Emulator
from wenwen_emulator.embeddings import embed

EMB = "/v1/embeddings"


def vectors(http: httpx.Client, texts: list[str], **extra: object) -> list[list[float]]:
    response = http.post(EMB, json={"model": "text-embedding-3-small", "input": texts, **extra})
    assert response.status_code == 200, response.text
    return [d["embedding"] for d in response.json()["data"]]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    ("model", "dims"),
    [
        ("text-embedding-3-small", 1536),
        ("text-embedding-ada-002", 1536),
        ("text-embedding-3-large", 3072),
    ],
)
def test_dimensions_by_model(http: httpx.Client, model: str, dims: int) -> None:
    body = http.post(EMB, json={"model": model, "input": "hello"}).json()
    assert len(body["data"][0]["embedding"]) == dims
    assert body["model"] == model


def test_normalised_and_deterministic(http: httpx.Client) -> None:
    (a,) = vectors(http, ["The quick brown fox"])
    assert math.isclose(sum(x * x for x in a), 1.0, rel_tol=1e-9)
    assert a == vectors(http, ["The quick brown fox"])[0]
    assert a == embed("The quick brown fox", 1536)


def test_similarity_ordering(http: httpx.Client) -> None:
    query, near, far = vectors(
        http, ["cats like fish", "my cats eat fish daily", "stock markets fell sharply"]
    )
    assert cosine(query, near) > cosine(query, far)
    assert cosine(query, near) > 0.3


def test_dimensions_parameter(http: httpx.Client) -> None:
    assert len(vectors(http, ["x"], dimensions=64)[0]) == 64
    response = http.post(
        EMB, json={"model": "text-embedding-ada-002", "input": "x", "dimensions": 64}
    )
    assert response.status_code == 400
    too_big = http.post(
        EMB, json={"model": "text-embedding-3-small", "input": "x", "dimensions": 5000}
    )
    assert too_big.status_code == 400


def test_base64_matches_float(http: httpx.Client) -> None:
    (floats,) = vectors(http, ["hello world"])
    response = http.post(
        EMB,
        json={
            "model": "text-embedding-3-small",
            "input": ["hello world"],
            "encoding_format": "base64",
        },
    )
    raw = base64.b64decode(response.json()["data"][0]["embedding"])
    assert struct.unpack(f"<{len(raw) // 4}f", raw) == pytest.approx(floats, abs=1e-6)


@pytest.mark.parametrize("bad_input", [[1, 2, 3], [[1, 2], [3]], "", [""], [], None, ["ok", 5]])
def test_invalid_inputs(http: httpx.Client, bad_input: object) -> None:
    response = http.post(EMB, json={"model": "text-embedding-3-small", "input": bad_input})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"


def test_token_ids_message_explains(http: httpx.Client) -> None:
    response = http.post(EMB, json={"model": "text-embedding-3-small", "input": [1, 2, 3]})
    assert "raw text" in response.json()["error"]["message"]


def test_too_many_inputs(http: httpx.Client) -> None:
    response = http.post(EMB, json={"model": "text-embedding-3-small", "input": ["a"] * 2049})
    assert response.status_code == 400
    assert len(vectors(http, ["a"] * 2048, dimensions=8)) == 2048


def test_usage_and_indexes(http: httpx.Client) -> None:
    body = http.post(
        EMB, json={"model": "text-embedding-3-small", "input": ["one two", "three"]}
    ).json()
    assert [d["index"] for d in body["data"]] == [0, 1]
    assert body["usage"] == {"prompt_tokens": 3, "total_tokens": 3}


def test_chat_model_rejected(http: httpx.Client) -> None:
    assert http.post(EMB, json={"model": "gpt-4o", "input": "x"}).status_code == 400


def test_latency_setting() -> None:
    with Emulator(latency=0.2) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        start = time.monotonic()
        response = httpx.post(
            emu.base_url + EMB,
            headers=headers,
            json={"model": "text-embedding-3-small", "input": "x"},
        )
        assert response.status_code == 200
        assert time.monotonic() - start >= 0.2
