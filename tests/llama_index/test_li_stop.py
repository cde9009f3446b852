"""``stop`` with the LlamaIndex ``Wenwen`` on every protocol, chat and stream, sync and
async: the text ends before the stop sequence; on Responses (no stop on the wire) the client
cut it and ``raw["client_stop"]`` says so."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import ChatMessage

from llama_index_wenwen import Wenwen


def test_stop_cuts_the_text(llm: Wenwen, caller: Any) -> None:
    messages = [ChatMessage(role="user", content="hi")]
    whole = caller.chat(llm, messages).message.content
    expected = whole[: whole.index("emu")]
    reply = caller.chat(llm, messages, stop=["emu"])
    chunks = caller.stream_chat(llm, messages, stop=["emu"])
    on_responses = llm.protocol == "responses"
    for result in (reply, chunks[-1]):
        assert result.message.content == expected
        assert result.raw["finish_reason"] == "stop"
        assert result.raw.get("client_stop") == ("emu" if on_responses else None)
    assert "".join(c.delta or "" for c in chunks) == expected
