"""Vendors' remote MCP connectors, which the Wenwen relay does not carry.

Anthropic's connector is the ``mcp_servers`` body field (with the ``mcp-client-*`` beta
header): the relay lists it as unsupported ("工具调用(MCP)-目前不支持",
https://wenwen-ai.apifox.cn/349815678e0), so a request with it would fail at the relay or,
worse, run without the tools. It is
refused before any request, pointing to the route that works: run the MCP server locally
(stdio) and give its tools to the model as function tools.
"""

from __future__ import annotations

from ..errors import UnsupportedFeatureError
from ..types import ChatRequest

REMOTE_MCP_FIELDS = ("mcp_servers",)
STDIO_ROUTE = (
    "run the MCP server locally over stdio and pass its tools as ordinary function tools "
    "(langchain-mcp-adapters or llama-index-tools-mcp; see the README's 'MCP tools')"
)


def reject_remote_mcp(request: ChatRequest) -> None:
    """Raise ``UnsupportedFeatureError`` when ``request`` asks for a remote MCP connector."""
    for name in REMOTE_MCP_FIELDS:
        if name in request.extra_body:
            raise UnsupportedFeatureError(
                f"{name!r} (Anthropic's remote MCP connector) is not relayed by Wenwen; "
                f"{STDIO_ROUTE}"
            )
