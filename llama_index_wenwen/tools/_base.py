"""The connection and tool-group machinery behind ``WenwenToolSpec`` and the readers.

``WenwenConnection`` holds the same connection settings as the ``Wenwen`` LLM (``api_key`` /
``WENWEN_API_KEY``, ``base_url`` / ``WENWEN_BASE_URL``, ``timeout``, ``max_retries``,
``default_headers``, ``http_client``, ``async_http_client``) and the core clients built from
them (one sync client, one async client per event loop).

A ``ToolGroup`` is a mixin of operations: ``FUNCTIONS`` lists ``(sync, async)`` method-name
pairs and ``OPTIONS`` the group's settings with their defaults. ``WenwenToolSpecBase``
assembles ``spec_functions`` from the groups in its class's bases, so another module adds
operations (video, Midjourney, ...) by writing a group and listing it in a spec's bases.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Unpack

import httpx
from llama_index.core.tools.tool_spec.base import BaseToolSpec

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.client_set import ClientSet
from wenwen.connection import (
    CommonConnectionSettings,
    ConnectionOptions,
    resolve_api_key,
    resolve_base_url,
)
from wenwen.errors import ConfigurationError
from wenwen.media.download import DEFAULT_MAX_BYTES, content_filename
from wenwen.media.uploads import DEFAULT_MAX_UPLOAD_BYTES, FileAccess, RootDir


class ConnectionSettings(CommonConnectionSettings, total=False):
    """The connection keywords every LlamaIndex class here takes (declared once: the tool
    spec, the readers and ``WenwenConnection`` all accept exactly these). Defaults as in
    ``wenwen.connection.ConnectionOptions.of``; ``api_key`` / ``base_url`` fall back to
    ``WENWEN_API_KEY`` / ``WENWEN_BASE_URL``."""

    async_http_client: httpx.AsyncClient | None


CONNECTION_SETTINGS = ConnectionSettings.__optional_keys__


class WenwenConnection:
    """Connection settings and the clients built from them."""

    def __init__(self, **settings: Unpack[ConnectionSettings]) -> None:
        self.base_url = resolve_base_url(settings.get("base_url"))
        settings["api_key"] = resolve_api_key(settings.get("api_key"))
        settings["base_url"] = self.base_url
        self._options = ConnectionOptions.of(**settings)
        self._clients = ClientSet()

    def client(self) -> WenwenClient:
        return self._clients.sync_client(self._options)

    async def aclient(self) -> AsyncWenwenClient:
        return await self._clients.async_client(self._options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class ToolGroup:
    """A set of operations for ``WenwenToolSpecBase`` subclasses (a mixin)."""

    GROUP: ClassVar[str] = ""
    FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = ()
    OPTIONS: ClassVar[dict[str, Any]] = {}

    options: dict[str, Any]
    connection: WenwenConnection
    output_dir: Path | None
    max_download_bytes: int
    files: FileAccess

    def output_path(self, content: bytes, media_type: str) -> Path | None:
        """Where to save a result (``None`` without ``output_dir``)."""
        if self.output_dir is None:
            return None
        self.output_dir.mkdir(parents=True, exist_ok=True)
        return self.output_dir / content_filename(content, media_type)


class WenwenToolSpecBase(BaseToolSpec):
    """Tool groups + connection. ``groups`` picks some groups (default: all of them);
    ``**options`` takes the connection settings (``ConnectionSettings``: ``api_key``,
    ``base_url``, ``timeout``, ...) and overrides group settings (unknown names are an
    error).

    Functions that take a file path read it only inside ``root_dir`` (a folder or a list of
    them; relative paths are taken inside them) or ``output_dir``; any other path, a link
    leading out of them included, is a ``FileAccessError`` raised before the file is opened.
    Files are checked by their bytes and by ``stat`` against ``max_upload_bytes``."""

    spec_functions: list[Any] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.spec_functions = [f for g in cls.tool_groups().values() for f in g.FUNCTIONS]

    @classmethod
    def tool_groups(cls) -> dict[str, type[ToolGroup]]:
        """The groups this spec is made of, by name, in base-class order."""
        found: dict[str, type[ToolGroup]] = {}
        for klass in cls.__mro__:
            if isinstance(klass, type) and issubclass(klass, ToolGroup) and klass.GROUP:
                found.setdefault(klass.GROUP, klass)
        return found

    def __init__(
        self,
        *,
        groups: Iterable[str] | None = None,
        output_dir: str | Path | None = None,
        root_dir: RootDir = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        max_download_bytes: int = DEFAULT_MAX_BYTES,
        **options: Any,
    ) -> None:
        settings = {k: options.pop(k) for k in list(options) if k in CONNECTION_SETTINGS}
        self.connection = WenwenConnection(**settings)
        available = self.tool_groups()
        chosen = list(available) if groups is None else list(groups)
        unknown = [g for g in chosen if g not in available]
        if unknown:
            raise ConfigurationError(
                f"unknown tool groups {unknown}; choose from {list(available)}"
            )
        self.options: dict[str, Any] = {}
        for group in available.values():
            self.options.update(group.OPTIONS)
        wrong = sorted(set(options) - set(self.options))
        if wrong:
            raise ConfigurationError(f"unknown options {wrong}; known: {sorted(self.options)}")
        self.options.update(options)
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.files = FileAccess.of(root_dir, output_dir=output_dir, max_bytes=max_upload_bytes)
        self.max_download_bytes = max_download_bytes
        self.spec_functions = [f for g in chosen for f in available[g].FUNCTIONS]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(groups={[f[0] for f in self.spec_functions]})"
