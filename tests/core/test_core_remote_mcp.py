"""Anthropic's remote MCP connector (``mcp_servers``) is refused before any request."""

from __future__ import annotations

from typing import Any

import pytest

from wenwen.errors import UnsupportedFeatureError
from wenwen.protocols import PROTOCOL_NAMES
from wenwen.types import ChatRequest, Message
from wenwen_emulator import Emulator

MCP_SERVERS = [{"type": "url", "url": "https://mcp.example.com/sse", "name": "tickets"}]


def _request() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        messages=[Message.of("user", "Find a train from Beijing to Shanghai.")],
        extra_body={"mcp_servers": MCP_SERVERS},
        extra_headers={"anthropic-beta": "mcp-client-2025-04-04"},
    )


@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_mcp_servers_are_refused_before_any_request(
    client: Any, emu: Emulator, protocol: str, stream: bool
) -> None:
    call = client.stream if stream else client.chat
    with pytest.raises(UnsupportedFeatureError) as raised:
        call(_request(), protocol=protocol)
    message = str(raised.value)
    assert "'mcp_servers'" in message and "not relayed by Wenwen" in message
    assert "over stdio" in message and "MCP tools" in message
    assert emu.requests == []
