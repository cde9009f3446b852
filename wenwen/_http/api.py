"""The request API a resource needs from a client (``client.images``, ``client.videos``, any
future resource): ``send`` an ``HttpRequest`` and get a reply, and the retry policy that task
waits reuse for failed polls. ``WenwenClient`` and ``AsyncWenwenClient`` implement it;
resources are typed against it, so they never import the clients.
"""

from __future__ import annotations

from typing import Protocol

from ..protocols import HttpRequest, WireProtocol
from .call import Unset
from .reply import AsyncHttpReply, HttpReply
from .retry import RetryPolicy


class RequestClient(Protocol):
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


__all__ = ["AsyncRequestClient", "RequestClient"]
