"""Writing a task's result that the relay itself serves (``/v1/videos/{id}/content``, which
needs the key) to disk with the download path's file sink and size bound; third-party result
URLs go through the key-less ``wenwen.media.download`` itself. Replies are read through the
surface both async transports share (``headers``, ``aiter_bytes``, ``aclose``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from ..media.download import DEFAULT_MAX_BYTES, FileSink, SizeBound, target_path

if TYPE_CHECKING:
    from .._http.async_io import AsyncReply

MAX_VIDEO_BYTES = 10 * DEFAULT_MAX_BYTES


def _open(
    headers: Mapping[str, str], url: str, dest: str | os.PathLike[str]
) -> tuple[FileSink, SizeBound]:
    bound = SizeBound(MAX_VIDEO_BYTES, url)
    bound.check_declared(headers)
    return FileSink(target_path(dest, url, headers.get("content-type"))), bound


def stream_to_file(response: httpx.Response, url: str, dest: str | os.PathLike[str]) -> Path:
    try:
        sink, bound = _open(response.headers, url, dest)
        try:
            for chunk in response.iter_bytes():
                bound.add(chunk)
                sink.write(chunk)
        except BaseException:
            sink.discard()
            raise
        return sink.commit()
    finally:
        response.close()


async def astream_to_file(response: AsyncReply, url: str, dest: str | os.PathLike[str]) -> Path:
    try:
        sink, bound = _open(response.headers, url, dest)
        try:
            async for chunk in response.aiter_bytes():
                bound.add(chunk)
                sink.write(chunk)
        except BaseException:
            sink.discard()
            raise
        return sink.commit()
    finally:
        await response.aclose()


def read_bounded(response: httpx.Response, url: str) -> bytes:
    """The whole body in memory, bounded like a download."""
    try:
        bound = SizeBound(DEFAULT_MAX_BYTES, url)
        bound.check_declared(response.headers)
        out = bytearray()
        for chunk in response.iter_bytes():
            bound.add(chunk)
            out += chunk
        return bytes(out)
    finally:
        response.close()


async def aread_bounded(response: AsyncReply, url: str) -> bytes:
    try:
        bound = SizeBound(DEFAULT_MAX_BYTES, url)
        bound.check_declared(response.headers)
        out = bytearray()
        async for chunk in response.aiter_bytes():
            bound.add(chunk)
            out += chunk
        return bytes(out)
    finally:
        await response.aclose()
