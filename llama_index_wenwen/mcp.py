"""MCP tools as LlamaIndex ``FunctionTool``s whose results are content blocks.

``llama-index-tools-mcp``'s ``McpToolSpec`` turns an MCP server's tools into
``FunctionTool``s, but they return MCP's raw ``CallToolResult``, which LlamaIndex would send
to the model as its Python repr (an image as base64 text). ``mcp_tools`` wraps them so a
tool's text comes back as ``TextBlock``s, its images as ``ImageBlock``s (the model sees the
picture on every protocol) and an MCP error result as a raised ``McpToolError`` (an agent
reports it to the model as a failed call)::

    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        agent = FunctionAgent(tools=await mcp_tools(session), llm=Wenwen(model="gpt-4o-mini"))

Needs the ``[mcp]`` extra (``pip install -e ".[mcp]"`` in a clone).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

try:
    from llama_index.tools.mcp import McpToolSpec
    from mcp.types import (
        BlobResourceContents,
        CallToolResult,
        EmbeddedResource,
        ImageContent,
        ReadResourceResult,
        TextContent,
        TextResourceContents,
    )
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "llama_index_wenwen.mcp needs mcp and llama-index-tools-mcp: "
        'pip install "wenwen-ai[mcp]" (or pip install -e ".[mcp]" in a clone)'
    ) from exc
from llama_index.core.base.llms.types import ContentBlock, ImageBlock, TextBlock
from llama_index.core.tools import FunctionTool

from wenwen.errors import ConfigurationError

__all__ = ["McpToolError", "mcp_content_blocks", "mcp_tools", "with_content_blocks"]


class McpToolError(RuntimeError):
    """An MCP tool answered with an error result (``isError``); the message is its text."""

    def __init__(self, tool: str, message: str) -> None:
        super().__init__(
            f"MCP tool {tool!r} failed: {message}" if message else f"MCP tool {tool!r} failed"
        )
        self.tool = tool
        self.message = message


def _decoded(data: str, what: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{what} is not valid base64") from exc


def _resource_block(resource: TextResourceContents | BlobResourceContents) -> ContentBlock:
    if isinstance(resource, TextResourceContents):
        return TextBlock(text=resource.text)
    mime = resource.mimeType or ""
    if mime.startswith("image/"):
        return ImageBlock(
            image=_decoded(resource.blob, f"resource {resource.uri}"), image_mimetype=mime
        )
    raise TypeError(
        f"MCP resource {resource.uri} ({mime or 'no MIME type'}) is not supported as a tool "
        "result: only text and images are"
    )


def mcp_content_blocks(
    result: CallToolResult | ReadResourceResult, tool: str = ""
) -> list[ContentBlock]:
    """An MCP tool (or resource) result as LlamaIndex content blocks: text → ``TextBlock``,
    image → ``ImageBlock``, a text or image resource likewise. Raises ``McpToolError`` for an
    error result and ``TypeError`` for content a tool result cannot hold (audio, binary
    resources)."""
    if isinstance(result, ReadResourceResult):
        return [_resource_block(item) for item in result.contents]
    blocks: list[ContentBlock] = []
    for item in result.content:
        if isinstance(item, TextContent):
            blocks.append(TextBlock(text=item.text))
        elif isinstance(item, ImageContent):
            image = _decoded(item.data, f"the image from MCP tool {tool!r}")
            blocks.append(ImageBlock(image=image, image_mimetype=item.mimeType))
        elif isinstance(item, EmbeddedResource):
            blocks.append(_resource_block(item.resource))
        else:
            raise TypeError(f"MCP {item.type} content is not supported as a tool result")
    if result.isError:
        text = " ".join(b.text for b in blocks if isinstance(b, TextBlock))
        raise McpToolError(tool, text)
    return blocks


def with_content_blocks(tool: FunctionTool) -> FunctionTool:
    """``tool`` (one of ``McpToolSpec``'s) returning content blocks instead of MCP's raw
    result. Any other return value passes through unchanged."""
    name = tool.metadata.get_name()

    async def call(**kwargs: Any) -> Any:
        output = (await tool.acall(**kwargs)).raw_output
        if isinstance(output, CallToolResult | ReadResourceResult):
            return mcp_content_blocks(output, name)
        return output

    return FunctionTool.from_defaults(async_fn=call, tool_metadata=tool.metadata)


async def mcp_tools(
    source: Any, *, allowed_tools: list[str] | None = None, include_resources: bool = False
) -> list[FunctionTool]:
    """The MCP server's tools as ``FunctionTool``s returning content blocks. ``source`` is
    an ``McpToolSpec`` (used as configured) or anything ``McpToolSpec`` accepts as its
    client: an initialized ``mcp.ClientSession`` or ``llama_index.tools.mcp.BasicMCPClient``.
    ``allowed_tools`` and ``include_resources`` configure the spec built for a client."""
    if isinstance(source, McpToolSpec):
        if allowed_tools is not None or include_resources:
            raise ConfigurationError(
                "allowed_tools / include_resources apply to a client; set them on the "
                "McpToolSpec you pass instead"
            )
        spec = source
    elif callable(getattr(source, "call_tool", None)) and callable(
        getattr(source, "list_tools", None)
    ):
        spec = McpToolSpec(
            client=source, allowed_tools=allowed_tools, include_resources=include_resources
        )
    else:
        raise ConfigurationError(
            f"mcp_tools needs an McpToolSpec, an mcp ClientSession or a BasicMCPClient, "
            f"not {type(source).__name__}"
        )
    return [with_content_blocks(tool) for tool in await spec.to_tool_list_async()]
