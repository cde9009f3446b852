"""The request API a resource needs from a client (``client.images``, ``client.videos``, any
future resource): ``send`` an ``HttpRequest`` and get a reply, the retry policy that task waits
reuse for failed polls, and what result downloads may reach (the relay's ``base_url`` and
``allow_private_hosts``). ``WenwenClient`` and ``AsyncWenwenClient`` implement it;
resources are typed against it, so they never import the clients.
"""

from __future__ import annotations

from typing import Protocol

from ..protocols import HttpRequest, WireProtocol
from .call import Unset
from .reply import AsyncHttpReply, HttpReply
from .retry import RetryPolicy


class RequestClient(Protocol):
    allow_private_hosts: bool | tuple[str, ...]
    """Non-public hosts result downloads may reach besides the relay."""

    @property
    def base_url(self) -> str: ...

    @property
    def retry_policy(self) -> RetryPolicy: ...

    def send(
        self,
        spec: HttpRequest,
        *,
        protocol: WireProtocol | None = ...,
        stream: bool = ...,
        total_timeout: float | Unset | None = ...,
    ) -> HttpReply: ...


class AsyncRequestClient(Protocol):
    allow_private_hosts: bool | tuple[str, ...]

    @property
    def base_url(self) -> str: ...

    @property
    def retry_policy(self) -> RetryPolicy: ...

    async def send(
        self,
        spec: HttpRequest,
        *,
        protocol: WireProtocol | None = ...,
        stream: bool = ...,
        total_timeout: float | Unset | None = ...,
    ) -> AsyncHttpReply: ...


AnyRequestClient = RequestClient | AsyncRequestClient

__all__ = ["AnyRequestClient", "AsyncRequestClient", "RequestClient"]
