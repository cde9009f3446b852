"""End-to-end behaviour against the emulator: media replies, structured output, embeddings."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from pydantic import BaseModel, Field

from langchain_wenwen import ChatWenwen, WenwenEmbeddings
from wenwen_emulator import Emulator


def connection(emu: Emulator) -> dict[str, Any]:
    return {"base_url": emu.base_url, "api_key": emu.api_key}


def stream_all(model: Any, prompt: Any) -> AIMessageChunk:
    full: AIMessageChunk | None = None
    for chunk in model.stream(prompt):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


def embedding_requests(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.path == "/v1/embeddings"]


# --- media replies -------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "kind"), [("gpt-4o-image", "image"), ("sora_video2", "video")])
@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_image_and_video_replies_become_standard_blocks(
    emu: Emulator, model: str, kind: str, output_version: str
) -> None:
    chat = ChatWenwen(model=model, output_version=output_version, **connection(emu))
    for message in (chat.invoke("Draw a cat"), stream_all(chat, "Draw a cat")):
        media = [b for b in message.content_blocks if b["type"] == kind]
        assert len(media) == 1
        url = media[0]["url"]  # type: ignore[typeddict-item]
        assert url.startswith(("https://", "http://")) and url in message.text
        assert any(isinstance(b, dict) and b.get("url") == url for b in message.content)


def test_media_reply_goes_back_into_the_history(emu: Emulator) -> None:
    chat = ChatWenwen(model="gpt-4o-image", **connection(emu))
    first = chat.invoke("Draw a cat")
    url = next(b["url"] for b in first.content_blocks if b["type"] == "image")  # type: ignore[typeddict-item]
    follow_up = chat.invoke([HumanMessage("Draw a cat"), first, HumanMessage("Now a dog")])
    sent = emu.requests[-1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == f"![image]({url})\n\n"  # the image went back, as received
    new_url = next(b["url"] for b in follow_up.content_blocks if b["type"] == "image")  # type: ignore[typeddict-item]
    assert new_url != url and new_url.startswith("https://emulator.wenwen.local/images/")


# --- structured output ---------------------------------------------------------------------


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
@pytest.mark.parametrize("model", ["gpt-4o-mini", "deepseek-reasoner"])
def test_structured_output_with_raw(emu: Emulator, method: Any, model: str) -> None:
    chat = ChatWenwen(model=model, **connection(emu))
    prompt = "Tell me a joke about cats with keys setup and punchline."
    structured = chat.with_structured_output(Joke, method=method, include_raw=True)
    result = structured.invoke(prompt)
    assert isinstance(result["raw"], AIMessage)
    assert isinstance(result["parsed"], Joke)
    assert result["parsing_error"] is None
    streamed = list(chat.with_structured_output(Joke, method=method).stream(prompt))
    assert streamed and all(isinstance(item, Joke) for item in streamed)


def test_parsing_error_is_reported_not_raised_with_include_raw(emu: Emulator) -> None:
    class Strict(BaseModel):
        count: int

    chat = ChatWenwen(model="gpt-4o-mini", **connection(emu))
    # json_mode with a prompt that names other keys: the reply will not fit ``Strict``
    structured = chat.with_structured_output(Strict, method="json_mode", include_raw=True)
    result = structured.invoke("Reply as JSON with keys colour and size.")
    assert result["parsed"] is None
    assert result["parsing_error"] is not None


# --- embeddings -----------------------------------------------------------------------------


def test_embeddings_batch_in_order_with_dimensions(emu: Emulator) -> None:
    embeddings = WenwenEmbeddings(dimensions=8, chunk_size=3, **connection(emu))
    texts = [f"text number {i}" for i in range(8)]
    vectors = embeddings.embed_documents(texts)
    singles = [embeddings.embed_query(t) for t in texts]
    assert vectors == singles and all(len(v) == 8 for v in vectors)
    batches = embedding_requests(emu)[:3]  # sent concurrently: any arrival order
    assert sorted(r.json["input"] for r in batches) == [texts[0:3], texts[3:6], texts[6:8]]
    assert all(r.json["dimensions"] == 8 and r.json["encoding_format"] == "base64" for r in batches)


def test_base64_encoding_gives_the_same_vectors(emu: Emulator) -> None:
    texts = ["alpha", "beta", "gamma"]
    floats = WenwenEmbeddings(**connection(emu)).embed_documents(texts)
    packed = WenwenEmbeddings(encoding_format="base64", **connection(emu)).embed_documents(texts)
    assert embedding_requests(emu)[-1].json["encoding_format"] == "base64"
    assert len(packed) == len(floats) == 3
    for packed_vector, float_vector in zip(packed, floats, strict=True):
        assert packed_vector == pytest.approx(float_vector, rel=1e-6, abs=1e-7)


def test_async_embeddings_run_batches_concurrently_in_order(emu: Emulator) -> None:
    embeddings = WenwenEmbeddings(chunk_size=2, max_concurrency=3, **connection(emu))
    texts = [f"passage {i} about rivers" for i in range(9)]
    expected = embeddings.embed_documents(texts)
    emu.reset()
    assert asyncio.run(embeddings.aembed_documents(texts)) == expected
    assert len(embedding_requests(emu)) == 5


@pytest.mark.parametrize("run_async", [False, True])
def test_embedding_progress_bar(
    emu: Emulator, capsys: pytest.CaptureFixture[str], run_async: bool
) -> None:
    embeddings = WenwenEmbeddings(chunk_size=2, show_progress_bar=True, **connection(emu))
    texts = ["a", "b", "c"]
    vectors = (
        asyncio.run(embeddings.aembed_documents(texts))
        if run_async
        else embeddings.embed_documents(texts)
    )
    assert len(vectors) == 3
    assert "3/3" in capsys.readouterr().err


def test_embedding_retries_each_batch(emu: Emulator) -> None:
    embeddings = WenwenEmbeddings(chunk_size=1, **connection(emu))
    emu.inject("status:500", times=1, path="/v1/embeddings")
    assert len(embeddings.embed_documents(["x", "y"])) == 2
    assert len(embedding_requests(emu)) == 3


def test_progress_bar_without_tqdm_says_what_to_install(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    embeddings = WenwenEmbeddings(show_progress_bar=True, **connection(emu))
    with pytest.raises(ImportError, match="pip install tqdm"):
        embeddings.embed_documents(["a"])
