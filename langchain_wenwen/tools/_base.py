"""``WenwenBaseTool``: the base of every tool that calls the relay.

It carries the same connection settings as ``ChatWenwen`` (``api_key`` / ``WENWEN_API_KEY``,
``base_url`` / ``WENWEN_BASE_URL``, ``timeout`` alias ``request_timeout``, ``max_retries``,
``default_headers``, ``http_client``, ``http_async_client``) plus the tool's own ``model``,
owns its core clients through ``ClientOwner`` (one sync client, one async client per event
loop), and answers with ``content_and_artifact``: a short text for the agent, standard content
blocks (image/audio) as the artifact. Media tools (images, audio, video, Midjourney) subclass
it and implement ``_call`` / ``_acall``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Literal

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.messages import content as blocks
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.client_set import ClientSet
from wenwen.connection import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES
from wenwen.media.download import DEFAULT_MAX_BYTES, content_filename
from wenwen.media.uploads import DEFAULT_MAX_UPLOAD_BYTES, FileAccess

from .._connection import ClientOwner

DEFAULT_TIMEOUT = 120.0
ToolOutput = tuple[str, list[dict[str, Any]]]


class WenwenBaseTool(ClientOwner, BaseTool):
    """Base class for Wenwen tools; subclasses define ``name``, ``description``,
    ``args_schema``, ``model`` and implement ``_call(**args)`` / ``_acall(**args)``."""

    model: str
    """The model the tool calls."""
    api_key: SecretStr | None = Field(default_factory=secret_from_env(API_KEY_ENV, default=None))
    base_url: str = Field(default_factory=from_env(BASE_URL_ENV, default=DEFAULT_BASE_URL))
    timeout: float | httpx.Timeout | None = Field(default=DEFAULT_TIMEOUT, alias="request_timeout")
    max_retries: int = DEFAULT_MAX_RETRIES
    max_retry_wait: float | None = None
    """Seconds one call may spend waiting between retries (default 30)."""
    async_transport: Literal["auto", "httpx", "aiohttp"] = "auto"
    """How async calls are sent: aiohttp when installed (``auto``), or httpx."""
    default_headers: dict[str, str] | None = None
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    output_dir: str | None = None
    """Also save results here (the text for the agent then names the files). The tool may
    also read files from here (a result it saved, say)."""
    root_dir: str | Path | list[str | Path] | None = None
    """The folders whose files the tool may read when its arguments name a path (relative
    paths are taken inside them). ``None``: only ``output_dir``, or no file at all. Paths are
    resolved with links followed; anything outside is a ``FileAccessError``."""
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    """The largest file the tool reads for upload (checked by ``stat`` before reading)."""
    max_download_bytes: int = DEFAULT_MAX_BYTES
    """Bound for results fetched from URLs (key-less, see ``wenwen.media.download``)."""
    allow_private_hosts: bool | list[str] = False
    """Non-public hosts (names, IPs, CIDRs; ``True``: all) that result downloads may reach
    besides the relay's own origin; by default only public addresses (README "Security")."""
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    _clients: ClientSet = PrivateAttr(default_factory=ClientSet)

    def client(self) -> WenwenClient:
        """The sync core client built from this tool's connection settings."""
        return self._clients.sync(self._make_client)

    async def aclient(self) -> AsyncWenwenClient:
        """The async core client of the running event loop."""
        return await self._clients.for_running_loop(self._make_async_client)

    def file_access(self) -> FileAccess:
        """The gate for files named by this tool's arguments (``root_dir`` + ``output_dir``)."""
        return FileAccess.of(
            self.root_dir, output_dir=self.output_dir, max_bytes=self.max_upload_bytes
        )

    def output_path(self, content: bytes, media_type: str) -> Path | None:
        """Where to save a result (``None`` without ``output_dir``)."""
        if self.output_dir is None:
            return None
        directory = Path(self.output_dir)
        directory.mkdir(parents=True, exist_ok=True)
        return directory / content_filename(content, media_type)

    def _call(self, **kwargs: Any) -> ToolOutput:
        raise NotImplementedError

    async def _acall(self, **kwargs: Any) -> ToolOutput:
        raise NotImplementedError

    def _run(
        self, *, run_manager: CallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> ToolOutput:
        return self._call(**kwargs)

    async def _arun(
        self, *, run_manager: AsyncCallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> ToolOutput:
        return await self._acall(**kwargs)


def image_block(content: bytes, media_type: str, **extras: Any) -> dict[str, Any]:
    """A standard ``image`` content block holding ``content`` inline."""
    block = blocks.create_image_block(
        base64=base64.b64encode(content).decode("ascii"), mime_type=media_type
    )
    return _with_extras(dict(block), extras)


def audio_block(content: bytes, media_type: str, **extras: Any) -> dict[str, Any]:
    """A standard ``audio`` content block holding ``content`` inline."""
    block = blocks.create_audio_block(
        base64=base64.b64encode(content).decode("ascii"), mime_type=media_type
    )
    return _with_extras(dict(block), extras)


def _with_extras(block: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in extras.items() if v is not None}
    if kept:
        block["extras"] = kept
    return block


__all__ = ["DEFAULT_TIMEOUT", "ToolOutput", "WenwenBaseTool", "audio_block", "image_block"]
