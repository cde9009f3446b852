"""Writing a task's result that the relay itself serves (``/v1/videos/{id}/content``, which
needs the key) to disk with the download path's file sink, size bound and media check; third-
party result URLs go through the key-less ``wenwen.media.download`` itself. Replies are read
through the surface both async transports share (``status_code``, ``headers``,
``aiter_bytes``, ``aclose``).

A content route answers with the media itself: a redirect (whose body is HTML) or a body that
is not the expected media kind is a ``DownloadContentError``, and nothing is saved.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from ..errors import DownloadContentError
from ..media.content import MediaKind
from ..media.names import inside, safe_filename
from ..media.sinks import (
    DEFAULT_MAX_BYTES,
    MAX_VIDEO_BYTES,
    FileSink,
    MediaCheck,
    SizeBound,
    target_path,
)

if TYPE_CHECKING:
    from .._http.async_io import AsyncReply


def video_target(path: str | os.PathLike[str], task_id: str) -> Path:
    """``path``, or ``<task id>.mp4`` inside it when it is a directory (a name made safe and
    checked to resolve inside that directory)."""
    target = Path(path)
    if not target.is_dir():
        return target
    return inside(target, safe_filename(task_id, default="video") + ".mp4")


class _Body:
    """The checks of one content-route body: status, size, media kind."""

    def __init__(
        self, status: int, headers: Mapping[str, str], url: str, limit: int, expect: MediaKind
    ) -> None:
        if status != 200:
            raise DownloadContentError(
                f"{url} answered HTTP {status} instead of the {expect} itself",
                url=url,
                status_code=status,
            )
        self.bound = SizeBound(limit, url)
        self.bound.check_declared(headers)
        self.check = MediaCheck(expect, url)
        self.check.check_declared(headers.get("content-type"))

    def add(self, chunk: bytes) -> None:
        self.bound.add(chunk)
        self.check.add(chunk)


def _open(
    response: httpx.Response | AsyncReply,
    url: str,
    dest: str | os.PathLike[str],
    expect: MediaKind,
) -> tuple[FileSink, _Body]:
    body = _Body(response.status_code, response.headers, url, MAX_VIDEO_BYTES, expect)
    return FileSink(target_path(dest, url, response.headers.get("content-type"))), body


def stream_to_file(
    response: httpx.Response,
    url: str,
    dest: str | os.PathLike[str],
    expect: MediaKind = "video",
) -> Path:
    try:
        sink, body = _open(response, url, dest, expect)
        try:
            for chunk in response.iter_bytes():
                body.add(chunk)
                sink.write(chunk)
            body.check.finish()
        except BaseException:
            sink.discard()
            raise
        return sink.commit()
    finally:
        response.close()


async def astream_to_file(
    response: AsyncReply,
    url: str,
    dest: str | os.PathLike[str],
    expect: MediaKind = "video",
) -> Path:
    try:
        sink, body = _open(response, url, dest, expect)
        try:
            async for chunk in response.aiter_bytes():
                body.add(chunk)
                sink.write(chunk)
            body.check.finish()
        except BaseException:
            sink.discard()
            raise
        return sink.commit()
    finally:
        await response.aclose()


def read_bounded(response: httpx.Response, url: str, expect: MediaKind = "video") -> bytes:
    """The whole body in memory, bounded and checked like a download."""
    try:
        body = _Body(response.status_code, response.headers, url, DEFAULT_MAX_BYTES, expect)
        out = bytearray()
        for chunk in response.iter_bytes():
            body.add(chunk)
            out += chunk
        body.check.finish()
        return bytes(out)
    finally:
        response.close()


async def aread_bounded(response: AsyncReply, url: str, expect: MediaKind = "video") -> bytes:
    try:
        body = _Body(response.status_code, response.headers, url, DEFAULT_MAX_BYTES, expect)
        out = bytearray()
        async for chunk in response.aiter_bytes():
            body.add(chunk)
            out += chunk
        body.check.finish()
        return bytes(out)
    finally:
        await response.aclose()
