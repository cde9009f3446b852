"""Writing a task's result that the relay itself serves (``/v1/videos/{id}/content``, which
needs the key) to disk with the download path's file sink and size bound; third-party result
URLs go through the key-less ``wenwen.media.download`` itself."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from ..media.download import DEFAULT_MAX_BYTES, FileSink, SizeBound, target_path

MAX_VIDEO_BYTES = 10 * DEFAULT_MAX_BYTES


def _open(response: httpx.Response, dest: str | os.PathLike[str]) -> tuple[FileSink, SizeBound]:
    url = str(response.request.url)
    bound = SizeBound(MAX_VIDEO_BYTES, url)
    bound.check_declared(response.headers)
    return FileSink(target_path(dest, url, response.headers.get("content-type"))), bound


def stream_to_file(response: httpx.Response, dest: str | os.PathLike[str]) -> Path:
    try:
        sink, bound = _open(response, dest)
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


async def astream_to_file(response: httpx.Response, dest: str | os.PathLike[str]) -> Path:
    try:
        sink, bound = _open(response, dest)
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


def read_bounded(response: httpx.Response) -> bytes:
    """The whole body in memory, bounded like a download."""
    try:
        bound = SizeBound(DEFAULT_MAX_BYTES, str(response.request.url))
        bound.check_declared(response.headers)
        out = bytearray()
        for chunk in response.iter_bytes():
            bound.add(chunk)
            out += chunk
        return bytes(out)
    finally:
        response.close()


async def aread_bounded(response: httpx.Response) -> bytes:
    try:
        bound = SizeBound(DEFAULT_MAX_BYTES, str(response.request.url))
        bound.check_declared(response.headers)
        out = bytearray()
        async for chunk in response.aiter_bytes():
            bound.add(chunk)
            out += chunk
        return bytes(out)
    finally:
        await response.aclose()
